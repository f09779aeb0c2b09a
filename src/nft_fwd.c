/* nft_fwd.c: the forwarding tables of a drain's new master (nft_fwd.h),
 * rebuilt whole in one batch whenever what they forward changes (a drain
 * starts or ends: rare, and a handful of rules). */
#include "nft_fwd.h"

#include <errno.h>
#include <netinet/in.h>         /* before the linux/ headers, which defer to it */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#define FWD_CHAIN "drain_fwd"
#define FWD_PRIO (-20)                  /* before hafd's inet chains (-10) */
#define BUF_LEN (256u << 10)

struct fb {
	struct mnl_nlmsg_batch *b;
	uint32_t seq;
	unsigned n;                     /* messages that want an ack */
	bool oom;
};

static struct nlmsghdr *msg(struct fb *b, uint16_t type, int family, uint16_t flags)
{
	b->n++;
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->b), type, (uint16_t)family,
				     flags | NLM_F_ACK, b->seq + b->n);
}

static void next(struct fb *b)
{
	if (!mnl_nlmsg_batch_next(b->b))
		b->oom = true;
}

static void table(struct fb *b, uint16_t type, uint16_t flags, int family, const char *name)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t || nftnl_table_set_str(t, NFTNL_TABLE_NAME, name) < 0) {
		b->oom = true;
	} else {
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)family);
		nftnl_table_nlmsg_build_payload(msg(b, type, family, flags), t);
		next(b);
	}
	if (t)
		nftnl_table_free(t);
}

static void chain(struct fb *b, int family, const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, name) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, FWD_CHAIN) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter") < 0) {
		b->oom = true;
	} else {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t)family);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, FWD_PRIO);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nftnl_chain_nlmsg_build_payload(msg(b, NFT_MSG_NEWCHAIN, family,
						    NLM_F_CREATE | NLM_F_EXCL), c);
		next(b);
	}
	if (c)
		nftnl_chain_free(c);
}

static struct nftnl_expr *add(struct nftnl_rule *r, const char *name, bool *oom)
{
	struct nftnl_expr *e = r ? nftnl_expr_alloc(name) : NULL;

	if (e)
		nftnl_rule_add_expr(r, e);
	else
		*oom = true;
	return e;
}

static void cmp(struct nftnl_rule *r, enum nft_cmp_ops op, const void *v, uint32_t len,
		bool *oom)
{
	struct nftnl_expr *e = add(r, "cmp", oom);

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, v, len);
}

static void payload(struct nftnl_rule *r, enum nft_payload_bases base, uint32_t off,
		    uint32_t len, bool *oom)
{
	struct nftnl_expr *e = add(r, "payload", oom);

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}

/* (reg1 & mask) op 0, over len bytes (mask: as many). */
static void masked_cmp(struct nftnl_rule *r, const void *mask, enum nft_cmp_ops op,
		       uint32_t len, bool *oom)
{
	struct nftnl_expr *e = add(r, "bitwise", oom);
	uint32_t zero = 0;

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, len);
	cmp(r, op, &zero, len, oom);
}

/* TCP without SYN to vip. */
static void match_vip(struct nftnl_rule *r, const struct hafd_addr *vip, bool *oom)
{
	static const uint8_t syn = 0x02;
	struct nftnl_expr *e;
	uint8_t tcp = IPPROTO_TCP;

	if (vip->family == AF_INET)
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, oom);
	else
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 24, 16, oom);
	cmp(r, NFT_CMP_EQ, vip->u.b, (uint32_t)addr_len(vip), oom);
	e = add(r, "meta", oom);
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	cmp(r, NFT_CMP_EQ, &tcp, 1, oom);
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, oom);
	masked_cmp(r, &syn, NFT_CMP_EQ, 1, oom);          /* the SYN flag is clear */
}

static void verdict(struct nftnl_rule *r, int v, bool *oom)
{
	struct nftnl_expr *e = add(r, "counter", oom);

	e = add(r, "immediate", oom);
	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
}

