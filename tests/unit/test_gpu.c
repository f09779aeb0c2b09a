/* The pure part of type = gpu (gpu.c): the helper's answer, NVRM Xid
 * lines as the driver writes them (../shared/golden/nvidia-smi and
 * tests/golden/nvidia-smi/dmesg-xid*.txt), and the verdict from GPU
 * states and Xids. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gpu.h"

#define S 1000000ull

static const unsigned fatal[] = { 48, 64, 74, 79, 95, 119, 120 };
static const unsigned degrade[] = { 13, 31, 43, 63, 94 };

static struct gpu_params params(int min_gpus, bool per_gpu)
{
	return (struct gpu_params){
		.min_gpus = min_gpus, .per_gpu = per_gpu, .fatal = fatal, .n_fatal = 7,
		.degrade = degrade, .n_degrade = 5, .window_us = 120 * S,
	};
}

static struct gpu_answer parse_ok(const char *line)
{
	struct gpu_answer a;
	char why[100];

	if (gpu_answer_parse(line, &a, why, sizeof(why)) < 0)
		fail_msg("'%s': %s", line, why);
	return a;
}

static void parse_bad(const char *line, const char *want)
{
	struct gpu_answer a;
	char why[100] = "";

	errno = 0;
	assert_int_equal(gpu_answer_parse(line, &a, why, sizeof(why)), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(why, want);
}

static void test_answer(void **state)
{
	struct gpu_answer a = parse_ok("nvml 1 3 ok@00:06 lost pending@0001:3b:00");
	char buf[200];

	(void)state;
	assert_int_equal(a.count, 3);
	assert_int_equal(a.st[0], GPU_DEV_OK);
	assert_true(a.pci[0].known);
	assert_int_equal(a.pci[0].dev, 6);
	assert_int_equal(a.st[1], GPU_DEV_LOST);
	assert_false(a.pci[1].known);
	assert_int_equal(a.st[2], GPU_DEV_PENDING);
	assert_int_equal(a.pci[2].domain, 1);
	assert_int_equal(a.pci[2].bus, 0x3b);
	/* What the helper writes reads back the same. */
	gpu_answer_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "nvml 1 3 ok@00:06 lost pending@0001:3b:00");
	a = parse_ok("nvml 1 0");
	assert_int_equal(a.count, 0);
	parse_bad("error nvmlInit_v2: Driver Not Loaded (NVML error 9)",
		  "nvmlInit_v2: Driver Not Loaded (NVML error 9)");
	parse_bad("", "no answer");
	parse_bad("hello", "not an answer of hafd-nvml");
	parse_bad("nvml 1 2 ok", "answer cut short");     /* a line cut at its end */
	parse_bad("nvml 1 1 ok ok", "more GPUs in the answer than counted");
	parse_bad("nvml 1 1 fine", "unknown GPU state in the answer");
	parse_bad("nvml 1 1 ok@zz:00", "bad PCI address in the answer");
	parse_bad("nvml 1 99", "GPU count out of range");
	parse_bad("nvml 1 1 okay", "unknown GPU state in the answer");
}

/* The longest answer, 32 GPUs with a pending remap and a 32-bit PCI
 * domain, fits GPU_ANSWER_MAX and reads back; cut where an older hafd
 * cut it (255 characters), it is refused, never read as fewer GPUs. */
static void test_answer_longest(void **state)
{
	struct gpu_answer a = { .count = GPU_MAX }, b;
	char buf[GPU_ANSWER_MAX], cut[256], why[100];
	int n;

	(void)state;
	for (int i = 0; i < GPU_MAX; i++) {
		a.st[i] = GPU_DEV_PENDING;
		a.pci[i] = (struct gpu_pci){ .domain = 0xffffffffu - (unsigned)i, .bus = 0xff,
					     .dev = 0x1f, .known = true };
	}
	n = gpu_answer_format(&a, buf, sizeof(buf));
	assert_int_equal(n, (int)GPU_ANSWER_MAX - 1);
	b = parse_ok(buf);
	assert_int_equal(b.count, GPU_MAX);
	assert_int_equal(b.st[GPU_MAX - 1], GPU_DEV_PENDING);
	assert_int_equal(b.pci[GPU_MAX - 1].domain, 0xffffffffu - (GPU_MAX - 1));
	/* 8 GPUs of the longest form fit even the old 255. */
	a.count = 8;
	assert_true(gpu_answer_format(&a, buf, sizeof(buf)) < 255);
	a.count = GPU_MAX;
	gpu_answer_format(&a, buf, sizeof(buf));
	memcpy(cut, buf, sizeof(cut) - 1);
	cut[sizeof(cut) - 1] = '\0';
	assert_int_equal(gpu_answer_parse(cut, &b, why, sizeof(why)), -1);
}

