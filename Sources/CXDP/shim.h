// libxdp and libbpf, as installed by libxdp-dev and libbpf-dev.
#include <xdp/libxdp.h>
#include <xdp/xsk.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>

// Small inline helpers for the AF_XDP socket options whose constants are not all in glibc's headers.

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef SO_BUSY_POLL
#define SO_BUSY_POLL 46
#endif
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

/// XDP_STATISTICS of an AF_XDP socket. Returns 0 or an errno value.
static inline int tapline_xsk_statistics(int fd, struct xdp_statistics *out) {
    socklen_t len = sizeof *out;
    return getsockopt(fd, SOL_XDP, XDP_STATISTICS, out, &len) == 0 ? 0 : errno;
}

/// Busy polling on an AF_XDP socket: SO_PREFER_BUSY_POLL, SO_BUSY_POLL (µs), SO_BUSY_POLL_BUDGET.
/// Returns 0 or the errno value of the first option the kernel refused.
static inline int tapline_xsk_busy_poll(int fd, int usecs, int budget) {
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof one) != 0) return errno;
    if (setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof usecs) != 0) return errno;
    if (setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof budget) != 0) return errno;
    return 0;
}

/// Whether the socket was bound in zero-copy mode (XDP_OPTIONS). Returns 1, 0, or -errno.
static inline int tapline_xsk_is_zerocopy(int fd) {
    struct xdp_options opts;
    socklen_t len = sizeof opts;
    if (getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len) != 0) return -errno;
    return (opts.flags & XDP_OPTIONS_ZEROCOPY) ? 1 : 0;
}

/// Kicks the kernel to process the fill or RX ring after need_wakeup was seen (non-blocking).
static inline void tapline_xsk_wake_rx(int fd) {
    recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

/// Kicks the kernel to transmit what is on the TX ring. Returns 0 or an errno value
/// (EAGAIN, EBUSY and ENOBUFS mean: try again after completions).
static inline int tapline_xsk_kick_tx(int fd) {
    return sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0 ? 0 : errno;
}

#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

/// Frames one sendto() may transmit in copy mode (XDP_MAX_TX_SKB_BUDGET, Linux 6.17+; the
/// default is 32). Returns 0 or an errno value (ENOPROTOOPT on older kernels).
static inline int tapline_xsk_tx_budget(int fd, int frames) {
    return setsockopt(fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &frames, sizeof frames) == 0 ? 0 : errno;
}

/// Waits up to `timeout_ms` for the socket to have something to receive. Returns poll's result.
static inline int tapline_xsk_poll_rx(int fd, int timeout_ms) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, timeout_ms);
}
