/* patroni.c: the leader test of request = patroni (rules in patroni.h). */
#include "patroni.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "http_parse.h"

enum check_result patroni_judge(int status, const char *body, size_t n, enum check_kind *kind,
				char *why, size_t wlen)
{
	char role[32] = "?", state[32] = "?";
	bool rw;

	if (http_json_str(body, n, "role", role, sizeof(role)) < 0)
		snprintf(role, sizeof(role), "?");
	if (http_json_str(body, n, "state", state, sizeof(state)) < 0)
		snprintf(state, sizeof(state), "?");
	if (status != 200) {
		*kind = CHECK_KIND_BAD_STATUS;
		snprintf(why, wlen, "status %d: not the leader (role %s, state %s)", status,
			 role, state);
		return CHECK_RES_FAIL;
	}
	rw = (!strcmp(role, "master") || !strcmp(role, "primary")) && !strcmp(state, "running") &&
		http_json_has(body, n, "xlog", "location");
	if (!rw) {
		*kind = CHECK_KIND_BAD_BODY;
		snprintf(why, wlen, "status 200, the leader, but PostgreSQL is not read-write "
			 "(role %s, state %s)", role, state);
		return CHECK_RES_FAIL;
	}
	*kind = CHECK_KIND_OK;
	snprintf(why, wlen, "leader, read-write (role %s, state running)", role);
	return CHECK_RES_PASS;
}
