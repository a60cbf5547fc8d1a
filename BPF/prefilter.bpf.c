// SPDX-License-Identifier: GPL-2.0
// Tapline XDP prefilter: parse L2–L4, drop shunted flows, match ordered rules by per-field
// bitmasks, then drop | pass | capture (AF_XDP) | sample N. One program, configured by maps and
// `volatile const` values set before load. Layouts live in prefilter.h, shared with Swift.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "prefilter.h"

#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

char LICENSE[] SEC("license") = "GPL";

// ---- load-time configuration (rodata, set by the loader before load) ----

volatile const struct tl_config tl_cfg = {
    .malformed_action = TL_ACTION_PASS,
    .redirect_fallback = XDP_PASS,
    .write_meta = 1,
};

// ---- maps ----

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct tl_control);
} tl_control SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TL_RULE_SETS);
    __type(key, __u32);
    __type(value, struct tl_set_info);
} tl_set_info SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TL_RULE_SETS * TL_MAX_RULES);
    __type(key, __u32);
    __type(value, struct tl_rule);
} tl_rules SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, TL_LPM_ENTRIES);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct tl_lpm_key);
    __type(value, struct tl_mask);
} tl_addr SEC(".maps");

/// Prefixes of the groups in TL_ADDR_HASH mode, one entry per (set, direction, length, prefix).
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, TL_LPM_ENTRIES);
    __type(key, struct tl_addr4_key);
    __type(value, struct tl_mask);
} tl_addr4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, TL_LPM_ENTRIES);
    __type(key, struct tl_addr6_key);
    __type(value, struct tl_mask);
} tl_addr6 SEC(".maps");

/// Quick-reject bits of the prefix hashes (TL_ADDR_FILTER_INDEX).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TL_RULE_SETS * 2 * 2 * TL_ADDR_FILTER_WORDS);
    __type(key, __u32);
    __type(value, __u64);
} tl_addr_filter SEC(".maps");

/// Per (set, direction, family): the mask when no prefix contains the address (TL_ADDR_BASE_INDEX).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TL_RULE_SETS * 2 * TL_ADDR_FAMILY_SLOTS);
    __type(key, __u32);
    __type(value, struct tl_mask);
} tl_addr_base SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TL_RULE_SETS * TL_PROTO_SLOTS);
    __type(key, __u32);
    __type(value, struct tl_mask);
} tl_proto SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TL_RULE_SETS * TL_PORT_SLOTS);
    __type(key, __u32);
    __type(value, struct tl_mask);
} tl_sport SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TL_RULE_SETS * TL_PORT_SLOTS);
    __type(key, __u32);
    __type(value, struct tl_mask);
} tl_dport SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TL_RULE_SETS * TL_VLAN_SLOTS);
    __type(key, __u32);
    __type(value, struct tl_mask);
} tl_vlan SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, TL_SHUNT_ENTRIES);
    __type(key, struct tl_flow_key);
    __type(value, struct tl_shunt_value);
} tl_shunt SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, TL_COUNTER_SLOTS);
    __type(key, __u32);
    __type(value, struct tl_counter);
} tl_counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, TL_XSK_ENTRIES);
    __type(key, __u32);
    __type(value, __u32);
} tl_xsks SEC(".maps");

/// Never used by the program: the loader updates it after flipping `tl_control.active_set`,
/// because an update of a map-in-map makes the kernel wait for an RCU grace period
/// (maybe_wait_bpf_programs), so every packet still using the old rule set has finished.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 1);
    __type(key, __u32);
    __array(values, struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u32);
    });
} tl_fence SEC(".maps");

// ---- parsing ----

struct vlan_hdr {
    __be16 tci;
    __be16 encap_proto;
};

struct ext_hdr {
    __u8 nexthdr;
    __u8 hdrlen;
};

struct frag6_hdr {
    __u8 nexthdr;
    __u8 reserved;
    __be16 frag_off;
    __be32 id;
};

// Addresses are kept as words, never as byte arrays: clang splits byte arrays of a struct on the
// stack into one scalar per byte, and every one of them is then copied around the parse.
struct pkt {
    __u32 src[4];
    __u32 dst[4];
    __u16 sport, dport, vlan;
    __u8 proto, family, flags;
    __u32 ip_len;   // IP total length from the header (for shunted flows' IP byte counts)
};

