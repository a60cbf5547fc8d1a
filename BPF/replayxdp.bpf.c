// SPDX-License-Identifier: GPL-2.0
// Tapline in-kernel replay generator: run by bpf_prog_test_run in live-frames mode
// (BPF_F_TEST_XDP_LIVE_FRAMES), each run turns the kernel's frame into the next frame of the
// capture file (kept in maps) and redirects it to the interface, which transmits it with its
// ndo_xdp_xmit: no socket, no skb, no system call per frame. Layouts live in replayxdp.h.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "replayxdp.h"

char LICENSE[] SEC("license") = "GPL";

volatile const struct tl_gen_config tl_gen_cfg = { .frames = 1, .ifindex = 0 };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1); // set to the file's frame count by the loader
    __type(key, __u32);
    __type(value, struct tl_gen_frame);
} tl_gen_frames SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1); // set to the chunk count by the loader
    __type(key, __u32);
    __type(value, struct tl_gen_chunk);
} tl_gen_chunks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct tl_gen_state);
} tl_gen_state SEC(".maps");

SEC("xdp")
int tapline_replay(struct xdp_md *ctx)
{
    __u32 zero = 0;
    struct tl_gen_state *st = bpf_map_lookup_elem(&tl_gen_state, &zero);
    if (!st)
        return XDP_ABORTED;
    __u32 frames = tl_gen_cfg.frames;
    if (frames == 0)
        return XDP_ABORTED;
    __u32 i = (__u32)(st->next % frames);
    st->next++;
    struct tl_gen_frame *f = bpf_map_lookup_elem(&tl_gen_frames, &i);
    if (!f)
        goto failed;
    __u32 c = f->chunk;
    struct tl_gen_chunk *chunk = bpf_map_lookup_elem(&tl_gen_chunks, &c);
    if (!chunk)
        goto failed;
    __u32 len = f->length;
    __u32 off = f->offset;
    if (len < 14 || len > TL_GEN_MAX_FRAME || off >= TL_GEN_CHUNK)
        goto failed;
    long have = (long)ctx->data_end - (long)ctx->data;
    if (have != (long)len && bpf_xdp_adjust_tail(ctx, (int)((long)len - have)))
        goto failed;
    if (bpf_xdp_store_bytes(ctx, 0, &chunk->bytes[off], len))
        goto failed;
    st->sent++;
    st->bytes += len;
    return bpf_redirect(tl_gen_cfg.ifindex, 0);
failed:
    st->failed++;
    return XDP_ABORTED;
}
