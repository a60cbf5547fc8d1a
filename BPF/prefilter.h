// The one header shared by the XDP prefilter (BPF/prefilter.bpf.c) and its Swift loader
// (Sources/CPrefilter): map keys and values, flags, counter indices and the rule layout.
// Only fixed-width kernel types, so both clang -target bpf and the host compiler agree on layout.
#ifndef TAPLINE_PREFILTER_H
#define TAPLINE_PREFILTER_H

#include <linux/types.h>

// ---- limits (each a memory bound or a verifier bound) ----

/// Rules per rule set: 4 words of 64 bits of candidate bitmask.
#define TL_MAX_RULES 256
#define TL_MASK_WORDS 4
/// Two rule sets: the one in use and the one being written (atomic reload by an index flip).
#define TL_RULE_SETS 2
/// VLAN IDs 0..4095, plus one slot for frames without a tag.
#define TL_VLAN_SLOTS 4097
#define TL_VLAN_NONE 4096
/// At most two VLAN tags (802.1Q, 802.1ad QinQ) are parsed; a third is treated as payload.
#define TL_MAX_VLAN_TAGS 2
/// IPv6 extension headers walked before giving up (the verifier needs a bound; real chains are short).
#define TL_MAX_IPV6_EXT 6
/// Entries in the flow shunt table (LRU: the oldest shunt is evicted when full).
#define TL_SHUNT_ENTRIES 65536
/// Address prefixes of both directions, both families and both rule sets (a rule names at most
/// one source and one destination prefix; +16 for slack). Bounds the hash maps and the LPM trie.
#define TL_LPM_ENTRIES (TL_RULE_SETS * 2 * TL_MAX_RULES + 16)
/// Distinct prefix lengths of one (set, direction, family) looked up one hash probe each, longest
/// first; with more, that group's prefixes go to the LPM trie instead (one walk). Measured here: a
/// probe that finds its prefix ~12 ns, one the quick-reject filter skips ~2-5 ns, a trie walk
/// down to one of 255 /32s ~35-40 ns: four probes stay cheaper than the walk.
#define TL_ADDR_HASH_LENGTHS 4
/// Entries of the AF_XDP socket map (one per RX queue).
#define TL_XSK_ENTRIES 256

// ---- actions ----

enum tl_action {
    TL_ACTION_DROP = 0,    // XDP_DROP, counted
    TL_ACTION_PASS = 1,    // XDP_PASS to the kernel stack
    TL_ACTION_CAPTURE = 2, // XDP_REDIRECT into the AF_XDP socket of this RX queue
    TL_ACTION_SAMPLE = 3,  // capture 1 flow in N (by the symmetric hash), drop the rest
};

/// A rule's action (index: set * TL_MAX_RULES + rule).
struct tl_rule {
    __u32 action;    // enum tl_action
    __u32 sample_n;  // for TL_ACTION_SAMPLE: keep flows whose hash selects 1 in sample_n
};

/// A bitmask of candidate rules: bit r of word r / 64 is rule r.
struct tl_mask {
    __u64 w[TL_MASK_WORDS];
};

/// The control word (array map `tl_control`, key 0). `active_set` is flipped last on a reload.
struct tl_control {
    __u32 active_set;       // 0 or 1: the rule set every new packet uses
    __u32 generation;       // bumped on every reload, for `prefilter stats`
    __u32 shunts_enabled;   // 0: the shunt table is empty, skip its lookup (a hash per packet)
    __u32 _pad;
};

/// How the addresses of one (set, direction, family) are matched.
enum tl_addr_mode {
    TL_ADDR_BASE = 0, // no rule names a prefix of this family: the base mask alone, no lookup
    TL_ADDR_HASH = 1, // one hash probe per length in `len`, longest first; a miss: the base mask
    TL_ADDR_LPM = 2,  // more than TL_ADDR_HASH_LENGTHS lengths: one LPM trie walk (`tl_addr`)
};

struct tl_addr_plan {
    __u8 mode;                       // enum tl_addr_mode
    __u8 count;                      // lengths in `len` (TL_ADDR_HASH)
    __u8 len[TL_ADDR_HASH_LENGTHS];  // distinct prefix lengths > 0, longest first
    __u8 _pad[2];
};

