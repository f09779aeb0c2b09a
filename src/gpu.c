/* gpu.c: the helper's answer, Xid lines and the verdict of a gpu check
 * (the rules are in gpu.h). Parsers take hostile text: a kernel log line
 * or a helper's output never makes them read past its NUL. */
#include "gpu.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {
	[GPU_DEV_OK] = "ok", [GPU_DEV_PENDING] = "pending", [GPU_DEV_FAILED] = "failed",
	[GPU_DEV_LOST] = "lost", [GPU_DEV_ERROR] = "error",
};

const char *gpu_dev_state_name(enum gpu_dev_state st)
{
	return (unsigned)st < sizeof(state_names) / sizeof(state_names[0]) ? state_names[st] : "?";
}

const char *gpu_pci_text(const struct gpu_pci *pci, char *buf, size_t len)
{
	if (!pci->known)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%04x:%02x:%02x", (unsigned)pci->domain, pci->bus, pci->dev);
	return buf;
}

static bool pci_same(const struct gpu_pci *a, const struct gpu_pci *b)
{
	return a->known == b->known && (!a->known || (a->domain == b->domain && a->bus == b->bus &&
						      a->dev == b->dev));
}

/* n hex digits (1..max) at *s; advances *s. */
static int hex_take(const char **s, size_t max, unsigned long *out)
{
	size_t n = 0;
	unsigned long v = 0;

	while (n < max && isxdigit((unsigned char)(*s)[n])) {
		int c = tolower((unsigned char)(*s)[n]);

		v = v * 16 + (unsigned long)(isdigit(c) ? c - '0' : c - 'a' + 10);
		n++;
	}
	if (n == 0 || isxdigit((unsigned char)(*s)[n]))
		return -1;
	*s += n;
	*out = v;
	return 0;
}

/* [DOMAIN:]BUS:DEV at *s, advancing it. 0 or -1. */
static int pci_take(const char **s, struct gpu_pci *pci)
{
	const char *p = *s;
	unsigned long a, b, c;

	if (hex_take(&p, 8, &a) < 0 || *p != ':')
		return -1;
	p++;
	if (hex_take(&p, 2, &b) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (hex_take(&p, 2, &c) < 0 || b > 0xff || c > 0x1f)
			return -1;
		*pci = (struct gpu_pci){ .domain = (uint32_t)a, .bus = (uint8_t)b,
					 .dev = (uint8_t)c, .known = true };
	} else {
		if (a > 0xff || b > 0x1f)
			return -1;
		*pci = (struct gpu_pci){ .bus = (uint8_t)a, .dev = (uint8_t)b, .known = true };
	}
	*s = p;
	return 0;
}

/* ---- the helper's answer ------------------------------------------------- */

static int answer_bad(char *why, size_t len, const char *what)
{
	snprintf(why, len, "%s", what);
	errno = EINVAL;
	return -1;
}

int gpu_answer_parse(const char *line, struct gpu_answer *a, char *why, size_t len)
{
	const char *p = line;
	char *end;
	long count;

	memset(a, 0, sizeof(*a));
	if (!strncmp(p, "error ", 6)) {
		snprintf(why, len, "%s", p + 6);
		errno = EINVAL;
		return -1;
	}
	if (strncmp(p, GPU_ANSWER_TAG " ", strlen(GPU_ANSWER_TAG) + 1))
		return answer_bad(why, len, *p ? "not an answer of hafd-nvml" : "no answer");
	p += strlen(GPU_ANSWER_TAG) + 1;
	if (!isdigit((unsigned char)*p))
		return answer_bad(why, len, "no GPU count in the answer");
	errno = 0;
	count = strtol(p, &end, 10);
	if (errno || count < 0 || count > GPU_MAX)
		return answer_bad(why, len, "GPU count out of range");
	a->count = (int)count;
	p = end;
	for (int i = 0; i < a->count; i++) {
		size_t k;

		if (*p != ' ')
			return answer_bad(why, len, "answer cut short");
		p++;
		for (k = 0; k < sizeof(state_names) / sizeof(state_names[0]); k++) {
			size_t n = strlen(state_names[k]);

			if (!strncmp(p, state_names[k], n) && (p[n] == '@' || p[n] == ' ' || !p[n]))
				break;
		}
		if (k == sizeof(state_names) / sizeof(state_names[0]))
			return answer_bad(why, len, "unknown GPU state in the answer");
		a->st[i] = (enum gpu_dev_state)k;
		p += strlen(state_names[k]);
		if (*p == '@') {
			p++;
			if (pci_take(&p, &a->pci[i]) < 0)
				return answer_bad(why, len, "bad PCI address in the answer");
		}
	}
	if (*p)
		return answer_bad(why, len, "more GPUs in the answer than counted");
	return 0;
}

