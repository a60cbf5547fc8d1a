#ifndef TAPLINE_CPREFILTER_H
#define TAPLINE_CPREFILTER_H
// The BPF programs' shared map layouts (BPF/prefilter.h, BPF/replayxdp.h) for Swift, and the two calls that need
// _GNU_SOURCE (setns) to run work inside a network namespace on a thread of their own.
#include <stdint.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include "../../../BPF/prefilter.h"
#include "../../../BPF/replayxdp.h"

/// Runs `body(context)` on a new pthread that first joins the network namespace at `netns_path`
/// (e.g. /run/netns/NAME), then joins it. Returns 0, or an errno value if the thread or setns failed.
int tapline_run_in_netns(const char *netns_path, void (*body)(void *context), void *context);

/// Sends `count` raw Ethernet frames (concatenated in `frames`, sizes in `lengths`) out of
/// `ifname` through an AF_PACKET socket opened inside the namespace at `netns_path`.
/// Returns the number of frames sent, or a negative errno value.
int tapline_netns_send_frames(const char *netns_path, const char *ifname, const uint8_t *frames,
                              const uint32_t *lengths, uint32_t count);

/// Like tapline_netns_send_frames, from a thread pinned to `cpu` with the qdisc bypassed, so
/// every frame leaves on TX queue (cpu % TX queues) — on a veth, the peer's RX queue of that
/// number. `cpu` < 0 sends as tapline_netns_send_frames does.
int tapline_netns_send_frames_on_cpu(const char *netns_path, const char *ifname, const uint8_t *frames,
                                     const uint32_t *lengths, uint32_t count, int cpu);

/// An AF_PACKET socket bound to `ifname` (in the calling thread's namespace) receiving every
/// frame, with an 8 MiB buffer and a 300 ms receive timeout. Returns the descriptor or -errno.
int tapline_packet_socket(const char *ifname);

/// The next frame arriving on a tapline_packet_socket (frames it sends are skipped): its length,
/// 0 when none came within the timeout, or -errno.
int tapline_packet_receive(int fd, uint8_t *buffer, uint32_t capacity);

#endif
