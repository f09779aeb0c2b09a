/* libFuzzer target: the configuration parser and validator on arbitrary
 * text (every error path, the did-you-mean search, free of all of it). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs = { 0 };
	struct hafd_config *cfg = NULL;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!f)
		return 0;
	if (config_load_stream(f, "fuzz.conf", &cfg, &errs) == 0) {
		/* A valid config must compare equal to itself. */
		for (size_t i = 0; i < cfg->n_instances; i++)
			if (!config_instance_compatible(&cfg->instances[i], &cfg->instances[i]))
				__builtin_trap();
		config_free(cfg);
	}
	config_errors_free(&errs);
	fclose(f);
	return 0;
}
