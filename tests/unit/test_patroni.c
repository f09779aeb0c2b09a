/* patroni_judge(): the answers of Patroni's REST API that hafd must tell
 * apart. The bodies are Patroni 3.0.2's, as patroni/api.py
 * (get_postgresql_status) builds them: the leader, a replica, a leader whose
 * PostgreSQL restarts in place after a crash (query failed: the remembered
 * role "master" with state "unknown" or "starting"), a leader still in
 * recovery, and 4.x's "primary". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "patroni.h"

static enum check_result judge(int status, const char *body, enum check_kind *kind, char *why)
{
	return patroni_judge(status, body, strlen(body), kind, why, CHECK_REASON_MAX);
}

static const char leader[] =
	"{\"state\": \"running\", \"postmaster_start_time\": \"2026-12-03 13:00:00.1+00:00\", "
	"\"role\": \"master\", \"server_version\": 150018, \"xlog\": {\"location\": 50331968}, "
	"\"timeline\": 2, \"replication\": [{\"usename\": \"replicator\", \"application_name\": "
	"\"pg2\", \"client_addr\": \"10.0.0.2\", \"state\": \"streaming\", \"sync_state\": "
	"\"sync\", \"sync_priority\": 1}], \"dcs_last_seen\": 1764766800, \"database_system_"
	"identifier\": \"7444\", \"patroni\": {\"version\": \"3.0.2\", \"scope\": \"pg\"}}";

static void test_leader(void **state)
{
	enum check_kind kind;
	char why[CHECK_REASON_MAX];

	(void)state;
	assert_int_equal(judge(200, leader, &kind, why), CHECK_RES_PASS);
	assert_int_equal(kind, CHECK_KIND_OK);
	assert_string_equal(why, "leader, read-write (role master, state running)");
	/* Patroni 4.x says primary. */
	assert_int_equal(judge(200, "{\"state\": \"running\", \"role\": \"primary\", \"xlog\": "
			       "{\"location\": 1}}", &kind, why), CHECK_RES_PASS);
}

static void test_not_leader(void **state)
{
	enum check_kind kind;
	char why[CHECK_REASON_MAX];

	(void)state;
	assert_int_equal(judge(503, "{\"state\": \"running\", \"role\": \"replica\", \"xlog\": "
			       "{\"received_location\": 1, \"replayed_location\": 1, \"paused\": "
			       "false}, \"sync_standby\": true}", &kind, why), CHECK_RES_FAIL);
	assert_int_equal(kind, CHECK_KIND_BAD_STATUS);
	assert_string_equal(why, "status 503: not the leader (role replica, state running)");
	/* A demoted primary: still read-write for a moment, but no lock. */
	assert_int_equal(judge(503, leader, &kind, why), CHECK_RES_FAIL);
	assert_string_equal(why, "status 503: not the leader (role master, state running)");
	/* Not JSON at all (a proxy's page), or empty. */
	assert_int_equal(judge(503, "", &kind, why), CHECK_RES_FAIL);
	assert_string_equal(why, "status 503: not the leader (role ?, state ?)");
	assert_int_equal(judge(200, "<html>ok</html>", &kind, why), CHECK_RES_FAIL);
	assert_int_equal(kind, CHECK_KIND_BAD_BODY);
}

/* The lock holder whose PostgreSQL is not read-write: /primary is 200 in
 * 3.0.2 (ha.is_leader() alone), the body tells. */
static void test_leader_not_writable(void **state)
{
	enum check_kind kind;
	char why[CHECK_REASON_MAX];

	(void)state;
	/* The query failed while running: Patroni says unknown, keeps master. */
	assert_int_equal(judge(200, "{\"state\": \"unknown\", \"role\": \"master\", "
			       "\"dcs_last_seen\": 1}", &kind, why), CHECK_RES_FAIL);
	assert_int_equal(kind, CHECK_KIND_BAD_BODY);
	assert_string_equal(why, "status 200, the leader, but PostgreSQL is not read-write "
			    "(role master, state unknown)");
	/* Restarting in place after a crash. */
	assert_int_equal(judge(200, "{\"state\": \"starting\", \"role\": \"master\"}", &kind,
			       why), CHECK_RES_FAIL);
	/* Promoted by Patroni, still in recovery (pg_ctl promote not done). */
	assert_int_equal(judge(200, "{\"state\": \"running\", \"role\": \"replica\", \"xlog\": "
			       "{\"received_location\": 1, \"replayed_location\": 1}}", &kind, why),
			 CHECK_RES_FAIL);
	/* master and running, but no xlog location: not proven. */
	assert_int_equal(judge(200, "{\"state\": \"running\", \"role\": \"master\"}", &kind, why),
			 CHECK_RES_FAIL);
	/* A nested "role" does not count: only the top level. */
	assert_int_equal(judge(200, "{\"state\": \"running\", \"patroni\": {\"role\": \"master\"},"
			       " \"role\": \"replica\", \"xlog\": {\"location\": 1}}", &kind, why),
			 CHECK_RES_FAIL);
	/* Truncated JSON. */
	assert_int_equal(judge(200, "{\"state\": \"running\", \"role\": \"master\", \"xlog\": "
			       "{\"locat", &kind, why), CHECK_RES_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leader),
		cmocka_unit_test(test_not_leader),
		cmocka_unit_test(test_leader_not_writable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