static void rule(struct fb *b, int family, const char *name, const struct nft_fwd *f, bool dup)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;
	bool oom = !r;

	if (r) {
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, name);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, FWD_CHAIN);
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)family);
	}
	match_vip(r, &f->vip, &oom);
	if (!dup) {                                                             /* F1 */
		uint8_t zero = 0;

		e = add(r, "socket", &oom);
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_SOCKET_KEY, NFT_SOCKET_WILDCARD);
			nftnl_expr_set_u32(e, NFTNL_EXPR_SOCKET_DREG, NFT_REG_1);
		}
		cmp(r, NFT_CMP_EQ, &zero, 1, &oom);
		verdict(r, NF_ACCEPT, &oom);
	} else {                                                                /* F2 */
		uint32_t ifindex = (uint32_t)f->ifindex, ct_new = NF_CT_STATE_BIT(IP_CT_NEW) |
							 NF_CT_STATE_INVALID_BIT;

		e = add(r, "ct", &oom);
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
			nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
		}
		masked_cmp(r, &ct_new, NFT_CMP_NEQ, 4, &oom);
		e = add(r, "immediate", &oom);
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
			nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, f->to.u.b, (uint32_t)addr_len(&f->to));
		}
		e = add(r, "immediate", &oom);
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
			nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &ifindex, sizeof(ifindex));
		}
		e = add(r, "dup", &oom);
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_DUP_SREG_ADDR, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_DUP_SREG_DEV, NFT_REG_2);
		}
		verdict(r, NF_DROP, &oom);
	}
	if (oom) {
		b->oom = true;
	} else {
		nftnl_rule_nlmsg_build_payload(msg(b, NFT_MSG_NEWRULE, family,
						   NLM_F_CREATE | NLM_F_APPEND), r);
		next(b);
	}
	if (r)
		nftnl_rule_free(r);
}

/* Read the acks: the batch stands when every message came back clean. */
static int acks(struct mnl_socket *nl, unsigned want)
{
	uint32_t buf[8192];
	unsigned got_acks = 0;
	int err = 0;
	ssize_t got;

	while ((got = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		int len = (int)got;

		for (const struct nlmsghdr *h = (const void *)buf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (!e->error)
				got_acks++;
			else if (!err)
				err = -e->error;
		}
	}
	if (!err && got_acks != want)
		err = EPROTO;
	errno = err;
	return err ? -1 : 0;
}

int nft_fwd_apply(const char *name, const struct nft_fwd *f, size_t n)
{
	static const int families[2] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	char *buf = malloc(BUF_LEN);
	struct fb b = { .seq = (uint32_t)time(NULL) };
	int rc = -1, saved;

	if (!nl || !buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	b.b = mnl_nlmsg_batch_start(buf, BUF_LEN / 2);
	if (!b.b)
		goto out;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b.b), b.seq);
	mnl_nlmsg_batch_next(b.b);
	for (int k = 0; k < 2; k++) {
		int af = families[k] == NFPROTO_IPV4 ? AF_INET : AF_INET6;
		bool any = false;

		/* add then delete: a table that is not there is no error */
		table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE, families[k], name);
		table(&b, NFT_MSG_DELTABLE, 0, families[k], name);
		for (size_t i = 0; i < n; i++)
			any |= f[i].vip.family == af;
		if (!any)
			continue;
		table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL, families[k], name);
		chain(&b, families[k], name);
		for (size_t i = 0; i < n; i++)
			if (f[i].vip.family == af) {
				rule(&b, families[k], name, &f[i], false);
				rule(&b, families[k], name, &f[i], true);
			}
	}
	nftnl_batch_end(mnl_nlmsg_batch_current(b.b), b.seq + b.n + 1);
	next(&b);
	if (b.oom) {
		errno = ENOMEM;
		goto out;
	}
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b.b), mnl_nlmsg_batch_size(b.b)) >= 0)
		rc = acks(nl, b.n);
out:
	saved = errno;
	if (b.b)
		mnl_nlmsg_batch_stop(b.b);
	free(buf);
	if (nl)
		mnl_socket_close(nl);
	errno = saved;
	return rc;
}