int gpu_answer_format(const struct gpu_answer *a, char *buf, size_t len)
{
	size_t off;
	int n = snprintf(buf, len, GPU_ANSWER_TAG " %d", a->count);

	for (int i = 0; n >= 0 && i < a->count && i < GPU_MAX; i++) {
		const struct gpu_pci *pci = &a->pci[i];
		int k;

		off = (size_t)n < len ? (size_t)n : len;
		if (!pci->known)
			k = snprintf(buf + off, len - off, " %s", gpu_dev_state_name(a->st[i]));
		else if (pci->domain)
			k = snprintf(buf + off, len - off, " %s@%04x:%02x:%02x",
				     gpu_dev_state_name(a->st[i]), (unsigned)pci->domain, pci->bus,
				     pci->dev);
		else
			k = snprintf(buf + off, len - off, " %s@%02x:%02x",
				     gpu_dev_state_name(a->st[i]), pci->bus, pci->dev);
		n = k < 0 ? k : n + k;
	}
	return n;
}

/* ---- Xid lines ----------------------------------------------------------- */

const char *gpu_kmsg_text(const char *rec)
{
	const char *semi = strchr(rec, ';');
	const char *p = rec;

	/* /dev/kmsg (Documentation/ABI/testing/dev-kmsg): "%u,%llu,%llu,%c[,...];" */
	if (!semi || !isdigit((unsigned char)*p))
		return rec;
	while (p < semi && (isdigit((unsigned char)*p) || *p == ',' || *p == '-' || isalpha((unsigned char)*p)))
		p++;
	return p == semi ? semi + 1 : rec;
}

int gpu_xid_parse(const char *text, struct gpu_xid *x)
{
	const char *p = strstr(text, "NVRM: Xid (");
	unsigned long code = 0;
	size_t n = 0;

	memset(x, 0, sizeof(*x));
	if (!p)
		goto none;
	p += strlen("NVRM: Xid (");
	/* The driver writes "PCI:0000:3b:00"; older ones "0000:3b:00". */
	if (!strncmp(p, "PCI:", 4))
		p += 4;
	if (pci_take(&p, &x->pci) < 0)
		x->pci.known = false;
	p = strstr(p, "): ");
	if (!p)
		goto none;
	p += 3;
	while (isdigit((unsigned char)p[n]) && n < 6)
		code = code * 10 + (unsigned long)(p[n++] - '0');
	if (n == 0 || n == 6)
		goto none;
	x->code = (unsigned)code;
	return 0;
none:
	errno = ENOENT;
	return -1;
}

static bool in_list(unsigned code, const unsigned *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == code)
			return true;
	return false;
}

enum gpu_xid_class gpu_xid_note(struct gpu_state *s, const struct gpu_params *p,
				const struct gpu_xid *x, uint64_t now_us)
{
	if (in_list(x->code, p->fatal, p->n_fatal)) {
		for (size_t i = 0; i < s->n_fatal; i++)
			if (pci_same(&s->fatal[i].pci, &x->pci))
				return GPU_XID_FATAL;   /* that device is counted once */
		if (s->n_fatal < GPU_MAX)
			s->fatal[s->n_fatal++] = *x;
		return GPU_XID_FATAL;
	}
	if (in_list(x->code, p->degrade, p->n_degrade)) {
		s->degrade = *x;
		s->degrade_until_us = now_us + p->window_us;
		return GPU_XID_DEGRADE;
	}
	return GPU_XID_IGNORED;
}

/* ---- verdict ------------------------------------------------------------- */

/* The fatal Xid on device pci, or NULL. */
static const struct gpu_xid *fatal_on(const struct gpu_state *s, const struct gpu_pci *pci)
{
	for (size_t i = 0; pci->known && i < s->n_fatal; i++)
		if (pci_same(&s->fatal[i].pci, pci))
			return &s->fatal[i];
	return NULL;
}

