#ifndef TAPLINE_CSHIMS_H
#define TAPLINE_CSHIMS_H
// Calls that glibc hides from Swift unless _GNU_SOURCE is defined (see docs/ARCHITECTURE.md).

/// Pins the calling thread to one CPU. Returns 0 or an errno value.
int tapline_pin_current_thread(int cpu);
/// The CPU the calling thread runs on now, or -1.
int tapline_current_cpu(void);
/// Number of CPUs this process may run on (its affinity mask), or -1.
int tapline_allowed_cpu_count(void);
/// Whether CPU `cpu` is in this process's affinity mask.
int tapline_cpu_allowed(int cpu);

/// Names the calling thread (15 bytes kept) for top, perf and gdb. Returns 0 or an errno value.
int tapline_set_thread_name(const char *name);


/// An interface's channel counts from the ethtool channels ioctl (ETHTOOL_GCHANNELS), in the
/// calling thread's network namespace. Returns 0, or an errno value (EOPNOTSUPP when the driver
/// does not report channels). Combined channels carry both RX and TX.
int tapline_ethtool_channels(const char *ifname, unsigned *rx, unsigned *tx, unsigned *combined,
                             unsigned *max_rx, unsigned *max_combined);

/// The sum of an interface's ethtool statistics (ETHTOOL_GSTATS) whose names end with `suffix`,
/// e.g. "_xdp_xmit" over a veth's per-queue "tx_queue_N_xdp_xmit". Returns 0, ENOENT when no
/// statistic has that suffix, or the ioctl's errno value.
int tapline_ethtool_stat_sum(const char *ifname, const char *suffix, unsigned long long *sum);

/// An interface's MTU (SIOCGIFMTU, in the calling thread's network namespace), or -errno.
int tapline_interface_mtu(const char *ifname);

/// Joins the network namespace at `netns_path` (e.g. /run/netns/NAME) on the calling thread;
/// threads it creates afterwards start there too. Returns 0 or an errno value.
int tapline_enter_netns(const char *netns_path);

/// An interface's receive drop counters as its driver reports them (struct rtnl_link_stats from
/// getifaddrs, which works inside a network namespace where /sys shows another one): `dropped`
/// (rx_dropped) and `missed` (rx_missed_errors + rx_fifo_errors, the NIC ran out of buffers).
/// Returns 0, or ENODEV when the interface is not found.
int tapline_interface_rx_drops(const char *ifname, unsigned long long *dropped, unsigned long long *missed);

/// An interface's transmit drops and errors (getifaddrs, 32-bit counters that wrap: use deltas).
/// A veth counts there the frames it took but could not hand to its peer (the peer's queue full).
/// Returns 0, ENODEV, or getifaddrs' errno value.
int tapline_interface_tx_drops(const char *ifname, unsigned *dropped, unsigned *errors);

/// Starts loading the cache line holding `address` for reading (a hint: it never faults and changes
/// no result). Swift has no prefetch; the capture file reader issues it for the next record while
/// the current one is dissected, which would otherwise wait on memory at every record header.
static inline void tapline_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// A spin-wait hint (x86 PAUSE, Arm YIELD): the waiting loop leaves the core's resources to an SMT
/// sibling and does not flood the memory system with speculative loads of the word it watches.
static inline void tapline_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
