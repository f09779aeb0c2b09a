/* cfgtext.h: a configuration from text, for unit tests that need a whole
 * struct hafd_config (test_config, and the glue tests that run modules
 * in process). The text is read as file "t.conf"; an error prints every
 * message and fails the test. Header only: each test is one program. */
#ifndef HAFD_TEST_CFGTEXT_H
#define HAFD_TEST_CFGTEXT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The configuration file rel (e.g. "etc/examples/patroni.conf") of the
 * source tree (HAFD_SRCDIR, else "."), which must load without error. */
static inline struct hafd_config *cfg_source_ok(const char *rel)
{
	const char *src = getenv("HAFD_SRCDIR");
	struct hafd_config *cfg = NULL;
	struct config_errors errs;
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	rc = config_load(path, &cfg, &errs);
	for (size_t i = 0; i < errs.n; i++)
		print_message("%s\n", errs.msgs[i]);
	assert_int_equal(rc, 0);
	assert_non_null(cfg);
	return cfg;
}

/* text fails to load with exactly the errors want (NULL-terminated), and
 * leaves *cfg NULL (it starts non-NULL, so that clearing it shows). */
static inline void expect_errors(const char *text, const char *const *want)
{
	struct hafd_config *cfg = (struct hafd_config *)&cfg;
	struct config_errors errs;
	int rc = cfg_text_load(text, &cfg, &errs);
	size_t n = 0;
	bool same;

	while (want[n])
		n++;
	same = errs.n == n;
	for (size_t i = 0; same && i < n; i++)
		same = !strcmp(errs.msgs[i], want[i]);
	if (!same) {
		for (size_t i = 0; i < n; i++)
			print_message("want: %s\n", want[i]);
		for (size_t i = 0; i < errs.n; i++)
			print_message("got:  %s\n", errs.msgs[i]);
	}
	assert_int_equal(rc, -1);
	assert_null(cfg);
	assert_true(same);
	config_errors_free(&errs);
}

#define EXPECT(text, ...) expect_errors(text, (const char *const[]){ __VA_ARGS__, NULL })

#endif
