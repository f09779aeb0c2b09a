/* pcap.h: a small reader for classic pcap files (not pcapng) holding
 * Ethernet frames, enough to pull the VRRP adverts out of the golden
 * captures: IPv4 or IPv6 carrying protocol 112, optionally 802.1Q-tagged. */
#ifndef HAFD_TEST_PCAP_H
#define HAFD_TEST_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vrrp_pkt.h"

struct pcap_reader {
	uint8_t *owned;         /* file contents when read by pcap_open() */
	const uint8_t *data;
	size_t len;
	size_t off;             /* next record header */
	bool big_endian;        /* header fields are big-endian */
	bool nsec;              /* nanosecond timestamps (magic 0xa1b23c4d) */
	uint32_t linktype;
};

/* Read a whole file. Returns 0, or -1 with errno (EINVAL: not a classic
 * pcap file of Ethernet frames). */
int pcap_open(struct pcap_reader *r, const char *path);
/* The same over bytes the caller keeps alive. */
int pcap_open_mem(struct pcap_reader *r, const uint8_t *data, size_t len);
void pcap_close(struct pcap_reader *r);

/* Next protocol-112 packet: its VRRP payload (pointing into the file) and
 * what the IP header said. Other frames are skipped. Returns 1, 0 at the
 * end, or -1 on a truncated or malformed record. */
int pcap_next_vrrp(struct pcap_reader *r, const uint8_t **payload, size_t *len,
		   struct vrrp_pkt_info *info);

#endif