static void test_xid_parse(void **state)
{
	struct gpu_xid x;

	(void)state;
	/* The driver's line (issue 17, tests/golden/nvidia-smi/dmesg-xid.txt),
	 * as /dev/kmsg hands it: "PRI,SEQ,TS,FLAGS;TEXT". */
	assert_int_equal(gpu_xid_parse(gpu_kmsg_text("3,1234,56789,-;NVRM: Xid (PCI:0000:3b:00): "
						     "79, pid=1234, GPU has fallen off the bus."),
				       &x), 0);
	assert_int_equal(x.code, 79);
	assert_true(x.pci.known);
	assert_int_equal(x.pci.domain, 0);
	assert_int_equal(x.pci.bus, 0x3b);
	assert_int_equal(x.pci.dev, 0);
	/* As dmesg prints it, and the older form without "PCI:". */
	assert_int_equal(gpu_xid_parse("[ 269.5] NVRM: Xid (PCI:0000:10:1c): 63, pid=1896, Row "
				       "Remapper: New row marked for remapping", &x), 0);
	assert_int_equal(x.code, 63);
	assert_int_equal(x.pci.bus, 0x10);
	assert_int_equal(x.pci.dev, 0x1c);
	assert_int_equal(gpu_xid_parse("NVRM: Xid (0000:01:00): 3, C 00000005", &x), 0);
	assert_int_equal(x.code, 3);
	assert_true(x.pci.known);
	/* Not Xids: the capture's driver lines, and broken ones. */
	assert_int_equal(gpu_xid_parse("NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  "
				       "580.159.04", &x), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(gpu_xid_parse("NVRM: Xid (PCI:0000:3b:00): pid=1", &x), -1);
	assert_int_equal(gpu_xid_parse("NVRM: Xid (PCI:0000:3b:00", &x), -1);
	assert_int_equal(gpu_xid_parse("NVRM: Xid (PCI:0000:3b:00): 9999999", &x), -1);
	/* An unreadable device still gives the code. */
	assert_int_equal(gpu_xid_parse("NVRM: Xid (PCI:zz): 48, DBE", &x), 0);
	assert_int_equal(x.code, 48);
	assert_false(x.pci.known);
	/* kmsg's text only after a well-formed prefix. */
	assert_string_equal(gpu_kmsg_text("6,2,3,-;hello"), "hello");
	assert_string_equal(gpu_kmsg_text("a;b"), "a;b");
}

static void verdict(struct gpu_state *s, const struct gpu_params *p, const char *line,
		    uint64_t now, struct gpu_verdict *v)
{
	struct gpu_answer a = parse_ok(line);

	gpu_verdict(s, p, &a, now, v);
}

static void test_verdict_states(void **state)
{
	struct gpu_params p = params(1, false);
	struct gpu_state s = { 0 };
	struct gpu_verdict v;

	(void)state;
	verdict(&s, &p, "nvml 1 2 ok@00:06 ok@00:07", 0, &v);
	assert_int_equal(v.result, CHECK_RES_PASS);
	assert_string_equal(v.reason, "2 GPUs healthy");
	/* A pending row remap degrades. */
	verdict(&s, &p, "nvml 1 2 pending@00:06 ok@00:07", 0, &v);
	assert_int_equal(v.result, CHECK_RES_DEGRADED);
	assert_string_equal(v.reason, "GPU 0 (0000:00:06) row remap pending");
	/* Any bad GPU fails without gpu_weight, above min_gpus too. */
	verdict(&s, &p, "nvml 1 2 ok@00:06 lost", 0, &v);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_int_equal(v.factor, 1);
	assert_string_equal(v.reason, "GPU 1 (0000:00:07) lost: 1 bad, 1 healthy");
	/* A GPU gone from the enumeration is bad too: the most ever seen count. */
	verdict(&s, &p, "nvml 1 1 ok@00:06", 0, &v);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_string_equal(v.reason, "GPU 1 (0000:00:07) gone: 1 bad, 1 healthy");
	verdict(&s, &p, "nvml 1 2 ok@00:06 failed@00:07", 0, &v);
	assert_string_equal(v.reason, "GPU 1 (0000:00:07) row remap failed: 1 bad, 1 healthy");
	/* No GPU at all: below min_gpus. */
	s = (struct gpu_state){ 0 };
	verdict(&s, &p, "nvml 1 0", 0, &v);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_int_equal(v.factor, GPU_FACTOR_FATAL);
	assert_string_equal(v.reason, "0 GPUs found, below min_gpus 1");
}

static void test_verdict_min_gpus(void **state)
{
	struct gpu_params tp = params(4, false), dp = params(2, true);
	struct gpu_state s = { 0 };
	struct gpu_verdict v;

	(void)state;
	/* Tensor parallel over 4: one lost is fatal (FAULT through the factor). */
	verdict(&s, &tp, "nvml 1 4 ok@00:06 lost@00:07 ok@00:08 ok@00:09", 0, &v);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_int_equal(v.factor, GPU_FACTOR_FATAL);
	assert_int_equal(v.healthy, 3);
	assert_string_equal(v.reason, "GPU 1 (0000:00:07) lost: 3 healthy, below min_gpus 4");
	/* Data parallel with gpu_weight: the factor is the bad count... */
	s = (struct gpu_state){ 0 };
	verdict(&s, &dp, "nvml 1 4 ok@00:06 lost ok@00:08 error@00:09", 0, &v);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_int_equal(v.factor, 2);
	assert_int_equal(v.bad, 2);
	/* ...until fewer than min_gpus are left. */
	verdict(&s, &dp, "nvml 1 4 lost lost ok@00:08 error@00:09", 0, &v);
	assert_int_equal(v.factor, GPU_FACTOR_FATAL);
}

static void test_verdict_xid(void **state)
{
	struct gpu_params p = params(1, true);
	struct gpu_state s = { 0 };
	struct gpu_verdict v;
	struct gpu_xid x;

	(void)state;
	verdict(&s, &p, "nvml 1 2 ok@00:06 ok@00:07", 0, &v);
	assert_int_equal(v.result, CHECK_RES_PASS);
	/* A degrading Xid degrades for the window, then no more. */
	assert_int_equal(gpu_xid_parse("NVRM: Xid (PCI:0000:00:06): 13, pid=7, Graphics Exception",
				       &x), 0);
	assert_int_equal(gpu_xid_note(&s, &p, &x, 10 * S), GPU_XID_DEGRADE);
	verdict(&s, &p, "nvml 1 2 ok@00:06 ok@00:07", 20 * S, &v);
	assert_int_equal(v.result, CHECK_RES_DEGRADED);
	assert_string_equal(v.reason, "Xid 13 on 0000:00:06");
	verdict(&s, &p, "nvml 1 2 ok@00:06 ok@00:07", 130 * S, &v);
	assert_int_equal(v.result, CHECK_RES_PASS);
	/* An unlisted Xid does nothing. */
	assert_int_equal(gpu_xid_parse("NVRM: Xid (PCI:0000:00:06): 999, x", &x), 0);
	assert_int_equal(gpu_xid_note(&s, &p, &x, 130 * S), GPU_XID_IGNORED);
	/* A fatal Xid makes its GPU bad, while NVML still says ok, and stays. */
	assert_int_equal(gpu_xid_parse("NVRM: Xid (PCI:0000:00:07): 79, pid=1, GPU has fallen off "
				       "the bus.", &x), 0);
	assert_int_equal(gpu_xid_note(&s, &p, &x, 140 * S), GPU_XID_FATAL);
	assert_int_equal(gpu_xid_note(&s, &p, &x, 141 * S), GPU_XID_FATAL);  /* counted once */
	verdict(&s, &p, "nvml 1 2 ok@00:06 ok@00:07", 150 * S, &v);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_int_equal(v.bad, 1);
	assert_int_equal(v.factor, 1);
	assert_string_equal(v.reason, "GPU 1 (0000:00:07) Xid 79: 1 bad, 1 healthy");
	/* NVML then loses it: still one bad GPU, not two. */
	verdict(&s, &p, "nvml 1 2 ok@00:06 lost", 160 * S, &v);
	assert_int_equal(v.bad, 1);
	/* A fatal Xid on a device NVML never named: one more bad GPU. */
	assert_int_equal(gpu_xid_parse("NVRM: Xid (PCI:0000:3b:00): 48, DBE", &x), 0);
	gpu_xid_note(&s, &p, &x, 170 * S);
	verdict(&s, &p, "nvml 1 2 ok@00:06 ok@00:07", 180 * S, &v);
	assert_int_equal(v.bad, 2);
	assert_int_equal(v.factor, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_answer_longest),
		cmocka_unit_test(test_xid_parse),
		cmocka_unit_test(test_verdict_states),
		cmocka_unit_test(test_verdict_min_gpus),
		cmocka_unit_test(test_verdict_xid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
