/* nft_decode.h: the unit tests' reader of hafd's nftables batches
 * (test_nft_build.c, test_nft_fence.c): each message of a batch decoded
 * with libnftnl and libmnl, as the kernel would read it, to one line of
 * text, not with libnftnl's printer, whose format changes between
 * versions. Rules: their expressions ("meta l4proto; cmp eq 70; payload
 * nh+21/1; lookup vrrp_known4 inv; counter; drop"; a register other than
 * register 1 is named: "payload th+2/2>r9", "lookup x<r2"); elements:
 * their keys ("10.0.0.1 t=250", "10.0.0.50 . 5432" for an address and
 * port). Included by one test file each: the functions are static. */
#ifndef HAFD_TEST_NFT_DECODE_H
#define HAFD_TEST_NFT_DECODE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "nft_priv.h"

/* Not every test file uses every helper. */
#define NFT_DECODE_FN static __attribute__((unused))

#define MAX_ITEMS 128
#define TEXT_MAX 4096                   /* a rule: 8U has 32 slots */

/* One message of a batch, decoded. */
struct item {
	int type;                       /* NFT_MSG_NEWRULE, NEWSET, NEWSETELEM, ... */
	int family;
	char name[64];                  /* set name, or the rule's chain */
	char comment[128];              /* rules */
	char text[TEXT_MAX];            /* rules: the expressions; elements: the keys */
	uint32_t set_id, set_flags, key_type, key_len;
};

struct decoded {
	struct item it[MAX_ITEMS];
	int n;
};

NFT_DECODE_FN void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

NFT_DECODE_FN int comment_cb(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		snprintf(data, 128, "%s", (const char *)nftnl_udata_get(attr));
	return 0;
}

/* " >r9": a register other than register 1, which most rules use alone. */
NFT_DECODE_FN void reg_note(char *t, const char *dir, uint32_t reg)
{
	if (reg != NFT_REG_1)
		cat(t, TEXT_MAX, "%sr%u", dir, reg);
}

/* "meta l4proto", "cmp eq 70", "payload nh+21/1", "lookup vrrp_known4 inv",
 * "lookup #ID", "limit 1000/s burst 25500 pkts inv", "counter", "drop". */
NFT_DECODE_FN int expr_cb(struct nftnl_expr *e, void *data)
{
	char *t = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t len = 0;

	if (*t)
		cat(t, TEXT_MAX, "; ");
	if (!strcmp(name, "meta")) {
		uint32_t k = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);

		cat(t, TEXT_MAX, "meta %s", k == NFT_META_L4PROTO ? "l4proto" :
			     k == NFT_META_NFPROTO ? "nfproto" : k == NFT_META_PKTTYPE ? "pkttype" :
			     k == NFT_META_PROTOCOL ? "protocol" : "?");
	} else if (!strcmp(name, "cmp")) {
		const uint8_t *d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
		uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP);

		cat(t, TEXT_MAX, "cmp %s ", op == NFT_CMP_EQ ? "eq" : op == NFT_CMP_NEQ ? "ne" :
			     op == NFT_CMP_GT ? "gt" : "?");
		for (uint32_t i = 0; i < len; i++)
			cat(t, TEXT_MAX, "%02x", d[i]);
	} else if (!strcmp(name, "payload")) {
		uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);

		cat(t, TEXT_MAX, "payload %s+%u/%u", base == NFT_PAYLOAD_NETWORK_HEADER ? "nh" :
			     base == NFT_PAYLOAD_TRANSPORT_HEADER ? "th" : "?",
		    nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
		    nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN));
		reg_note(t, ">", nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG));
	} else if (!strcmp(name, "lookup")) {
		const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);

		if (nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_SET_ID))
			cat(t, TEXT_MAX, "lookup #%u", nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SET_ID));
		else
			cat(t, TEXT_MAX, "lookup %s", set);
		reg_note(t, "<", nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG));
		if (nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
		    (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV))
			cat(t, TEXT_MAX, " inv");
	} else if (!strcmp(name, "limit")) {
		cat(t, TEXT_MAX, "limit %llu/%llus burst %u %s%s",
		    (unsigned long long)nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE),
		    (unsigned long long)nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT),
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_BURST),
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_TYPE) == NFT_LIMIT_PKTS ? "pkts" : "bytes",
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_FLAGS) & NFT_LIMIT_F_INV ? " inv" : "");
	} else if (!strcmp(name, "dynset")) {
		cat(t, TEXT_MAX, "dynset %s", nftnl_expr_get_str(e, NFTNL_EXPR_DYNSET_SET_NAME));
		if (nftnl_expr_is_set(e, NFTNL_EXPR_DYNSET_TIMEOUT))
			cat(t, TEXT_MAX, " t=%llu", (unsigned long long)
			    nftnl_expr_get_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT));
	} else if (!strcmp(name, "reject")) {
		cat(t, TEXT_MAX, "reject %u/%u", nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE),
		    nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE));
	} else if (!strcmp(name, "immediate")) {
		uint32_t v = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

		cat(t, TEXT_MAX, "%s", v == NF_DROP ? "drop" : v == NF_ACCEPT ? "accept" : "?");
	} else {
		cat(t, TEXT_MAX, "%s", name);
	}
	return 0;
}

