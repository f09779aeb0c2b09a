/* hafd-probe: measures the outage a client sees during a failover.
 *
 *   hafd-probe serve PORT NAME
 *       answer every UDP datagram on PORT with "NAME SEQ", from the address
 *       it was sent to (so replies come from the VIP).
 *   hafd-probe watch ADDR PORT [-i INTERVAL_US] [-t MAX_SECS] [-s SETTLE_MS] [-o RAW] [-A]
 *       send a probe to ADDR every INTERVAL_US (default 1000) and record who
 *       answers. Stops SETTLE_MS (default 500) after the answering node
 *       changed, or after MAX_SECS (default 30). Prints one line:
 *         outage_ms=12.345 from=n1 to=n2 sent=N answered=N
 *       where the outage is the gap between the last answer from the old
 *       node and the first from the new one; or "outage_ms=none from=n1"
 *       when nothing changed. With -o, writes "seq reply_us node" rows,
 *       reply_us from the start, or with -A CLOCK_MONOTONIC's (the same
 *       in every namespace: probes from two clients compare).
 *   hafd-probe ready ADDR PORT [-t SECS]
 *       exit 0 as soon as anything answers (for scripts).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NAME_MAX_LEN 32

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int parse_target(const char *addr, const char *port, struct sockaddr_storage *ss,
			socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		*len = sizeof(*s6);
		return 0;
	}
	fprintf(stderr, "hafd-probe: bad address %s\n", addr);
	return -1;
}

/* Reply from the address the request was sent to: the VIP. */
static int serve(const char *port, const char *name)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(port)) };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), on = 1, off = 0;

	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
		perror("hafd-probe serve");
		return 1;
	}
	for (;;) {
		char buf[64], out[96], cbuf[256];
		struct sockaddr_in6 from;
		struct iovec iov = { buf, sizeof(buf) - 1 };
		struct msghdr mh = { &from, sizeof(from), &iov, 1, cbuf, sizeof(cbuf), 0 };
		ssize_t n = recvmsg(fd, &mh, 0);
		struct cmsghdr *c;
		struct in6_pktinfo pi6 = { 0 };

		if (n < 0)
			continue;
		buf[n] = '\0';
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
				memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
		}
		snprintf(out, sizeof(out), "%s %s", name, buf);
		iov.iov_base = out;
		iov.iov_len = strlen(out);
		/* IPV6_PKTINFO also covers v4-mapped senders on a dual socket. */
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi6));
		pi6.ipi6_ifindex = 0;
		memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
		mh.msg_controllen = CMSG_SPACE(sizeof(pi6));
		sendmsg(fd, &mh, 0);
	}
}

struct watch {
	char first[NAME_MAX_LEN], cur[NAME_MAX_LEN], to[NAME_MAX_LEN];
	uint64_t last_old_us, first_new_us, switched_us;
	unsigned long sent, answered;
	FILE *raw;
	uint64_t t0;            /* subtracted from the times in RAW */
};

static void on_reply(struct watch *w, const char *msg)
{
	char name[NAME_MAX_LEN];
	unsigned long long seq;
	uint64_t t = now_us();

	if (sscanf(msg, "%31s %llu", name, &seq) != 2)
		return;
	w->answered++;
	if (w->raw)
		fprintf(w->raw, "%llu %llu %s\n", seq, (unsigned long long)(t - w->t0), name);
	if (!w->first[0]) {
		snprintf(w->first, sizeof(w->first), "%s", name);
		snprintf(w->cur, sizeof(w->cur), "%s", name);
	}
	if (!strcmp(name, w->first) && !w->switched_us) {
		w->last_old_us = t;
	} else if (strcmp(name, w->first) && !w->switched_us) {
		snprintf(w->to, sizeof(w->to), "%s", name);
		w->first_new_us = t;
		w->switched_us = t;
	}
}

static void drain(int fd, struct watch *w)
{
	char buf[128];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		on_reply(w, buf);
	}
}

static int watch(int argc, char **argv, int ready_only)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	long interval = 1000, settle_ms = 500;
	double max_s = ready_only ? 10 : 30;
	const char *rawpath = NULL;
	struct watch w = { 0 };
	int fd, opt, absolute = 0;
	uint64_t next, end;

	if (argc < 3 || parse_target(argv[1], argv[2], &ss, &sl) < 0)
		return 2;
	optind = 3;
	while ((opt = getopt(argc, argv, "i:t:s:o:A")) != -1) {
		switch (opt) {
		case 'i': interval = atol(optarg); break;
		case 't': max_s = atof(optarg); break;
		case 's': settle_ms = atol(optarg); break;
		case 'o': rawpath = optarg; break;
		case 'A': absolute = 1; break;
		default: return 2;
		}
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || (rawpath && !(w.raw = fopen(rawpath, "w")))) {
		perror("hafd-probe");
		return 2;
	}
	w.t0 = next = now_us();
	end = w.t0 + (uint64_t)(max_s * 1e6);
	if (absolute)
		w.t0 = 0;
	while (now_us() < end) {
		char msg[32];
		int len = snprintf(msg, sizeof(msg), "%lu", w.sent++);

		sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&ss, sl);
		next += (uint64_t)interval;
		/* Wait for replies until the next send is due. */
		for (uint64_t t = now_us(); t < next; t = now_us()) {
			struct pollfd p = { fd, POLLIN, 0 };

			if (poll(&p, 1, (int)((next - t + 999) / 1000)) > 0)
				drain(fd, &w);
		}
		drain(fd, &w);
		if (ready_only && w.answered)
			return 0;
		if (w.switched_us && now_us() - w.switched_us > (uint64_t)settle_ms * 1000)
			break;
	}
	if (w.raw)
		fclose(w.raw);
	if (ready_only)
		return 1;
	if (!w.switched_us)
		printf("outage_ms=none from=%s sent=%lu answered=%lu\n", w.first[0] ? w.first : "-",
		       w.sent, w.answered);
	else
		printf("outage_ms=%.3f from=%s to=%s sent=%lu answered=%lu\n",
		       (double)(w.first_new_us - w.last_old_us) / 1000.0, w.first, w.to, w.sent,
		       w.answered);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "watch"))
		return watch(argc - 1, argv + 1, 0);
	if (argc >= 4 && !strcmp(argv[1], "ready"))
		return watch(argc - 1, argv + 1, 1);
	fprintf(stderr, "usage: hafd-probe serve PORT NAME | watch ADDR PORT [opts] | ready ADDR PORT\n");
	return 2;
}
