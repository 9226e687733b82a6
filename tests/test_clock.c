/* SPDX-License-Identifier: MIT */
/* test_clock.c - the case's one clock (analyzer/clock.c with store/clock.c):
 * records fed through the store's sink, settled, read back with SQL. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/clock.h"
#include "store/store.h"
#include "support/testutil.h"

static char dbpath[4200];

static void
setup(void)
{
	const char *dir = test_tmpdir("clock");

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

/* The first column of the first row, as text (at most 255 bytes). */
struct one {
	char v[256];
	bool seen;
};

static int
one_cb(void *ctx, int ncol, const char *const *names, const char *const *values, const int *types)
{
	struct one *o = ctx;

	(void)ncol, (void)names, (void)types;
	if (values && !o->seen) {
		snprintf(o->v, sizeof(o->v), "%s", values[0] ? values[0] : "NULL");
		o->seen = true;
	}
	return 0;
}

static const char *
q1(struct store *s, const char *sql)
{
	static struct one o;

	memset(&o, 0, sizeof(o));
	cr_assert_eq(store_query(s, sql, one_cb, &o), STORE_OK, "%s: %s", sql, store_errmsg(s));
	return o.seen ? o.v : "(no row)";
}

#define MS_2026_05_10 1778371200000LL	/* 2026-05-10T00:00:00Z */

static void
begin(struct store *s, const char *path, const char *format)
{
	const char *b = strrchr(path, '/');
	struct store_source src = { path, b ? b + 1 : path, NULL, 0, 100, 0, format, "utf-8" };

	cr_assert_eq(store_begin_source(s, &src), STORE_OK, "%s", store_errmsg(s));
}

static void
commit(struct store *s, const char *sha)
{
	cr_assert_eq(store_commit_source(s, sha, 100, NULL), STORE_OK, "%s", store_errmsg(s));
}

/* A run of connector "contoso.com", number n, starting at ms (as the
 * parser would give it) with one step that has one error. */
static void
put_run(struct store *s, int64_t n, int64_t ms, enum ec_timeq q)
{
	const struct ec_sink *k = store_sink(s);
	struct ec_run_error err = { SV_LIT("export"), SV_LIT("CN=x"), SV_LIT("permission-issue"),
				    SV_LIT("8344"), SV_LIT("denied"), { ms + 5000, -1, q } };
	struct ec_run_step step = { .step_number = 1, .step_type = SV_LIT("export"),
				    .step_class = "export", .result = SV_LIT("completed-export-errors"),
				    .result_class = "completed-errors", .start = { ms, -1, q },
				    .end = { ms + 9000, -1, q }, .errors = &err, .nerrors = 1,
				    .error_count = 1 };
	struct ec_run r = { .line = (uint64_t)n, .connector = SV_LIT("contoso.com"),
			    .profile = SV_LIT("Export"), .run_number = n, .result = SV_LIT("completed-export-errors"),
			    .result_class = "completed-errors", .start = { ms, -1, q },
			    .end = { ms + 10000, -1, q }, .steps = &step, .nsteps = 1 };

	cr_assert_eq(k->run(k->ctx, &r), 0);
}

