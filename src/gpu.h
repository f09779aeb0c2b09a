/* gpu.h: the decisions of a type = gpu check, pure: no I/O, no clock (the
 * caller passes the time in CLOCK_MONOTONIC microseconds).
 *
 * A gpu check has two sources (check_gpu.c carries them):
 *  - the answer of the NVML helper (libexec/hafd-nvml), one line:
 *      nvml 1 COUNT STATE[@PCI] ...
 *    COUNT the GPUs NVML enumerates, then one token per GPU in index
 *    order: ok, pending (row remap pending: usable until a reset), failed
 *    (a row remap failed), lost (NVML_ERROR_GPU_IS_LOST: fallen off the
 *    bus), error (any other NVML error on that GPU); PCI is BB:DD, or
 *    DDDD:BB:DD when the domain is not 0, as the driver's Xid lines name a
 *    GPU. A helper that cannot query NVML at all prints "error WHY".
 *  - Xid lines of the NVIDIA driver in the kernel log:
 *      NVRM: Xid (PCI:0000:3b:00): 79, pid=..., GPU has fallen off the bus.
 *
 * What they make of a run (gpu_verdict):
 *  - healthy GPUs are those answering ok or pending with no fatal Xid
 *    since hafd started; bad ones are the rest of the most ever seen
 *    (failed, lost, error, a fatal Xid, or gone from the enumeration);
 *  - fewer healthy than min_gpus: FAIL, factor GPU_FACTOR_FATAL (weight
 *    0 or gpu_weight: FAULT);
 *  - else any bad GPU: FAIL, factor = the bad count when gpu_weight is
 *    set (weight x bad), else 1;
 *  - else a pending row remap, or a degrading Xid within xid_window:
 *    DEGRADED;
 *  - else PASS.
 * A fatal Xid stays until hafd restarts, or a reload starts the check
 * afresh: the driver says the GPU needs a reset or more, which NVML may
 * not show.
 */
#ifndef HAFD_GPU_H
#define HAFD_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

#define GPU_MAX 32                      /* GPUs per host we track */
#define GPU_XID_LIST_MAX 32             /* codes per xid_fatal / xid_degrade */
#define GPU_FACTOR_FATAL 254            /* x gpu_weight (<= -2): below -254, FAULT */
#define GPU_ANSWER_TAG "nvml 1"         /* first words of a helper's answer */
/* The longest answer, with its NUL: the tag, " 32", and GPU_MAX tokens of
 * the longest form, " pending@DDDDDDDD:BB:DD" (NVML's PCI domain is 32
 * bits: VMD domains already need 5 digits), 23 characters. 32 such GPUs
 * take 745; what hafd reads of a helper (proc.h PROC_LINE_MAX) must hold
 * it, which check_gpu.c asserts at compile time. */
#define GPU_ANSWER_MAX (sizeof(GPU_ANSWER_TAG) + 3 + GPU_MAX * 23)

enum gpu_dev_state {
	GPU_DEV_OK,
	GPU_DEV_PENDING,        /* row remap pending: degraded */
	GPU_DEV_FAILED,         /* row remap failure: bad */
	GPU_DEV_LOST,           /* NVML_ERROR_GPU_IS_LOST: bad */
	GPU_DEV_ERROR,          /* another NVML error on it: bad */
};

struct gpu_pci {                /* as Xid lines name a GPU: domain:bus:device */
	uint32_t domain;
	uint8_t bus, dev;
	bool known;
};

struct gpu_answer {
	int count;
	enum gpu_dev_state st[GPU_MAX];
	struct gpu_pci pci[GPU_MAX];
};

struct gpu_xid {
	unsigned code;
	struct gpu_pci pci;
};

struct gpu_params {
	int min_gpus;                   /* >= 1 */
	bool per_gpu;                   /* gpu_weight: the factor is the bad count */
	const unsigned *fatal, *degrade;
	size_t n_fatal, n_degrade;
	uint64_t window_us;             /* a degrading Xid counts this long */
};

/* What a check remembers between runs. Zero it to start. */
struct gpu_state {
	int seen;                       /* most GPUs ever enumerated */
	struct gpu_pci pci[GPU_MAX];    /* last PCI address of each index */
	struct gpu_xid fatal[GPU_MAX];  /* fatal Xids, one per device */
	size_t n_fatal;
	struct gpu_xid degrade;         /* the latest degrading Xid */
	uint64_t degrade_until_us;      /* 0: none */
	int answered;                   /* GPUs in NVML's latest answer */
	enum gpu_dev_state last[GPU_MAX];       /* their states in it */
};

/* One GPU as hafctl status shows it (gpu_device_view). */
struct gpu_dev_view {
	char pci[16];                   /* "00:06", "0001:3b:00", "?" */
	/* "ok", "remap-pending", "remap-failed", "lost", "error" (another
	 * NVML error), "gone" (no longer enumerated), "xid" (a fatal Xid) */
	const char *state;
	unsigned xid;                   /* the fatal Xid, or a degrading one in its
					 * window; 0: none */
	bool bad;                       /* counts against min_gpus */
};

enum gpu_xid_class { GPU_XID_IGNORED, GPU_XID_DEGRADE, GPU_XID_FATAL };

struct gpu_verdict {
	enum check_result result;
	enum check_kind kind;
	long factor;
	int healthy, bad;
	char reason[CHECK_REASON_MAX];
};

/* Parse a helper's first line. 0, or -1 with errno EINVAL and why. */
int gpu_answer_parse(const char *line, struct gpu_answer *a, char *why, size_t len);
/* Write an answer as the helper does (the helper and the tests). The
 * length it needs (snprintf's). */
int gpu_answer_format(const struct gpu_answer *a, char *buf, size_t len);

/* The text of one kernel log record: /dev/kmsg's "PRI,SEQ,TS,FLAGS;TEXT"
 * gives TEXT; anything else is taken as the text itself. */
const char *gpu_kmsg_text(const char *rec);
/* An NVRM Xid line: 0 and *x, or -1 with errno ENOENT when it is not one. */
int gpu_xid_parse(const char *text, struct gpu_xid *x);

/* Take an Xid into the state at now_us; what it is for p. */
enum gpu_xid_class gpu_xid_note(struct gpu_state *s, const struct gpu_params *p,
				const struct gpu_xid *x, uint64_t now_us);

/* The result of a run whose helper answered a. */
void gpu_verdict(struct gpu_state *s, const struct gpu_params *p, const struct gpu_answer *a,
		 uint64_t now_us, struct gpu_verdict *v);

/* GPU i (0 <= i < s->seen) as the latest run left it, at now_us. 0, or
 * -1 with errno ENOENT past the GPUs seen. */
int gpu_device_view(const struct gpu_state *s, int i, uint64_t now_us, struct gpu_dev_view *out);

const char *gpu_dev_state_name(enum gpu_dev_state st);  /* "ok", "lost", ... */
/* "0000:3b:00", or "?" when unknown; into buf (at least 16 bytes). */
const char *gpu_pci_text(const struct gpu_pci *pci, char *buf, size_t len);

#endif
