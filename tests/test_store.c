/* SPDX-License-Identifier: MIT */
/* test_store.c - the case database: schema versions, per-source
 * transactions, dedupe, the sink, read-only queries. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "support/testutil.h"

static char dbpath[4200];

static void
setup(void)
{
	const char *dir = test_tmpdir("store");

	cr_assert(dir);
	snprintf(dbpath, sizeof(dbpath), "%s/case.db", dir);
}

static struct store *
open_rw(void)
{
	struct store *s = NULL;
	char *err = NULL;

	cr_assert_eq(store_open(dbpath, STORE_RW, &s, &err), STORE_OK, "%s", err ? err : "");
	return s;
}

static int
count_cb(void *ctx, int ncol, const char *const *names, const char *const *values, const int *types)
{
	(void)ncol, (void)names, (void)types;
	if (values)
		*(long *)ctx = atol(values[0] ? values[0] : "0");
	return 0;
}

static long
count(struct store *s, const char *sql)
{
	long n = -1;

	cr_assert_eq(store_query(s, sql, count_cb, &n), STORE_OK, "%s", store_errmsg(s));
	return n;
}

static const struct store_source src_a = { "case/trace-a.log", "trace-a.log", NULL, 0, 100, 0,
					   "trace", "utf-8" };

static void
put_events(struct store *s, int n)
{
	const struct ec_sink *k = store_sink(s);

	for (int i = 0; i < n; i++) {
		struct ec_kv kv[2] = { { SV_LIT("Data[1]"), SV_LIT("x") }, { SV_LIT("name"), SV_LIT("v") } };
		struct ec_event ev = { .line = (uint64_t)i + 1, .offset = (uint64_t)i * 10,
				       .time_ms = 1778400902129 + i, .tod_ms = -1,
				       .timeq = TQ_HEADER_OFFSET, .level = i == 1 ? LVL_ERROR : LVL_INFO,
				       .event_id = -1, .message = SV_LIT("hello\nworld"), .data = kv,
				       .ndata = 2 };
		struct ec_fact f = { SV_LIT("wizard.version"), SV_NULL, SV_LIT("2.2.8.0"), true };

		cr_assert_eq(k->event(k->ctx, &ev), 0);
		if (i == 0)
			cr_assert_eq(k->fact(k->ctx, &f), 0);
	}
	cr_assert_eq(ec_problemf(k, 3, 30, 1, 5, "line %d is odd", 3), 0);
}

Test(store, new_database_has_current_schema, .init = setup)
{
	struct store *s = open_rw();

	cr_assert_eq(count(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	cr_assert_eq(count(s, "SELECT count(*) FROM sqlite_schema WHERE name IN ('source','event',"
			      "'event_data','fact','finding','evidence','episode','run','run_step','problem')"),
		     10);
	store_close(s);
}

Test(store, source_commit_stores_events_facts_problems, .init = setup)
{
	struct store *s = open_rw();

	cr_assert_eq(store_begin_source(s, &src_a), STORE_OK);
	put_events(s, 3);
	cr_assert_eq(store_commit_source(s, "aa", 100, NULL), STORE_OK);
	cr_assert_eq(count(s, "SELECT count(*) FROM event"), 3);
	cr_assert_eq(count(s, "SELECT count(*) FROM event_data"), 6);
	cr_assert_eq(count(s, "SELECT count(*) FROM event WHERE time = '2026-05-10T08:15:02.130Z'"), 1);
	cr_assert_eq(count(s, "SELECT count(*) FROM event WHERE level = 'error' AND line = 2"), 1);
	cr_assert_eq(count(s, "SELECT records * 1000 + skipped * 100 + problems FROM source"), 3101);
	cr_assert_eq(count(s, "SELECT bytes_skipped FROM source"), 5);
	cr_assert_eq(count(s, "SELECT count(*) FROM fact f JOIN event e ON e.id = f.event_id"
			      " WHERE f.name = 'wizard.version' AND e.ordinal = 1"),
		     1);
	cr_assert_eq(count(s, "SELECT count(*) FROM problem WHERE line = 3 AND offset = 30"), 1);
	store_close(s);
}

Test(store, rollback_leaves_nothing, .init = setup)
{
	struct store *s = open_rw();

	cr_assert_eq(store_begin_source(s, &src_a), STORE_OK);
	put_events(s, 5);
	store_rollback_source(s);
	cr_assert_eq(count(s, "SELECT count(*) FROM event"), 0);
	cr_assert_eq(count(s, "SELECT count(*) FROM source"), 0);
	store_close(s);
}

Test(store, uncommitted_source_is_gone_after_reopen, .init = setup)
{
	struct store *s = open_rw();

	cr_assert_eq(store_begin_source(s, &src_a), STORE_OK);
	put_events(s, 5);
	store_close(s);	/* as if the process ended mid-source */
	s = open_rw();
	cr_assert_eq(count(s, "SELECT count(*) FROM source"), 0);
	cr_assert_eq(count(s, "SELECT count(*) FROM event"), 0);
	store_close(s);
}