enum { PARSE_OK = 0, PARSE_MALFORMED = 1 };

static __always_inline __u64 words_be64(__u32 a, __u32 b)
{
    return ((__u64)bpf_ntohl(a) << 32) | bpf_ntohl(b);
}

/// An address as FlowHash sees it: two host-order halves (IPv4: 0 and the address). Computed only
/// where needed (flow hash, shunt key), not for every frame.
struct hl {
    __u64 hi, lo;
};

static __always_inline struct hl addr_hl(const struct pkt *p, const __u32 *a)
{
    struct hl r;
    if (p->family == 6) {
        r.hi = words_be64(a[0], a[1]);
        r.lo = words_be64(a[2], a[3]);
    } else {
        r.hi = 0;
        r.lo = bpf_ntohl(a[0]);
    }
    return r;
}

static __always_inline int parse_l4(struct pkt *p, void *cur, void *end, int has_l4)
{
    if (!has_l4)
        return PARSE_OK;
    if (p->proto == IPPROTO_TCP) {
        if (cur + 20 > end)
            return PARSE_MALFORMED;
    } else if (p->proto == IPPROTO_UDP) {
        if (cur + 8 > end)
            return PARSE_MALFORMED;
    } else if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
        if (cur + 4 > end)
            return PARSE_MALFORMED;
        return PARSE_OK;
    } else {
        return PARSE_OK;
    }
    __be16 *ports = cur;
    p->sport = bpf_ntohs(ports[0]);
    p->dport = bpf_ntohs(ports[1]);
    p->flags |= TL_META_HAS_PORTS;
    return PARSE_OK;
}

static __always_inline int parse(struct xdp_md *ctx, struct pkt *p)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return PARSE_MALFORMED;
    void *cur = eth + 1;
    __u16 type = eth->h_proto;
    p->vlan = TL_VLAN_NONE;

#pragma unroll
    for (int i = 0; i < TL_MAX_VLAN_TAGS; i++) {
        if (type != bpf_htons(ETH_P_8021Q) && type != bpf_htons(ETH_P_8021AD))
            break;
        struct vlan_hdr *vh = cur;
        if ((void *)(vh + 1) > end)
            return PARSE_MALFORMED;
        if (i == 0)
            p->vlan = bpf_ntohs(vh->tci) & 0x0fff;
        type = vh->encap_proto;
        cur = vh + 1;
    }

    if (type == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = cur;
        if ((void *)(ip + 1) > end)
            return PARSE_MALFORMED;
        if (ip->version != 4 || ip->ihl < 5)
            return PARSE_MALFORMED;
        __u32 hlen = ip->ihl * 4;
        if (bpf_ntohs(ip->tot_len) < hlen)
            return PARSE_MALFORMED;
        if (cur + hlen > end)
            return PARSE_MALFORMED;
        p->family = 4;
        p->ip_len = bpf_ntohs(ip->tot_len);
        p->proto = ip->protocol;
        p->src[0] = ip->saddr;
        p->dst[0] = ip->daddr;
        __u16 frag = bpf_ntohs(ip->frag_off);
        int has_l4 = (frag & 0x1fff) == 0;
        if (frag & 0x3fff)
            p->flags |= TL_META_FRAGMENT;
        return parse_l4(p, cur + hlen, end, has_l4);
    }

    if (type == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = cur;
        if ((void *)(ip6 + 1) > end)
            return PARSE_MALFORMED;
        if (ip6->version != 6)
            return PARSE_MALFORMED;
        p->family = 6;
        p->ip_len = (__u32)bpf_ntohs(ip6->payload_len) + 40;
        p->flags |= TL_META_IPV6;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            p->src[i] = ip6->saddr.in6_u.u6_addr32[i];
            p->dst[i] = ip6->daddr.in6_u.u6_addr32[i];
        }
        __u8 nh = ip6->nexthdr;
        cur = ip6 + 1;
        int has_l4 = 1;
