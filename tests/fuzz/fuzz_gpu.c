/* libFuzzer target: what a gpu check reads from outside (gpu.c): the
 * helper's answer and kernel log lines, then the verdict from them. The
 * first byte picks answer or log text; both are NUL-terminated copies,
 * as the runner hands them over. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned fatal[] = { 48, 79 }, degrade[] = { 13 };
	struct gpu_params p = { .min_gpus = 2, .per_gpu = true, .fatal = fatal, .n_fatal = 2,
				.degrade = degrade, .n_degrade = 1, .window_us = 1000 };
	static struct gpu_state s;
	struct gpu_answer a;
	struct gpu_verdict v;
	struct gpu_xid x;
	char why[256], *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1) {
		if (gpu_xid_parse(gpu_kmsg_text(text), &x) == 0)
			gpu_xid_note(&s, &p, &x, data[0]);
	} else if (gpu_answer_parse(text, &a, why, sizeof(why)) == 0) {
		char back[1024];

		gpu_verdict(&s, &p, &a, data[0], &v);
		if (v.healthy < 0 || v.bad < 0 || strlen(v.reason) >= sizeof(v.reason))
			abort();
		gpu_answer_format(&a, back, sizeof(back));
	}
	if (s.n_fatal > GPU_MAX)
		abort();
	free(text);
	return 0;
}
