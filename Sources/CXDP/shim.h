// libxdp and libbpf, as installed by libxdp-dev and libbpf-dev.
#include <xdp/libxdp.h>
#include <xdp/xsk.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