/// Per rule set settings (array map `tl_set_info`, key: set).
struct tl_set_info {
    __u32 default_action;   // when no rule matches
    __u32 default_sample_n;
    __u32 rule_count;
    __u32 fields;           // TL_FIELD_*: fields some rule of the set constrains; others are not looked up
    struct tl_addr_plan addr[2][2]; // [direction: 0 source, 1 destination][family: 0 IPv4, 1 IPv6]
    struct tl_mask rules;           // bit r set for every rule r < rule_count: where matching starts
};

#define TL_FIELD_SRC 0x01
#define TL_FIELD_DST 0x02
#define TL_FIELD_PROTO 0x04
#define TL_FIELD_SPORT 0x08
#define TL_FIELD_DPORT 0x10
#define TL_FIELD_VLAN 0x20

/// Per set, one slot per value of a field plus one for frames without that field (non-IP, no
/// ports): the rules that leave the field open. Every lookup site then names exactly one map, so
/// the verifier inlines every array lookup (a call site shared by two maps goes through the
/// generic bpf_map_lookup_elem and an indirect call, ~20 ns each here).
#define TL_PROTO_SLOTS 257
#define TL_PROTO_NONE 256
#define TL_PORT_SLOTS 65537
#define TL_PORT_NONE 65536

/// Key of the prefix hashes `tl_addr4` and `tl_addr6`: the address with the bits past
/// `prefixlen` cleared (network order). The mask found is that of the longest prefix, as in the trie.
struct tl_addr4_key {
    __u8 set;
    __u8 dir;       // 0 = source, 1 = destination
    __u8 prefixlen; // 1..32
    __u8 zero;
    __u32 addr;
};

struct tl_addr6_key {
    __u8 set;
    __u8 dir;
    __u8 prefixlen; // 1..128
    __u8 zero;
    __u32 addr[4];
};

/// The quick-reject filter of a TL_ADDR_HASH group (array `tl_addr_filter` of 64-bit words): each
/// prefix sets bit `tl_addr_filter_hash(...) >> 16`; a probe whose bit is clear skips its hash
/// lookup (most addresses miss). 65,536 bits a group: with at most 256 prefixes, fewer than 0.4 %
/// of missing probes still do the lookup. 8 KiB a group, 64 KiB in all.
#define TL_ADDR_FILTER_WORDS 1024
#define TL_ADDR_FILTER_INDEX(set, dir, v6) ((((set) * 2 + (dir)) * 2 + (v6)) * TL_ADDR_FILTER_WORDS)

/// The filter's hash of a prefix: its masked address words in host order (IPv4: a0 only, the rest
/// 0) and its length. PrefilterProgram computes the same (CompiledRuleSet.filterHash).
static inline __u32 tl_addr_filter_hash(__u32 a0, __u32 a1, __u32 a2, __u32 a3, __u32 len)
{
    __u32 h = a0 * 0x9E3779B1u ^ a1 * 0x85EBCA77u ^ a2 * 0xC2B2AE3Du ^ a3 * 0x27D4EB2Fu ^ len * 0x165667B1u;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    return h;
}

/// Index of `tl_addr_base` (family slot 0 IPv4, 1 IPv6, 2 non-IP): the mask of an address no
/// prefix of its group contains (the rules that leave the field open, and those with a /0 of the
/// family); for non-IP frames, the open rules only.
#define TL_ADDR_FAMILY_SLOTS 3
#define TL_ADDR_BASE_INDEX(set, dir, fam) (((set) * 2 + (dir)) * TL_ADDR_FAMILY_SLOTS + (fam))

/// LPM trie key over both directions, families and sets. prefixlen counts the 32 bits of
/// set, dir, family and a zero byte before the address, so one trie holds every prefix; the
/// zero byte keeps the address 4-byte aligned (the program writes it a word at a time).
struct tl_lpm_key {
    __u32 prefixlen;
    __u8 set;
    __u8 dir;      // 0 = source, 1 = destination
    __u8 family;   // 4 or 6
    __u8 zero;
    __u32 addr[4]; // network order; IPv4 uses addr[0]
};
#define TL_LPM_HEADER_BITS 32

// ---- flow shunting ----