Test(store, same_content_elsewhere_is_a_duplicate, .init = setup)
{
	struct store *s = open_rw();
	struct store_source b = src_a;
	int64_t dup = 0;

	b.path = "case/copy/trace-a.log";
	cr_assert_eq(store_begin_source(s, &src_a), STORE_OK);
	put_events(s, 2);
	cr_assert_eq(store_commit_source(s, "cafe", 100, NULL), STORE_OK);
	cr_assert_eq(store_begin_source(s, &b), STORE_OK);
	put_events(s, 2);
	cr_assert_eq(store_commit_source(s, "cafe", 100, &dup), STORE_DUPLICATE);
	cr_assert_gt(dup, 0);
	cr_assert_eq(count(s, "SELECT count(*) FROM event"), 2);
	cr_assert_eq(count(s, "SELECT count(*) FROM source WHERE status = 'duplicate' AND duplicate_of = 1"), 1);
	cr_assert_neq(store_content_find(s, "cafe"), 0);
	cr_assert_neq(store_source_find(s, "case/trace-a.log", "cafe"), 0);
	cr_assert_eq(store_source_find(s, "case/trace-a.log", "beef"), 0);
	cr_assert(store_path_size_known(s, "case/trace-a.log", 100));
	cr_assert(!store_path_size_known(s, "case/trace-a.log", 101));
	store_close(s);
}

Test(store, noting_a_source_twice_changes_nothing, .init = setup)
{
	struct store *s = open_rw();

	cr_assert_eq(store_note_source(s, &src_a, "ab", "skipped", "text", 0, 0), STORE_OK);
	cr_assert_eq(store_note_source(s, &src_a, "ab", "skipped", "text", 0, 0), STORE_OK);
	cr_assert_eq(count(s, "SELECT count(*) FROM source"), 1);
	store_close(s);
}

Test(store, newer_schema_is_refused, .init = setup)
{
	struct store *s = open_rw();
	char *err = NULL;
	char cmd[8500];

	store_close(s);
	snprintf(cmd, sizeof(cmd), "python3 -c \"import sqlite3; c=sqlite3.connect('%s');"
				   " c.execute('PRAGMA user_version=%d'); c.commit()\"",
		 dbpath, STORE_SCHEMA_VERSION + 1);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(store_open(dbpath, STORE_RW, &s, &err), STORE_NEWER);
	cr_assert_null(s);
	cr_assert(strstr(err, "newer ecdiag"), "%s", err);
	free(err);
	cr_assert_eq(store_open(dbpath, STORE_RO, &s, &err), STORE_NEWER);
	free(err);
}

Test(store, not_a_database_is_refused, .init = setup)
{
	struct store *s = NULL;
	char *err = NULL;
	FILE *f = fopen(dbpath, "w");

	fputs("this is not sqlite, but long enough to be read as a header by sqlite3..........", f);
	fclose(f);
	cr_assert_lt(store_open(dbpath, STORE_RW, &s, &err), 0);
	cr_assert_null(s);
	cr_assert(err && strstr(err, dbpath), "%s", err ? err : "");
	free(err);
}

Test(store, readonly_open_of_missing_file_fails, .init = setup)
{
	struct store *s = NULL;
	char *err = NULL;

	cr_assert_lt(store_open(dbpath, STORE_RO, &s, &err), 0);
	cr_assert(err && strstr(err, "case database"), "%s", err ? err : "");
	free(err);
}

Test(store, query_refuses_writes_and_multiple_statements, .init = setup)
{
	struct store *s = open_rw();
	long n = 0;

	cr_assert_eq(store_query(s, "DELETE FROM event", count_cb, &n), STORE_ERROR);
	cr_assert(strstr(store_errmsg(s), "read-only"));
	cr_assert_eq(store_query(s, "SELECT 1; DROP TABLE event", count_cb, &n), STORE_ERROR);
	cr_assert(strstr(store_errmsg(s), "one statement"));
	cr_assert_eq(count(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'event'"), 1);
	store_close(s);
}

Test(store, analysis_replaces_previous_and_tracks_currency, .init = setup)
{
	struct store *s = open_rw();
	struct store_finding f = { "R1", "t", "warning", "low", NULL, NULL, NULL, NULL, NULL };

	cr_assert_eq(store_begin_source(s, &src_a), STORE_OK);
	put_events(s, 1);
	cr_assert_eq(store_commit_source(s, "aa", 100, NULL), STORE_OK);
	cr_assert(!store_analysis_current(s));
	for (int round = 0; round < 2; round++) {
		cr_assert_eq(store_begin_analysis(s), STORE_OK);
		cr_assert_gt(store_add_finding(s, &f), 0);
		cr_assert_eq(store_add_fact(s, 1, 0, "case.target_version", NULL, "2.2.8.0"), STORE_OK);
		cr_assert_eq(store_end_analysis(s, true), STORE_OK);
	}
	cr_assert_eq(count(s, "SELECT count(*) FROM finding"), 1);
	cr_assert_eq(count(s, "SELECT count(*) FROM fact WHERE origin = 'analyzer'"), 1);
	cr_assert_eq(count(s, "SELECT count(*) FROM fact WHERE origin = 'parser'"), 1);
	cr_assert(store_analysis_current(s));
	store_close(s);
}