#pragma unroll
        for (int i = 0; i < TL_MAX_IPV6_EXT; i++) {
            if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
                struct ext_hdr *h = cur;
                if ((void *)(h + 1) > end)
                    return PARSE_MALFORMED;
                nh = h->nexthdr;
                cur += (h->hdrlen + 1) * 8;
            } else if (nh == IPPROTO_AH) {
                struct ext_hdr *h = cur;
                if ((void *)(h + 1) > end)
                    return PARSE_MALFORMED;
                nh = h->nexthdr;
                cur += (h->hdrlen + 2) * 4;
            } else if (nh == IPPROTO_FRAGMENT) {
                struct frag6_hdr *f = cur;
                if ((void *)(f + 1) > end)
                    return PARSE_MALFORMED;
                nh = f->nexthdr;
                __u16 off = bpf_ntohs(f->frag_off);
                p->flags |= TL_META_FRAGMENT;
                if (off & 0xfff8)
                    has_l4 = 0;
                cur = f + 1;
            } else {
                break;
            }
        }
        if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS
            || nh == IPPROTO_AH || nh == IPPROTO_FRAGMENT)
            return PARSE_MALFORMED; // chain longer than TL_MAX_IPV6_EXT
        p->proto = nh;
        if (cur > end)
            return PARSE_MALFORMED;
        return parse_l4(p, cur, end, has_l4);
    }
    return PARSE_OK; // not IP: family 0
}

// ---- the symmetric flow hash: exactly FlowHash.symmetric in Sources/PacketCore/FlowKey.swift ----

#define FH_SEED 0x9E3779B97F4A7C15ULL

static __always_inline __u64 fh_mix(__u64 a, __u64 b)
{
    a ^= 0xA0761D6478BD642FULL;
    b ^= 0xE7037ED1A0B428DBULL;
    // 64×64→128 multiply from 32-bit halves (BPF has no 128-bit product).
    __u64 a0 = a & 0xffffffffULL, a1 = a >> 32;
    __u64 b0 = b & 0xffffffffULL, b1 = b >> 32;
    __u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    __u64 mid = (p00 >> 32) + (p01 & 0xffffffffULL) + (p10 & 0xffffffffULL);
    __u64 lo = (mid << 32) | (p00 & 0xffffffffULL);
    __u64 hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return hi ^ lo;
}

static __always_inline __u64 flow_hash(const struct pkt *p)
{
    struct hl s = addr_hl(p, p->src), d = addr_hl(p, p->dst);
    __u64 xh = s.hi, xl = s.lo, yh = d.hi, yl = d.lo;
    if (yh < xh || (yh == xh && yl < xl)) {
        xh = d.hi; xl = d.lo;
        yh = s.hi; yl = s.lo;
    }
    __u64 h = fh_mix(xh ^ FH_SEED, xl);
    return fh_mix(h ^ yh ^ ((__u64)p->proto << 56), yl);
}

// ---- helpers ----

static __always_inline void count(__u32 idx, __u64 bytes)
{
    struct tl_counter *c = bpf_map_lookup_elem(&tl_counters, &idx);
    if (c) {
        c->packets += 1;
        c->bytes += bytes;
    }
}


static __always_inline int shunted(const struct pkt *p, __u64 bytes)
{
    struct tl_flow_key k = {};
    // (hi, lo) compare as the network-order bytes do, so this is FlowKey.make's order.
    struct hl s = addr_hl(p, p->src), d = addr_hl(p, p->dst);
    int src_low = s.hi < d.hi || (s.hi == d.hi &&
                  (s.lo < d.lo || (s.lo == d.lo && p->sport <= p->dport)));
    if (src_low) {
        __builtin_memcpy(k.addr_lo, p->src, 16);
        __builtin_memcpy(k.addr_hi, p->dst, 16);
        k.port_lo = p->sport;
        k.port_hi = p->dport;
    } else {
        __builtin_memcpy(k.addr_lo, p->dst, 16);
        __builtin_memcpy(k.addr_hi, p->src, 16);
        k.port_lo = p->dport;
        k.port_hi = p->sport;
    }
    k.vlan = p->vlan;
    k.proto = p->proto;
    k.family = p->family;
    struct tl_shunt_value *v = bpf_map_lookup_elem(&tl_shunt, &k);
    if (!v)
        return 0;
    __u64 now = bpf_ktime_get_ns();
    if (v->expires_ns != 0 && now >= v->expires_ns) {
        bpf_map_delete_elem(&tl_shunt, &k);
        return 0;
    }
    __sync_fetch_and_add(&v->packets, 1);
    __sync_fetch_and_add(&v->bytes, bytes);
    __sync_fetch_and_add(&v->ip_bytes, p->ip_len);
    if (src_low) {
        __sync_fetch_and_add(&v->packets_lo, 1);
        __sync_fetch_and_add(&v->bytes_lo, bytes);
        __sync_fetch_and_add(&v->ip_bytes_lo, p->ip_len);
    }
    v->last_ns = now;
    return 1;
}