/// A flow in canonical order: the lower (address, port) endpoint first, as FlowKey.make does.
struct tl_flow_key {
    __u32 addr_lo[4];  // network order; IPv4 in addr_lo[0], the rest zero
    __u32 addr_hi[4];
    __u16 port_lo;     // host order
    __u16 port_hi;
    __u16 vlan;        // outer VLAN ID, TL_VLAN_NONE when untagged
    __u8 proto;
    __u8 family;       // 4 or 6
};

/// What the program counted for a shunted flow; userspace sets `expires_ns` (CLOCK_MONOTONIC,
/// bpf_ktime_get_ns). An expired entry is ignored and deleted by the program on the next packet.
struct tl_shunt_value {
    __u64 packets;     // both directions
    __u64 bytes;
    __u64 last_ns;
    __u64 expires_ns;
    __u64 packets_lo;  // of which sent by the lower endpoint (addr_lo, port_lo)
    __u64 bytes_lo;
    __u64 ip_bytes;    // IP total lengths, both directions and from the lower endpoint
    __u64 ip_bytes_lo;
};

// ---- counters (per-CPU array `tl_counters` of struct tl_counter) ----

struct tl_counter {
    __u64 packets;
    __u64 bytes;
};

/// Per-rule slots: TL_CNT_RULE_BASE + set * TL_RULE_SLOTS + rule; slot TL_MAX_RULES is the default.
#define TL_RULE_SLOTS (TL_MAX_RULES + 1)
#define TL_CNT_RULE_BASE 0
#define TL_CNT_GLOBAL_BASE (TL_RULE_SETS * TL_RULE_SLOTS)

enum tl_counter_index {
    TL_CNT_SEEN = TL_CNT_GLOBAL_BASE, // unused by the program: seen = drop + pass + capture
    TL_CNT_DROP,          // verdict XDP_DROP (rule, default, shunt, malformed, sample, fallback)
    TL_CNT_PASS,          // verdict XDP_PASS by rule or default
    TL_CNT_CAPTURE,       // redirected into an AF_XDP socket
    TL_CNT_SAMPLE_KEPT,   // sample N: flow selected, then captured
    TL_CNT_SAMPLE_DROPPED,// sample N: flow not selected, dropped
    TL_CNT_SHUNTED,       // dropped because the flow is shunted
    TL_CNT_PARSE_ERROR,   // truncated or malformed frames
    TL_CNT_REDIRECT_FAIL, // capture wanted but no socket on this queue (fallback verdict)
    TL_CNT_META_FAIL,     // bpf_xdp_adjust_meta refused (hash not written)
    TL_CNT_NON_IP,        // frames that are neither IPv4 nor IPv6 (still go through the rules)
    TL_CNT_FRAGMENT,      // IP fragments (non-first ones have no ports)
    TL_CNT_END,
};
#define TL_COUNTER_SLOTS (TL_CNT_END)

// ---- load-time configuration ----

/// The program's only read-only data (`.rodata`), written by the loader before load: the loader
/// checks that `.rodata` is exactly this size, so nothing else may live there.
struct tl_config {
    __u32 malformed_action;   // enum tl_action for truncated or malformed frames (sample = capture)
    __u32 redirect_fallback;  // XDP_PASS (2) or XDP_DROP (1) when capture finds no AF_XDP socket
    __u32 write_meta;         // 1: write struct tl_xdp_meta in front of passed and captured frames
    __u32 _pad;
};

// ---- XDP metadata (written in front of the frame with bpf_xdp_adjust_meta) ----

/// What userspace finds in the metadata area of a captured or passed frame.
struct tl_xdp_meta {
    __u64 flow_hash;  // FlowHash.symmetric(src, dst, proto); 0 for non-IP frames
    __u16 rule;       // matched rule, TL_MAX_RULES for the default action
    __u8 action;      // enum tl_action that decided
    __u8 flags;       // TL_META_*
    __u32 magic;      // TL_META_MAGIC: tells a tapline prefilter wrote it
};
#define TL_META_MAGIC 0x544c4d31u /* "TLM1" */
#define TL_META_IPV6 0x01
#define TL_META_FRAGMENT 0x02
#define TL_META_HAS_PORTS 0x04

#endif