/* An element list, read with libmnl: libnftnl's own parser wants every
 * element's attribute type to be NFTA_LIST_ELEM, while its builder numbers
 * them 1, 2, 3... (the kernel looks at neither). */
NFT_DECODE_FN int key_value_cb(const struct nlattr *v, void *data)
{
	struct item *it = data;
	const uint8_t *key = mnl_attr_get_payload(v);
	uint16_t len = mnl_attr_get_payload_len(v);
	char buf[INET6_ADDRSTRLEN];

	if (*it->text)
		cat(it->text, sizeof(it->text), " ");
	if (len == 1) {
		cat(it->text, sizeof(it->text), "%u", key[0]);
	} else if (len == 8 || len == 20) {     /* address . port (fence_port) */
		uint16_t port;

		memcpy(&port, key + len - 4, sizeof(port));
		cat(it->text, sizeof(it->text), "%s . %u%s",
		    inet_ntop(len == 8 ? AF_INET : AF_INET6, key, buf, sizeof(buf)), ntohs(port),
		    key[len - 2] || key[len - 1] ? " (pad not zero)" : "");
	} else
		cat(it->text, sizeof(it->text), "%s",
		    inet_ntop(len == 4 ? AF_INET : AF_INET6, key, buf, sizeof(buf)));
	return MNL_CB_OK;
}

/* One element: its key; " t=MS" and " e=MS" for a timeout and an
 * expiration, whatever order they come in. */
struct elem_text {
	struct item *it;
	unsigned long long timeout, expiration;
};

NFT_DECODE_FN int elem_attr_cb(const struct nlattr *a, void *data)
{
	struct elem_text *e = data;

	switch (mnl_attr_get_type(a)) {
	case NFTA_SET_ELEM_KEY:
		return mnl_attr_parse_nested(a, key_value_cb, e->it);
	case NFTA_SET_ELEM_TIMEOUT:
		e->timeout = be64toh(mnl_attr_get_u64(a));
		break;
	case NFTA_SET_ELEM_EXPIRATION:
		e->expiration = be64toh(mnl_attr_get_u64(a));
		break;
	}
	return MNL_CB_OK;
}

NFT_DECODE_FN int elem_cb(const struct nlattr *el, void *data)
{
	struct elem_text e = { .it = data };
	int rc = mnl_attr_parse_nested(el, elem_attr_cb, &e);

	if (e.timeout)
		cat(e.it->text, sizeof(e.it->text), " t=%llu", e.timeout);
	if (e.expiration)
		cat(e.it->text, sizeof(e.it->text), " e=%llu", e.expiration);
	return rc;
}

NFT_DECODE_FN int elems_attr_cb(const struct nlattr *a, void *data)
{
	struct item *it = data;

	switch (mnl_attr_get_type(a)) {
	case NFTA_SET_ELEM_LIST_SET:
		snprintf(it->name, sizeof(it->name), "%s", mnl_attr_get_str(a));
		break;
	case NFTA_SET_ELEM_LIST_SET_ID:
		it->set_id = ntohl(mnl_attr_get_u32(a));
		break;
	case NFTA_SET_ELEM_LIST_ELEMENTS:
		return mnl_attr_parse_nested(a, elem_cb, data);
	}
	return MNL_CB_OK;
}