static __always_inline int lowest_bit(__u64 x)
{
    int n = 0;
    x &= -x;
    if (x & 0xffffffff00000000ULL) n += 32;
    if (x & 0xffff0000ffff0000ULL) n += 16;
    if (x & 0xff00ff00ff00ff00ULL) n += 8;
    if (x & 0xf0f0f0f0f0f0f0f0ULL) n += 4;
    if (x & 0xccccccccccccccccULL) n += 2;
    if (x & 0xaaaaaaaaaaaaaaaaULL) n += 1;
    return n;
}

static __always_inline void and_mask(struct tl_mask *m, const struct tl_mask *o)
{
    if (!o) {
        __builtin_memset(m, 0, sizeof(*m));
        return;
    }
#pragma unroll
    for (int i = 0; i < TL_MASK_WORDS; i++)
        m->w[i] &= o->w[i];
}

/// The bits of a 32-bit word kept by a prefix of `bits` (0..32) bits, host order.
static __always_inline __u32 prefix_word(__s32 bits)
{
    bits = bits < 0 ? 0 : bits > 32 ? 32 : bits;
    return (__u32)(0xffffffff00000000ULL >> bits);
}

/// Whether the quick-reject filter may hold the prefix of hash `h` (a clear bit: surely absent).
static __always_inline int addr_filter_may_hold(__u32 base, __u32 h)
{
    __u32 bit = h >> 16;
    __u32 k = base + (bit >> 6);
    const __u64 *w = bpf_map_lookup_elem(&tl_addr_filter, &k);
    return w && ((*w >> (bit & 63)) & 1);
}

/// The longest prefix of the group containing the address, one hash probe per length, each
/// skipped when the quick-reject filter says the prefix is absent.
static __always_inline const struct tl_mask *addr_hash(__u32 set, __u32 dir, int v6,
                                                       const struct tl_addr_plan *plan, const __u32 *a)
{
    __u32 n = plan->count;
    __u32 fbase = TL_ADDR_FILTER_INDEX(set, dir, v6);
    if (!v6) {
        struct tl_addr4_key k = { .set = set, .dir = dir };
        __u32 h = bpf_ntohl(a[0]);
#pragma unroll
        for (int i = 0; i < TL_ADDR_HASH_LENGTHS; i++) {
            if ((__u32)i >= n)
                break;
            __u32 len = plan->len[i];
            __u32 x = h & prefix_word(len);
            if (!addr_filter_may_hold(fbase, tl_addr_filter_hash(x, 0, 0, 0, len)))
                continue;
            k.prefixlen = len;
            k.addr = bpf_htonl(x);
            const struct tl_mask *m = bpf_map_lookup_elem(&tl_addr4, &k);
            if (m)
                return m;
        }
        return 0;
    }
    struct tl_addr6_key k = { .set = set, .dir = dir };
    __u32 h0 = bpf_ntohl(a[0]), h1 = bpf_ntohl(a[1]), h2 = bpf_ntohl(a[2]), h3 = bpf_ntohl(a[3]);
#pragma unroll
    for (int i = 0; i < TL_ADDR_HASH_LENGTHS; i++) {
        if ((__u32)i >= n)
            break;
        __s32 len = plan->len[i];
        __u32 x0 = h0 & prefix_word(len), x1 = h1 & prefix_word(len - 32);
        __u32 x2 = h2 & prefix_word(len - 64), x3 = h3 & prefix_word(len - 96);
        if (!addr_filter_may_hold(fbase, tl_addr_filter_hash(x0, x1, x2, x3, len)))
            continue;
        k.prefixlen = len;
        k.addr[0] = bpf_htonl(x0);
        k.addr[1] = bpf_htonl(x1);
        k.addr[2] = bpf_htonl(x2);
        k.addr[3] = bpf_htonl(x3);
        const struct tl_mask *m = bpf_map_lookup_elem(&tl_addr6, &k);
        if (m)
            return m;
    }
    return 0;
}

