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

#endif