NFT_DECODE_FN void decode_msg(const struct nlmsghdr *nlh, struct item *it)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);

	memset(it, 0, sizeof(*it));
	it->type = nlh->nlmsg_type & 0xff;
	it->family = g->nfgen_family;
	if (it->type == NFT_MSG_NEWRULE) {
		struct nftnl_rule *r = nftnl_rule_alloc();
		uint32_t len = 0;
		const void *ud;

		assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
		snprintf(it->name, sizeof(it->name), "%s", nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
		if (ud)
			nftnl_udata_parse(ud, len, comment_cb, it->comment);
		nftnl_expr_foreach(r, expr_cb, it->text);
		nftnl_rule_free(r);
	} else if (it->type == NFT_MSG_NEWSET) {
		struct nftnl_set *s = nftnl_set_alloc();

		assert_int_equal(nftnl_set_nlmsg_parse(nlh, s), 0);
		it->key_type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
		it->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		if (nftnl_set_is_set(s, NFTNL_SET_FLAGS))
			it->set_flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
		snprintf(it->name, sizeof(it->name), "%s", nftnl_set_get_str(s, NFTNL_SET_NAME));
		if (nftnl_set_is_set(s, NFTNL_SET_ID))
			it->set_id = nftnl_set_get_u32(s, NFTNL_SET_ID);
		nftnl_set_free(s);
	} else if (it->type == NFT_MSG_NEWCHAIN) {
		struct nftnl_chain *c = nftnl_chain_alloc();

		assert_int_equal(nftnl_chain_nlmsg_parse(nlh, c), 0);
		snprintf(it->name, sizeof(it->name), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		cat(it->text, sizeof(it->text), "hook %u prio %d",
		    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
		    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO));
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEV))
			cat(it->text, sizeof(it->text), " dev %s",
			    nftnl_chain_get_str(c, NFTNL_CHAIN_DEV));
		nftnl_chain_free(c);
	} else if (it->type == NFT_MSG_NEWSETELEM || it->type == NFT_MSG_DELSETELEM) {
		assert_int_equal(mnl_attr_parse(nlh, sizeof(struct nfgenmsg), elems_attr_cb, it),
				 MNL_CB_OK);
	}
}

/* End batch b and decode its messages (BATCH_BEGIN and BATCH_END left out). */
NFT_DECODE_FN void decode(struct nft_batch *b, struct decoded *d)
{
	size_t len;
	const void *data;
	int left;

	assert_int_equal(nft_batch_end(b), 0);
	data = nft_batch_data(b, &len);
	left = (int)len;
	d->n = 0;
	for (const struct nlmsghdr *nlh = data; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			continue;
		assert_true(d->n < MAX_ITEMS);
		decode_msg(nlh, &d->it[d->n++]);
	}
	nft_batch_free(b);
}

/* The k-th (from 0) rule whose comment is c, and how many there are. */
NFT_DECODE_FN const struct item *rule(const struct decoded *d, const char *c, int k, int *n_out)
{
	const struct item *found = NULL;
	int n = 0;

	for (int i = 0; i < d->n; i++)
		if (d->it[i].type == NFT_MSG_NEWRULE && !strcmp(d->it[i].comment, c))
			if (n++ == k)
				found = &d->it[i];
	if (n_out)
		*n_out = n;
	return found;
}

/* The first message of type `type` named `name` (set, chain, rule's chain). */
NFT_DECODE_FN const struct item *find(const struct decoded *d, int type, const char *name)
{
	for (int i = 0; i < d->n; i++)
		if (d->it[i].type == type && !strcmp(d->it[i].name, name))
			return &d->it[i];
	return NULL;
}

/* How many messages of type `type` are named `name`. */
NFT_DECODE_FN int count(const struct decoded *d, int type, const char *name)
{
	int n = 0;

	for (int i = 0; i < d->n; i++)
		n += d->it[i].type == type && !strcmp(d->it[i].name, name);
	return n;
}

#endif