Test(clock, local_run_history_takes_the_offset_of_the_same_runs_in_utc, .init = setup)
{
	struct store *s = open_rw();
	struct clock_summary sum;

	/* The same three runs: UTC, and written in local time at +05:30
	 * (read as UTC, so 5 h 30 min late). */
	begin(s, "case/runs-utc.xml", "runxml");
	for (int i = 0; i < 3; i++)
		put_run(s, 100 + i, MS_2026_05_10 + i * 1800000LL, TQ_EXACT);
	commit(s, "aa");
	begin(s, "case/runs-local.csv", "runcsv");
	for (int i = 0; i < 3; i++)
		put_run(s, 100 + i, MS_2026_05_10 + 330 * 60000LL + i * 1800000LL, TQ_LOCAL_ASSUMED);
	commit(s, "bb");
	cr_assert_str_eq(q1(s, "SELECT clock FROM source WHERE id = 2"), "assumed");
	cr_assert_eq(clock_settle(s, &sum), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(sum.moved, 1);
	clock_summary_release(&sum);
	cr_assert_str_eq(q1(s, "SELECT clock || ' ' || utc_offset FROM source WHERE id = 2"), "derived 330");
	cr_assert_str_eq(q1(s, "SELECT count(*) FROM run WHERE source_id = 2 AND time_q = 'local-derived'"), "3");
	/* every time of the local runs is now the UTC one */
	cr_assert_str_eq(q1(s, "SELECT count(*) FROM run a JOIN run b ON b.run_number = a.run_number"
			       " AND b.source_id = 1 WHERE a.source_id = 2 AND a.start_time = b.start_time"
			       " AND a.end_time = b.end_time"),
			 "3");
	cr_assert_str_eq(q1(s, "SELECT count(*) FROM run_step t JOIN run r ON r.id = t.run_id"
			       " WHERE r.source_id = 2 AND t.start_time = r.start_time"),
			 "3");
	cr_assert_str_eq(q1(s, "SELECT x.time FROM run_error x JOIN run_step t ON t.id = x.step_id"
			       " JOIN run r ON r.id = t.run_id WHERE r.source_id = 2 AND r.run_number = 100"),
			 "2026-05-10T00:00:05.000Z");
	/* Settling again moves nothing. */
	cr_assert_eq(clock_settle(s, &sum), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(sum.moved, 0);
	clock_summary_release(&sum);
	cr_assert_str_eq(q1(s, "SELECT min(start_time) FROM run WHERE source_id = 2"), "2026-05-10T00:00:00.000Z");
	store_close(s);
}

/* A Windows event with a record id. */
static void
put_event(struct store *s, uint64_t record, int64_t ms, enum ec_timeq q, const char *computer)
{
	const struct ec_sink *k = store_sink(s);
	struct ec_winevent w = { .record_id = record, .channel = SV_LIT("Application"),
				 .computer = sv_cstr(computer), .qualifiers = -1, .task = -1,
				 .opcode = -1, .win_level = 4, .process_id = -1, .thread_id = -1 };
	struct ec_event ev = { .line = record, .offset = UINT64_MAX, .time_ms = ms, .tod_ms = -1,
			       .timeq = q, .level = LVL_INFO, .provider = SV_LIT("ADSync"),
			       .event_id = 904, .message = SV_LIT("Scheduler::SchedulerThreadMain : done."),
			       .win = &w };

	cr_assert_eq(k->event(k->ctx, &ev), 0);
}

Test(clock, events_match_by_record_id_and_only_on_their_computer, .init = setup)
{
	struct store *s = open_rw();
	struct clock_summary sum;

	begin(s, "case/app.evtx", "evtx");
	for (int i = 0; i < 4; i++)
		put_event(s, 7000 + (uint64_t)i, MS_2026_05_10 + i * 60000LL + 123, TQ_EXACT, "SYNC01.contoso.com");
	commit(s, "e1");
	/* the same records written at -04:00 (4 h early read as UTC) */
	begin(s, "case/app.csv", "pscsv");
	for (int i = 0; i < 4; i++)
		put_event(s, 7000 + (uint64_t)i, MS_2026_05_10 - 240 * 60000LL + i * 60000LL, TQ_LOCAL_ASSUMED,
			  "sync01");
	commit(s, "e2");
	/* the same record ids on another computer: never matched with SYNC01's */
	begin(s, "case/other.csv", "pscsv");
	for (int i = 0; i < 4; i++)
		put_event(s, 7000 + (uint64_t)i, MS_2026_05_10 + 60 * 60000LL + i * 60000LL, TQ_LOCAL_ASSUMED,
			  "SYNC02.contoso.com");
	commit(s, "e3");
	cr_assert_eq(clock_settle(s, &sum), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(sum.nhosts, 2);
	cr_assert_str_eq(sum.hosts[0].name, "SYNC01");
	cr_assert_eq(sum.hosts[0].files, 2);
	cr_assert_str_eq(sum.hosts[1].name, "SYNC02");
	clock_summary_release(&sum);
	cr_assert_str_eq(q1(s, "SELECT clock || ' ' || utc_offset FROM source WHERE id = 2"), "derived -240");
	cr_assert_str_eq(q1(s, "SELECT min(time) || ' ' || time_q FROM event WHERE source_id = 2"),
			 "2026-05-10T00:00:00.000Z local-derived");
	cr_assert_str_eq(q1(s, "SELECT first_time FROM source WHERE id = 2"), "2026-05-10T00:00:00.000Z");
	cr_assert_str_eq(q1(s, "SELECT clock || ' ' || utc_offset FROM source WHERE id = 3"), "assumed 0");
	cr_assert_str_eq(q1(s, "SELECT DISTINCT time_q FROM event WHERE source_id = 3"), "local-assumed");
	store_close(s);
}

Test(clock, host_keys_and_offsets)
{
	char k[16], o[8];

	clock_host_key("SYNC01.contoso.com", k, sizeof(k));
	cr_assert_str_eq(k, "sync01");
	clock_host_key("Sync01", k, sizeof(k));
	cr_assert_str_eq(k, "sync01");
	clock_host_key("a-very-long-computer-name", k, 8);
	cr_assert_str_eq(k, "a-very-");
	clock_offset_text(120, o);
	cr_assert_str_eq(o, "+02:00");
	clock_offset_text(-330, o);
	cr_assert_str_eq(o, "-05:30");
	clock_offset_text(0, o);
	cr_assert_str_eq(o, "+00:00");
}
