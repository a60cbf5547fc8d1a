#define _GNU_SOURCE
#include "CPrefilter.h"
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct netns_job {
    const char *path;
    void (*body)(void *);
    void *context;
    int error;
};

static void *netns_thread(void *arg)
{
    struct netns_job *job = arg;
    int fd = open(job->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        job->error = errno;
        return NULL;
    }
    // setns changes only this thread's namespace: the thread ends with the job.
    if (setns(fd, CLONE_NEWNET) != 0) {
        job->error = errno;
        close(fd);
        return NULL;
    }
    close(fd);
    job->body(job->context);
    return NULL;
}

int tapline_run_in_netns(const char *netns_path, void (*body)(void *), void *context)
{
    struct netns_job job = { netns_path, body, context, 0 };
    pthread_t t;
    int rc = pthread_create(&t, NULL, netns_thread, &job);
    if (rc != 0)
        return rc;
    pthread_join(t, NULL);
    return job.error;
}

struct send_job {
    const char *ifname;
    const uint8_t *frames;
    const uint32_t *lengths;
    uint32_t count;
    int result;
    int cpu; /* >= 0: pin the sending thread there and bypass the qdisc */
};

static void send_body(void *arg)
{
    struct send_job *job = arg;
    unsigned ifindex = if_nametoindex(job->ifname);
    if (ifindex == 0) {
        job->result = -errno;
        return;
    }
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        job->result = -errno;
        return;
    }
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = (int)ifindex;
    sll.sll_halen = ETH_ALEN;
    if (job->cpu >= 0) {
        /* With the qdisc bypassed, the kernel picks the TX queue as (CPU % TX queues), and a
           veth delivers on the peer's RX queue of the same number. */
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(job->cpu, &set);
        int one = 1;
        if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0 ||
            setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0) {
            job->result = -errno;
            close(fd);
            return;
        }
    }
    const uint8_t *p = job->frames;
    uint32_t sent = 0;
    for (uint32_t i = 0; i < job->count; i++) {
        ssize_t n;
        do {
            n = sendto(fd, p, job->lengths[i], 0, (struct sockaddr *)&sll, sizeof(sll));
        } while (n < 0 && (errno == EINTR || errno == ENOBUFS || errno == EAGAIN));
        if (n < 0) {
            job->result = -errno;
            close(fd);
            return;
        }
        p += job->lengths[i];
        sent++;
    }
    close(fd);
    job->result = (int)sent;
}

int tapline_netns_send_frames(const char *netns_path, const char *ifname, const uint8_t *frames,
                              const uint32_t *lengths, uint32_t count)
{
    return tapline_netns_send_frames_on_cpu(netns_path, ifname, frames, lengths, count, -1);
}

int tapline_netns_send_frames_on_cpu(const char *netns_path, const char *ifname, const uint8_t *frames,
                                     const uint32_t *lengths, uint32_t count, int cpu)
{
    struct send_job job = { ifname, frames, lengths, count, 0, cpu };
    int rc = tapline_run_in_netns(netns_path, send_body, &job);
    if (rc != 0)
        return -rc;
    return job.result;
}

int tapline_packet_socket(const char *ifname)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0)
        return -errno;
    int size = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)if_nametoindex(ifname);
    if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
        int e = sll.sll_ifindex == 0 ? ENODEV : errno;
        close(fd);
        return -e;
    }
    return fd;
}

int tapline_packet_receive(int fd, uint8_t *buffer, uint32_t capacity)
{
    for (;;) {
        struct sockaddr_ll from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, buffer, capacity, 0, (struct sockaddr *)&from, &len);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
        if (from.sll_pkttype != PACKET_OUTGOING)
            return (int)n;
    }
}
