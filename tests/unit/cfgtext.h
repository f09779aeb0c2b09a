/* cfgtext.h: a configuration from text, for unit tests that need a whole
 * struct hafd_config (test_config, and the glue tests that run modules
 * in process). The text is read as file "t.conf"; an error prints every
 * message and fails the test. Header only: each test is one program. */
#ifndef HAFD_TEST_CFGTEXT_H
#define HAFD_TEST_CFGTEXT_H

#include <stdio.h>
#include <string.h>

#include "config.h"

/* Text into config_load_stream() as file "t.conf". 0 or -1 (errs filled). */
static inline int cfg_text_load(const char *text, struct hafd_config **cfg,
				struct config_errors *errs)
{
	FILE *f = strlen(text) ? fmemopen((void *)text, strlen(text), "r") : tmpfile();
	int rc;

	assert_non_null(f);
	rc = config_load_stream(f, "t.conf", cfg, errs);
	fclose(f);
	return rc;
}

/* The configuration of text, which must have no error. */
static inline struct hafd_config *cfg_text_ok(const char *text)
{
	struct hafd_config *cfg = NULL;
	struct config_errors errs;
	int rc = cfg_text_load(text, &cfg, &errs);

	for (size_t i = 0; i < errs.n; i++)
		print_message("unexpected: %s\n", errs.msgs[i]);
	assert_int_equal(rc, 0);
	assert_int_equal(errs.n, 0);
	assert_non_null(cfg);
	return cfg;
}

#endif
