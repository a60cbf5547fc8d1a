#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include "CShims.h"

int tapline_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int tapline_current_cpu(void) { return sched_getcpu(); }

int tapline_allowed_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

int tapline_cpu_allowed(int cpu) {
    cpu_set_t set;
    if (cpu < 0 || cpu >= CPU_SETSIZE) return 0;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
    return CPU_ISSET(cpu, &set) ? 1 : 0;
}

int tapline_set_thread_name(const char *name) {
    char buf[16];
    int i = 0;
    for (; i < 15 && name[i]; i++) buf[i] = name[i];
    buf[i] = 0;
    return pthread_setname_np(pthread_self(), buf);
}

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <stdint.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>

int tapline_ethtool_channels(const char *ifname, unsigned *rx, unsigned *tx, unsigned *combined,
                             unsigned *max_rx, unsigned *max_combined) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    struct ethtool_channels ch;
    memset(&ch, 0, sizeof ch);
    ch.cmd = ETHTOOL_GCHANNELS;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    ifr.ifr_data = (void *)&ch;
    int rc = ioctl(fd, SIOCETHTOOL, &ifr) == 0 ? 0 : errno;
    close(fd);
    if (rc != 0) return rc;
    *rx = ch.rx_count;
    *tx = ch.tx_count;
    *combined = ch.combined_count;
    *max_rx = ch.max_rx;
    *max_combined = ch.max_combined;
    return 0;
}

int tapline_ethtool_stat_sum(const char *ifname, const char *suffix, unsigned long long *sum) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    // struct ethtool_sset_info ends in a flexible array: one count follows it here.
    uint64_t sset_buf[(sizeof(struct ethtool_sset_info) + sizeof(uint32_t) + 7) / 8];
    memset(sset_buf, 0, sizeof sset_buf);
    struct ethtool_sset_info *sset = (struct ethtool_sset_info *)sset_buf;
    sset->cmd = ETHTOOL_GSSET_INFO;
    sset->sset_mask = 1ULL << ETH_SS_STATS;
    ifr.ifr_data = (void *)sset;
    if (ioctl(fd, SIOCETHTOOL, &ifr) != 0) { int e = errno; close(fd); return e; }
    uint32_t n = (sset->sset_mask & (1ULL << ETH_SS_STATS)) ? sset->data[0] : 0;
    if (n == 0 || n > 65536) { close(fd); return ENOENT; }
    struct ethtool_gstrings *names = calloc(1, sizeof *names + (size_t)n * ETH_GSTRING_LEN);
    struct ethtool_stats *values = calloc(1, sizeof *values + (size_t)n * sizeof(uint64_t));
    int rc = 0;
    if (!names || !values) { rc = ENOMEM; goto done; }
    names->cmd = ETHTOOL_GSTRINGS;
    names->string_set = ETH_SS_STATS;
    names->len = n;
    ifr.ifr_data = (void *)names;
    if (ioctl(fd, SIOCETHTOOL, &ifr) != 0) { rc = errno; goto done; }
    values->cmd = ETHTOOL_GSTATS;
    values->n_stats = n;
    ifr.ifr_data = (void *)values;
    if (ioctl(fd, SIOCETHTOOL, &ifr) != 0) { rc = errno; goto done; }
    size_t sl = strlen(suffix);
    unsigned long long total = 0;
    int found = 0;
    for (uint32_t i = 0; i < n && i < names->len && i < values->n_stats; i++) {
        char name[ETH_GSTRING_LEN + 1];
        memcpy(name, names->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
        name[ETH_GSTRING_LEN] = 0;
        size_t l = strlen(name);
        if (l >= sl && strcmp(name + l - sl, suffix) == 0) { total += values->data[i]; found = 1; }
    }
    if (found) *sum = total; else rc = ENOENT;
done:
    free(names);
    free(values);
    close(fd);
    return rc;
}

int tapline_interface_mtu(const char *ifname) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    int rc = ioctl(fd, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : -errno;
    close(fd);
    return rc;
}

int tapline_enter_netns(const char *netns_path) {
    int fd = open(netns_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int rc = setns(fd, CLONE_NEWNET) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

/// The link statistics getifaddrs gives for `ifname` (copied to `out`). 0, ENODEV, or errno.
static int interface_link_stats(const char *ifname, struct rtnl_link_stats *out) {
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0) return errno;
    int rc = ENODEV;
    for (struct ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_PACKET || !a->ifa_data) continue;
        if (strcmp(a->ifa_name, ifname) != 0) continue;
        *out = *(const struct rtnl_link_stats *)a->ifa_data;
        rc = 0;
        break;
    }
    freeifaddrs(list);
    return rc;
}

int tapline_interface_rx_drops(const char *ifname, unsigned long long *dropped, unsigned long long *missed) {
    struct rtnl_link_stats st;
    int rc = interface_link_stats(ifname, &st);
    if (rc != 0) return rc;
    *dropped = st.rx_dropped;
    *missed = (unsigned long long)st.rx_missed_errors + st.rx_fifo_errors;
    return 0;
}

int tapline_interface_tx_drops(const char *ifname, unsigned *dropped, unsigned *errors) {
    struct rtnl_link_stats st;
    int rc = interface_link_stats(ifname, &st);
    if (rc != 0) return rc;
    *dropped = st.tx_dropped;
    *errors = st.tx_errors;
    return 0;
}