void gpu_verdict(struct gpu_state *s, const struct gpu_params *p, const struct gpu_answer *a,
		 uint64_t now_us, struct gpu_verdict *v)
{
	char first[100] = "", pend[60] = "", b[16];
	int count = a->count < GPU_MAX ? a->count : GPU_MAX, pending = 0;

	memset(v, 0, sizeof(*v));
	if (count > s->seen)
		s->seen = count;
	for (int i = 0; i < count; i++) {
		if (a->pci[i].known)
			s->pci[i] = a->pci[i];
		s->last[i] = a->st[i];
	}
	s->answered = count;
	for (int i = 0; i < s->seen; i++) {
		const struct gpu_xid *x = fatal_on(s, &s->pci[i]);
		enum gpu_dev_state st = i < count ? a->st[i] : GPU_DEV_LOST;
		bool bad = st == GPU_DEV_FAILED || st == GPU_DEV_LOST || st == GPU_DEV_ERROR || x;

		if (!bad) {
			v->healthy++;
			if (st == GPU_DEV_PENDING && !pending++)
				snprintf(pend, sizeof(pend), "GPU %d (%s) row remap pending", i,
					 gpu_pci_text(&s->pci[i], b, sizeof(b)));
			continue;
		}
		if (!v->bad++) {
			if (i >= count)
				snprintf(first, sizeof(first), "GPU %d (%s) gone", i,
					 gpu_pci_text(&s->pci[i], b, sizeof(b)));
			else if (x && st != GPU_DEV_LOST)
				snprintf(first, sizeof(first), "GPU %d (%s) Xid %u", i,
					 gpu_pci_text(&s->pci[i], b, sizeof(b)), x->code);
			else
				snprintf(first, sizeof(first), "GPU %d (%s) %s%s", i,
					 gpu_pci_text(&s->pci[i], b, sizeof(b)),
					 st == GPU_DEV_FAILED ? "row remap failed" :
					 gpu_dev_state_name(st), st == GPU_DEV_ERROR ? " in NVML" : "");
		}
	}
	/* A fatal Xid on a device NVML never named here is one more bad GPU. */
	for (size_t k = 0; k < s->n_fatal; k++) {
		bool matched = false;

		for (int i = 0; i < s->seen && !matched; i++)
			matched = s->pci[i].known && pci_same(&s->pci[i], &s->fatal[k].pci);
		if (matched)
			continue;
		if (!v->bad++)
			snprintf(first, sizeof(first), "Xid %u on %s", s->fatal[k].code,
				 gpu_pci_text(&s->fatal[k].pci, b, sizeof(b)));
		if (v->healthy > 0 && !s->fatal[k].pci.known)
			v->healthy--;   /* unknown device: assume one of ours */
	}
	v->kind = CHECK_KIND_BAD_REPLY;
	v->factor = 1;
	if (v->healthy < p->min_gpus) {
		v->result = CHECK_RES_FAIL;
		v->factor = GPU_FACTOR_FATAL;
		if (v->bad)
			snprintf(v->reason, sizeof(v->reason), "%s: %d healthy, below min_gpus %d",
				 first, v->healthy, p->min_gpus);
		else
			snprintf(v->reason, sizeof(v->reason), "%d GPU%s found, below min_gpus %d",
				 v->healthy, v->healthy == 1 ? "" : "s", p->min_gpus);
	} else if (v->bad) {
		v->result = CHECK_RES_FAIL;
		v->factor = p->per_gpu ? v->bad : 1;
		snprintf(v->reason, sizeof(v->reason), "%s%s: %d bad, %d healthy", first,
			 v->bad > 1 ? " and more" : "", v->bad, v->healthy);
	} else if (pending) {
		v->result = CHECK_RES_DEGRADED;
		snprintf(v->reason, sizeof(v->reason), "%s%s", pend,
			 pending > 1 ? " (and more)" : "");
	} else if (s->degrade_until_us && now_us < s->degrade_until_us) {
		v->result = CHECK_RES_DEGRADED;
		snprintf(v->reason, sizeof(v->reason), "Xid %u on %s", s->degrade.code,
			 gpu_pci_text(&s->degrade.pci, b, sizeof(b)));
	} else {
		v->result = CHECK_RES_PASS;
		v->kind = CHECK_KIND_OK;
		snprintf(v->reason, sizeof(v->reason), "%d GPU%s healthy", v->healthy,
			 v->healthy == 1 ? "" : "s");
	}
}

int gpu_device_view(const struct gpu_state *s, int i, uint64_t now_us, struct gpu_dev_view *out)
{
	static const char *const view[] = {
		[GPU_DEV_OK] = "ok", [GPU_DEV_PENDING] = "remap-pending",
		[GPU_DEV_FAILED] = "remap-failed", [GPU_DEV_LOST] = "lost", [GPU_DEV_ERROR] = "error",
	};
	const struct gpu_xid *x;
	enum gpu_dev_state st;

	if (i < 0 || i >= s->seen) {
		errno = ENOENT;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	gpu_pci_text(&s->pci[i], out->pci, sizeof(out->pci));
	x = fatal_on(s, &s->pci[i]);
	if (i >= s->answered) {
		out->state = "gone";
		out->bad = true;
	} else {
		st = s->last[i];
		out->state = (unsigned)st < sizeof(view) / sizeof(view[0]) ? view[st] : "?";
		out->bad = st == GPU_DEV_FAILED || st == GPU_DEV_LOST || st == GPU_DEV_ERROR;
	}
	if (x) {
		/* NVML may still say ok: the driver said otherwise. */
		if (!out->bad || !strcmp(out->state, "error"))
			out->state = "xid";
		out->xid = x->code;
		out->bad = true;
	} else if (s->degrade_until_us && now_us < s->degrade_until_us && s->pci[i].known &&
		   pci_same(&s->degrade.pci, &s->pci[i])) {
		out->xid = s->degrade.code;
	}
	return 0;
}