static __always_inline const struct tl_mask *addr_mask(__u32 set, __u32 dir, const struct tl_set_info *si,
                                                       const struct pkt *p)
{
    __u32 fam = p->family == 4 ? 0 : p->family == 6 ? 1 : 2;
    const struct tl_mask *m = 0;
    if (fam < 2) {
        const struct tl_addr_plan *plan = &si->addr[dir][fam];
        __u32 mode = plan->mode;
        const __u32 *a = dir ? p->dst : p->src;
        if (mode == TL_ADDR_HASH) {
            m = addr_hash(set, dir, fam, plan, a);
        } else if (mode == TL_ADDR_LPM) {
            struct tl_lpm_key k = {};
            k.prefixlen = TL_LPM_HEADER_BITS + (fam ? 128 : 32);
            k.set = set;
            k.dir = dir;
            k.family = p->family;
            __builtin_memcpy(k.addr, a, 16);
            m = bpf_map_lookup_elem(&tl_addr, &k);
        }
    }
    if (m)
        return m;
    __u32 b = TL_ADDR_BASE_INDEX(set, dir, fam);
    return bpf_map_lookup_elem(&tl_addr_base, &b);
}

/// Writes the metadata; returns 0 on success. Invalidates all packet pointers.
static __always_inline int write_meta(struct xdp_md *ctx, __u64 hash, __u32 rule, __u32 action, __u8 flags)
{
    if (!tl_cfg.write_meta)
        return 0;
    if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct tl_xdp_meta)))
        return -1;
    void *data = (void *)(long)ctx->data;
    struct tl_xdp_meta *m = (void *)(long)ctx->data_meta;
    if ((void *)(m + 1) > data)
        return -1;
    m->flow_hash = hash;
    m->rule = rule;
    m->action = action;
    m->flags = flags;
    m->magic = TL_META_MAGIC;
    return 0;
}

static __always_inline int verdict(struct xdp_md *ctx, __u32 action, __u32 sample_n, __u64 hash,
                                   __u32 rule, __u8 flags, __u64 bytes)
{
    if (action == TL_ACTION_SAMPLE) {
        // Sampling uses the high half: workers are chosen by the hash modulo their count.
        if (sample_n <= 1 || ((hash >> 32) % sample_n) == 0) {
            count(TL_CNT_SAMPLE_KEPT, bytes);
            action = TL_ACTION_CAPTURE;
        } else {
            count(TL_CNT_SAMPLE_DROPPED, bytes);
            action = TL_ACTION_DROP;
        }
    }
    if (action == TL_ACTION_DROP) {
        count(TL_CNT_DROP, bytes);
        return XDP_DROP;
    }
    if (write_meta(ctx, hash, rule, action, flags))
        count(TL_CNT_META_FAIL, bytes);
    if (action == TL_ACTION_CAPTURE) {
        int r = bpf_redirect_map(&tl_xsks, ctx->rx_queue_index, tl_cfg.redirect_fallback);
        if (r == XDP_REDIRECT) {
            count(TL_CNT_CAPTURE, bytes);
            return XDP_REDIRECT;
        }
        count(TL_CNT_REDIRECT_FAIL, bytes);
        count(r == XDP_DROP ? TL_CNT_DROP : TL_CNT_PASS, bytes);
        return r == XDP_DROP ? XDP_DROP : XDP_PASS;
    }
    count(TL_CNT_PASS, bytes);
    return XDP_PASS;
}

