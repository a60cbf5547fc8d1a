// SPDX-License-Identifier: GPL-2.0
// Layouts of the in-kernel replay generator (replayxdp.bpf.c), shared with Swift (Sources/CPrefilter).
#ifndef TAPLINE_REPLAYXDP_H
#define TAPLINE_REPLAYXDP_H

#include <linux/types.h>

// Frames are packed back to back into chunks; a frame starts below TL_GEN_CHUNK within its chunk
// and may run into the chunk's tail slack (TL_GEN_MAX_FRAME), so no frame is ever split.
#define TL_GEN_CHUNK 65536u
// The longest frame: a live test-run frame lives in one page after XDP_PACKET_HEADROOM (256) and
// before the skb_shared_info tail (320 on x86_64), so 4096 - 576.
#define TL_GEN_MAX_FRAME 3520u
#define TL_GEN_CHUNK_BYTES (TL_GEN_CHUNK + TL_GEN_MAX_FRAME)

// One frame of the file: which chunk, where in it, how long.
struct tl_gen_frame {
    __u32 chunk;
    __u16 offset;
    __u16 length;
};

struct tl_gen_chunk {
    __u8 bytes[TL_GEN_CHUNK_BYTES];
};

// Load-time configuration (rodata).
struct tl_gen_config {
    __u32 frames;    // frames in tl_gen_frames (> 0)
    __u32 ifindex;   // the interface every frame is redirected to
};

// Run-time state and counts (one entry, one sending thread).
struct tl_gen_state {
    __u64 next;      // index of the next frame to send, counting over every pass
    __u64 sent;      // frames handed to bpf_redirect
    __u64 bytes;     // their bytes
    __u64 failed;    // frames the program could not build (XDP_ABORTED): must stay 0
};

#endif
