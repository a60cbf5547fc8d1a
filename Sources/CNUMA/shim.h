// libnuma, as installed by libnuma-dev.
#include <numa.h>
