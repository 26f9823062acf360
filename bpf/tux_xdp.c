// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tux_xdp: the XDP program of Tux for the JVM.
 *
 * It hands to the AF_XDP socket of the receive queue (tux_xsks, indexed by rx queue) only Tux packets:
 * Ethernet + IPv4 or IPv6 + UDP whose payload starts with the Tux magic 0x5458 (big-endian) and version 1,
 * and whose destination (address, UDP port) user space registered in tux_dests4 / tux_dests6.
 * Everything else (ARP, TCP, other UDP, Tux packets to unregistered destinations, fragments, packets of a
 * queue without a socket) is passed to the kernel untouched.
 *
 * User space finds a program it left behind (a crashed JVM) by the program name "tux_xdp" and learns from
 * tux_owner which process attached it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TUX_MAGIC 0x5458
#define TUX_VERSION 1
#define TUX_MAX_QUEUES 64
#define TUX_MAX_DESTS 4096

/* Destination key for IPv4: address and port in network byte order, pad zero. */
struct tux_dest4 {
	__u32 addr;
	__u16 port;
	__u16 pad;
};

/* Destination key for IPv6: address and port in network byte order, pad zero. */
struct tux_dest6 {
	__u8 addr[16];
	__u16 port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, TUX_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} tux_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TUX_MAX_DESTS);
	__type(key, struct tux_dest4);
	__type(value, __u32);
} tux_dests4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TUX_MAX_DESTS);
	__type(key, struct tux_dest6);
	__type(value, __u32);
} tux_dests6 SEC(".maps");

/* Key 0: pid of the process that attached this program (written by user space, read by user space). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tux_owner SEC(".maps");

/* True when the UDP payload at udp + 1 carries the Tux magic and version. */
static __always_inline int tux_payload(struct udphdr *udp, void *end)
{
	__u8 *p = (__u8 *)(udp + 1);

	if ((void *)(p + 3) > end)
		return 0;
	if (bpf_ntohs(udp->len) < sizeof(*udp) + 3)
		return 0;
	return p[0] == (TUX_MAGIC >> 8) && p[1] == (TUX_MAGIC & 0xff) && p[2] == TUX_VERSION;
}

SEC("xdp")
int tux_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u32 zero = 0;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		struct tux_dest4 key = {};
		__u32 ihl;

		if ((void *)(ip + 1) > end)
			return XDP_PASS;
		if (ip->version != 4 || ip->protocol != IPPROTO_UDP)
			return XDP_PASS;
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip))
			return XDP_PASS;
		/* A fragment (more fragments set or a non-zero offset) is the kernel's business. */
		if (ip->frag_off & bpf_htons(0x3fff))
			return XDP_PASS;
		udp = (void *)ip + ihl;
		if ((void *)(udp + 1) > end)
			return XDP_PASS;
		if (!tux_payload(udp, end))
			return XDP_PASS;
		key.addr = ip->daddr;
		key.port = udp->dest;
		if (!bpf_map_lookup_elem(&tux_dests4, &key))
			return XDP_PASS;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct tux_dest6 key = {};

		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		/* Extension headers are not followed: Tux sends plain UDP. */
		if (ip6->version != 6 || ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > end)
			return XDP_PASS;
		if (!tux_payload(udp, end))
			return XDP_PASS;
		__builtin_memcpy(key.addr, &ip6->daddr, sizeof(key.addr));
		key.port = udp->dest;
		if (!bpf_map_lookup_elem(&tux_dests6, &key))
			return XDP_PASS;
	} else {
		return XDP_PASS;
	}
	/*
	 * Referencing tux_owner puts it in the program's map list (bpf_prog_info.map_ids), where a later process
	 * finds the pid of the one that attached us; the verifier inlines this array lookup into a few loads.
	 */
	if (!bpf_map_lookup_elem(&tux_owner, &zero))
		return XDP_PASS;
	/* No socket on this queue: the lower bits of the flags are the action on a miss. */
	return bpf_redirect_map(&tux_xsks, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
