#!/usr/bin/env bash
# Installs the Debian packages Tapline needs to build, test and benchmark. Idempotent: installs
# only what is missing. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  pkg-config        # module maps find libxdp/libbpf/libnuma through it
  libxdp-dev        # AF_XDP sockets and XDP program loading
  libbpf-dev        # BPF maps and programs (libxdp links it)
  libnuma-dev       # UMEM on the NIC's NUMA node
  iproute2          # network namespaces and veth labs
  tcpdump           # the libpcap read floor in benchmarks
  softflowd         # a flow meter to compare against in benchmarks
  tcpreplay         # the replay rate tapline replay is compared with (Scripts/bench.sh --live)
  linux-perf        # perf stat cache misses for the scaling model, where the machine has counters
  tshark            # reference dissector for corpus checks; decodes exported IPFIX (cflow)
  nfdump            # nfcapd/nfdump: a real IPFIX collector for the interoperability tests
  util-linux        # mount/umount of the small tmpfs in the disk-full test
  valgrind          # instruction counts (callgrind) in benchmarks
  binutils          # objcopy: valgrind reads binaries without DWARF 5 debug info
  python3           # test helpers: JSON Schema validation, corpus comparison
  python3-jsonschema
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "setup: these packages are missing and installing them needs root: ${missing[*]}" >&2
    echo "setup: run this script as root, or install them with apt-get" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# Updating the package lists can fail offline; the install below says what is really missing.
$SUDO apt-get update -qq || echo "setup: apt-get update failed; trying with the current package lists" >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