SEC("xdp")
int tapline_prefilter(struct xdp_md *ctx)
{
    __u64 bytes = ctx->data_end - ctx->data;
    // No "seen" counter: every frame ends in exactly one of drop, pass, capture, so userspace
    // adds those three (one counter update less per frame).

    struct pkt p = {};
    if (parse(ctx, &p) != PARSE_OK) {
        count(TL_CNT_PARSE_ERROR, bytes);
        __u32 a = tl_cfg.malformed_action;
        return verdict(ctx, a == TL_ACTION_SAMPLE ? TL_ACTION_CAPTURE : a, 0, 0, TL_MAX_RULES + 1,
                       p.flags, bytes);
    }
    if (p.flags & TL_META_FRAGMENT)
        count(TL_CNT_FRAGMENT, bytes);

    __u32 zero = 0;
    struct tl_control *ctl = bpf_map_lookup_elem(&tl_control, &zero);
    if (!ctl)
        return XDP_PASS;
    // Read the set once: every lookup below uses the same rule set (atomic reload).
    __u32 set = READ_ONCE(ctl->active_set) & 1;

    if (p.family) {
        if (READ_ONCE(ctl->shunts_enabled) && shunted(&p, bytes)) {
            count(TL_CNT_SHUNTED, bytes);
            count(TL_CNT_DROP, bytes);
            return XDP_DROP;
        }
    } else {
        count(TL_CNT_NON_IP, bytes);
    }

    struct tl_set_info *si = bpf_map_lookup_elem(&tl_set_info, &set);
    if (!si)
        return XDP_PASS;
    // Fields no rule constrains are skipped: every rule of the set would be in their mask.
    __u32 fields = si->fields;
    // Start from the set's existing rules (bits past the last rule clear), so no field looked up
    // still leaves only real rules.
    struct tl_mask m = si->rules;
    if (fields & TL_FIELD_SRC)
        and_mask(&m, addr_mask(set, 0, si, &p));
    if (fields & TL_FIELD_DST)
        and_mask(&m, addr_mask(set, 1, si, &p));
    // Absent fields (non-IP, no ports) have a slot of their own: one map per lookup site.
    __u32 k;
    if (fields & TL_FIELD_PROTO) {
        k = set * TL_PROTO_SLOTS + (p.family ? p.proto : TL_PROTO_NONE);
        and_mask(&m, bpf_map_lookup_elem(&tl_proto, &k));
    }
    int ports = p.flags & TL_META_HAS_PORTS;
    if (fields & TL_FIELD_SPORT) {
        k = set * TL_PORT_SLOTS + (ports ? p.sport : TL_PORT_NONE);
        and_mask(&m, bpf_map_lookup_elem(&tl_sport, &k));
    }
    if (fields & TL_FIELD_DPORT) {
        k = set * TL_PORT_SLOTS + (ports ? p.dport : TL_PORT_NONE);
        and_mask(&m, bpf_map_lookup_elem(&tl_dport, &k));
    }
    if (fields & TL_FIELD_VLAN) {
        k = set * TL_VLAN_SLOTS + p.vlan;
        and_mask(&m, bpf_map_lookup_elem(&tl_vlan, &k));
    }
    __u32 rule = TL_MAX_RULES;
#pragma unroll
    for (int i = 0; i < TL_MASK_WORDS; i++) {
        if (m.w[i]) {
            rule = i * 64 + lowest_bit(m.w[i]);
            break;
        }
    }

    __u32 action, sample_n;
    if (rule < TL_MAX_RULES) {
        k = set * TL_MAX_RULES + rule;
        struct tl_rule *r = bpf_map_lookup_elem(&tl_rules, &k);
        if (!r)
            return XDP_PASS;
        action = r->action;
        sample_n = r->sample_n;
    } else {
        action = si->default_action;
        sample_n = si->default_sample_n;
    }
    count(TL_CNT_RULE_BASE + set * TL_RULE_SLOTS + rule, bytes);
    // The hash only matters to sampling and to the metadata of frames that go on.
    __u64 hash = 0;
    if (p.family && action != TL_ACTION_DROP)
        hash = flow_hash(&p);
    return verdict(ctx, action, sample_n, hash, rule, p.flags, bytes);
}
