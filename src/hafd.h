/* hafd.h: struct hafd, the one top-level context passed explicitly. */
#ifndef HAFD_HAFD_H
#define HAFD_HAFD_H

#include <stdbool.h>

struct loop;
struct hafd_config;

struct hafd_opts {
	const char *config_file;
	const char *pid_file;
	bool dont_fork;
	bool log_console;
	bool log_detail;
	bool config_test;
};

struct hafd {
	struct hafd_opts opts;
	struct hafd_config *cfg;
	struct loop *loop;
};

#endif
