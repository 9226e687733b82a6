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
			      "'event_data','fact','finding','evidence','episode','run','run_step','problem',"
			      "'upgrade','sync_connector','missing_evidence','unexplained')"),
		     14);
	cr_assert_eq(count(s, "SELECT count(*) FROM pragma_table_info('finding') WHERE name IN"
			      " ('kind','rank','explained_by','data')"),
		     4);
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

/* ---- schema 5: analysis tables -------------------------------------------- */

static const struct store_source src_w = { "case/Application.evtx", "Application.evtx", NULL, 0, 4096,
					   0, "evtx", "binary" };
static const struct store_source src_r = { "case/runs.xml", "runs.xml", NULL, 0, 500, 0, "runxml",
					   "utf-8" };

/* n Windows events: record ids 1001.., event id 6000 + i, line i + 1. */
static void
put_win_events(struct store *s, int n)
{
	const struct ec_sink *k = store_sink(s);

	for (int i = 0; i < n; i++) {
		char msg[64];
		struct ec_winevent w = { .record_id = 1001 + (uint64_t)i, .channel = SV_LIT("Application"),
					 .qualifiers = -1, .task = -1, .opcode = -1, .win_level = -1,
					 .process_id = -1, .thread_id = -1 };
		struct ec_kv kv[1] = { { SV_LIT("Data[1]"), SV_LIT("payload") } };
		struct ec_event ev = { .line = (uint64_t)i + 1, .offset = UINT64_MAX,
				       .time_ms = 1778400000000 + i * 1000, .tod_ms = -1, .timeq = TQ_EXACT,
				       .level = LVL_ERROR, .provider = SV_LIT("ADSync"),
				       .event_id = 6000 + i, .data = kv, .ndata = 1, .win = &w };

		snprintf(msg, sizeof(msg), "windows event %d", i);
		ev.message = sv_cstr(msg);
		cr_assert_eq(k->event(k->ctx, &ev), 0);
	}
}

/* Text events without an event id nor data: line i + 1, "text event i". */
static void
put_text_events(struct store *s, int n)
{
	const struct ec_sink *k = store_sink(s);

	for (int i = 0; i < n; i++) {
		char msg[64];
		struct ec_event ev = { .line = (uint64_t)i + 1, .offset = (uint64_t)i * 40,
				       .time_ms = 1778400902129 + i, .tod_ms = -1, .timeq = TQ_HEADER_OFFSET,
				       .level = LVL_INFO, .event_id = -1 };

		snprintf(msg, sizeof(msg), "text event %d", i);
		ev.message = sv_cstr(msg);
		cr_assert_eq(k->event(k->ctx, &ev), 0);
	}
}

static void
ingest(struct store *s, const struct store_source *src, const char *sha, void (*put)(struct store *, int),
       int n)
{
	cr_assert_eq(store_begin_source(s, src), STORE_OK);
	put(s, n);
	cr_assert_eq(store_commit_source(s, sha, src->size, NULL), STORE_OK, "%s", store_errmsg(s));
}

struct finding_seen {
	int n;
	int64_t id[8], rank[8], explained_by[8];
	char rule[8][16], kind[8][16], data[8][64];
};

static int
on_finding(void *ctx, const struct store_finding_row *r)
{
	struct finding_seen *f = ctx;

	cr_assert_lt(f->n, 8);
	f->id[f->n] = r->id;
	f->rank[f->n] = r->rank;
	f->explained_by[f->n] = r->explained_by;
	snprintf(f->rule[f->n], sizeof(f->rule[0]), "%s", r->rule);
	snprintf(f->kind[f->n], sizeof(f->kind[0]), "%s", r->kind ? r->kind : "(null)");
	snprintf(f->data[f->n], sizeof(f->data[0]), "%s", r->data ? r->data : "(null)");
	f->n++;
	return 0;
}

Test(store, findings_come_in_rank_order_with_kind_and_data, .init = setup)
{
	struct store *s = open_rw();
	struct store_finding a = { "A", "a", "critical", "high", NULL, NULL, NULL, "signature",
				   "{\"references\":[\"kb1\"]}" };
	struct store_finding b = { "B", "b", "info", "low", NULL, NULL, NULL, NULL, NULL };
	struct store_finding c = { "C", "c", "warning", "medium", NULL, NULL, NULL, "check", NULL };
	struct store_finding d = { "D", "d", "error", "high", NULL, NULL, NULL, "signature", NULL };
	struct finding_seen seen = { 0 };
	int64_t ia, ib, ic, id;

	cr_assert_eq(store_begin_analysis(s), STORE_OK);
	ia = store_add_finding(s, &a);
	ib = store_add_finding(s, &b);
	ic = store_add_finding(s, &c);
	id = store_add_finding(s, &d);
	cr_assert(ia > 0 && ib > ia && ic > ib && id > ic);
	/* C first, B second explained by C; A and D unranked (id order). */
	cr_assert_eq(store_rank_finding(s, ic, 1, 0), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_rank_finding(s, ib, 2, ic), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_rank_finding(s, 9999, 3, 0), STORE_ERROR);
	cr_assert_eq(store_rank_finding(s, ia, 3, 9999), STORE_ERROR, "explained_by must be a finding");
	cr_assert_eq(store_end_analysis(s, true), STORE_OK);
	cr_assert_eq(store_findings(s, on_finding, &seen), STORE_OK);
	cr_assert_eq(seen.n, 4);
	cr_assert_str_eq(seen.rule[0], "C");
	cr_assert_str_eq(seen.rule[1], "B");
	cr_assert_str_eq(seen.rule[2], "A");
	cr_assert_str_eq(seen.rule[3], "D");
	cr_assert_eq(seen.rank[0], 1);
	cr_assert_eq(seen.rank[1], 2);
	cr_assert_eq(seen.rank[2], 0);
	cr_assert_eq(seen.rank[3], 0);
	cr_assert_eq(seen.explained_by[0], 0);
	cr_assert_eq(seen.explained_by[1], ic);
	cr_assert_eq(seen.explained_by[2], 0);
	cr_assert_str_eq(seen.kind[0], "check");
	cr_assert_str_eq(seen.kind[1], "check", "a NULL kind is stored as check");
	cr_assert_str_eq(seen.kind[2], "signature");
	cr_assert_str_eq(seen.data[2], "{\"references\":[\"kb1\"]}");
	cr_assert_str_eq(seen.data[1], "(null)");
	cr_assert_eq(count(s, "SELECT count(*) FROM finding WHERE kind IS NULL"), 0);
	cr_assert_eq(count(s, "SELECT count(*) FROM finding WHERE explained_by IS NULL AND rank IS NULL"), 2);
	/* Ranking again: explained_by 0 clears it. */
	cr_assert_eq(store_rank_finding(s, ib, 2, 0), STORE_OK);
	cr_assert_eq(count(s, "SELECT count(*) FROM finding WHERE explained_by IS NOT NULL"), 0);
	store_close(s);
}

struct evidence_seen {
	int n;
	int64_t record[4], line[4];
	char format[4][16];
};

static int
on_evidence(void *ctx, const struct store_evidence_row *r)
{
	struct evidence_seen *e = ctx;

	cr_assert_lt(e->n, 4);
	e->record[e->n] = r->record;
	e->line[e->n] = r->line;
	snprintf(e->format[e->n], sizeof(e->format[0]), "%s", r->format ? r->format : "(null)");
	e->n++;
	return 0;
}

Test(store, evidence_gives_record_and_format, .init = setup)
{
	struct store *s = open_rw();
	struct store_finding f = { "E", "e", "error", "high", NULL, NULL, NULL, NULL, NULL };
	struct evidence_seen seen = { 0 };
	int64_t fid;

	ingest(s, &src_a, "aa", put_text_events, 3);
	ingest(s, &src_w, "ww", put_win_events, 5);
	cr_assert_eq(store_begin_analysis(s), STORE_OK);
	fid = store_add_finding(s, &f);
	cr_assert_gt(fid, 0);
	cr_assert_eq(store_add_evidence(s, fid, 2, 0, 4, "windows"), STORE_OK);	/* record 1004 */
	cr_assert_eq(store_add_evidence(s, fid, 1, 0, 2, "text"), STORE_OK);
	cr_assert_eq(store_add_evidence(s, fid, 1, 0, 99, "no event there"), STORE_OK);
	cr_assert_eq(store_end_analysis(s, true), STORE_OK);
	cr_assert_eq(store_evidence(s, fid, on_evidence, &seen), STORE_OK);
	cr_assert_eq(seen.n, 3);
	cr_assert_eq(seen.record[0], 1004);
	cr_assert_str_eq(seen.format[0], "evtx");
	cr_assert_eq(seen.record[1], -1);
	cr_assert_str_eq(seen.format[1], "trace");
	cr_assert_eq(seen.record[2], -1);
	cr_assert_eq(seen.line[2], 99);
	cr_assert_str_eq(seen.format[2], "trace");
	store_close(s);
}

struct scan_seen {
	int n, stop_at;
	int64_t last_id, last_source, per_source[3];
	int bad;
	char why[200];
};

static int
on_scan(void *ctx, const struct store_scan_row *r)
{
	struct scan_seen *c = ctx;
	int64_t i;
	char want[64];

	if (r->id <= c->last_id || r->source_id < c->last_source || r->source_id < 1 || r->source_id > 2) {
		snprintf(c->why, sizeof(c->why), "row %d: id %lld after %lld, source %lld after %lld", c->n,
			 (long long)r->id, (long long)c->last_id, (long long)r->source_id,
			 (long long)c->last_source);
		c->bad++;
		return 1;
	}
	i = c->per_source[r->source_id]++;
	if (r->line != i + 1)
		c->bad++, snprintf(c->why, sizeof(c->why), "line %lld at %lld", (long long)r->line, (long long)i);
	if (r->source_id == 1) {
		snprintf(want, sizeof(want), "windows event %lld", (long long)i);
		if (strcmp(r->format, "evtx") || strcmp(r->path, "case/Application.evtx") ||
		    r->record != 1001 + i || r->event_id != 6000 + i || strcmp(r->message, want) ||
		    strcmp(r->level, "error") || strcmp(r->provider, "ADSync") || !r->time ||
		    !r->data || strcmp(r->data, "[[\"Data[1]\",\"payload\"]]"))
			c->bad++, snprintf(c->why, sizeof(c->why), "evtx row %lld wrong", (long long)i);
	} else {
		snprintf(want, sizeof(want), "text event %lld", (long long)i);
		if (strcmp(r->format, "trace") || strcmp(r->path, "case/trace-a.log") || r->record != -1 ||
		    r->event_id != -1 || strcmp(r->message, want) || r->data || r->provider)
			c->bad++, snprintf(c->why, sizeof(c->why), "trace row %lld wrong", (long long)i);
	}
	c->last_id = r->id;
	c->last_source = r->source_id;
	c->n++;
	return c->n == c->stop_at ? 7 : 0;
}

Test(store, scan_events_streams_parsed_sources_in_order, .init = setup)
{
	struct store *s = open_rw();
	struct scan_seen seen = { 0 };

	ingest(s, &src_w, "ww", put_win_events, 250);	/* source 1 */
	ingest(s, &src_a, "aa", put_text_events, 180);	/* source 2 */
	cr_assert_eq(store_note_source(s, &src_r, "rr", "skipped", "test", 0, 0), STORE_OK);
	/* A source being ingested (status 'partial') is not scanned. */
	cr_assert_eq(store_begin_source(s, &src_r), STORE_OK);
	put_text_events(s, 20);
	cr_assert_eq(store_scan_events(s, on_scan, &seen), STORE_OK, "%s %s", store_errmsg(s), seen.why);
	store_rollback_source(s);
	cr_assert_eq(seen.bad, 0, "%s", seen.why);
	cr_assert_eq(seen.n, 430);
	cr_assert_eq(seen.per_source[1], 250);
	cr_assert_eq(seen.per_source[2], 180);
	/* A callback's non-zero return stops the scan and is returned. */
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 10;
	cr_assert_eq(store_scan_events(s, on_scan, &seen), 7);
	cr_assert_eq(seen.n, 10);
	store_close(s);
}

/* Two runs of one connector, stored newest first; the older has two steps. */
static void
put_runs(struct store *s, int n)
{
	const struct ec_sink *k = store_sink(s);
	struct ec_run_error e1[2] = {
		{ SV_LIT("sync"), SV_LIT("CN=a,DC=contoso"), SV_LIT("ma-extension-error"), SV_LIT("8453"),
		  SV_LIT("replication access denied"), { 1778400060000, -1, TQ_EXACT } },
		{ SV_LIT("sync"), SV_LIT("CN=b,DC=contoso"), SV_LIT("ma-extension-error"), SV_LIT("8453"),
		  SV_LIT("again"), { 1778400061000, -1, TQ_EXACT } },
	};
	struct ec_run_error e2[1] = {
		{ SV_LIT("export"), SV_NULL, SV_LIT("permission-issue"), SV_LIT("5"), SV_NULL,
		  { 0, -1, TQ_NONE } },
	};
	struct ec_run_step older[2] = {
		{ .step_number = 1, .step_type = SV_LIT("delta-import"), .step_class = "delta-import",
		  .result = SV_LIT("completed-sync-errors"), .result_class = "completed-errors",
		  .start = { 1778400000000, -1, TQ_EXACT }, .end = { 1778400100000, -1, TQ_EXACT },
		  .connection_result = SV_LIT("success"), .errors = e1, .nerrors = 2, .error_count = -1 },
		{ .step_number = 2, .step_type = SV_LIT("export"), .step_class = "export",
		  .result = SV_LIT("completed-export-errors"), .result_class = "completed-errors",
		  .start = { 1778400100000, -1, TQ_EXACT }, .end = { 1778400200000, -1, TQ_EXACT },
		  .errors = e2, .nerrors = 1, .error_count = 5 },
	};
	struct ec_run_step newer[1] = {
		{ .step_number = 1, .step_type = SV_LIT("delta-sync"), .step_class = "delta-sync",
		  .result = SV_LIT("success"), .result_class = "success",
		  .start = { 1778403600000, -1, TQ_EXACT }, .end = { 1778403700000, -1, TQ_EXACT },
		  .error_count = -1 },
	};
	struct ec_run runs[2] = {
		{ .line = 40, .connector = SV_LIT("contoso.com"), .profile = SV_LIT("Delta Synchronization"),
		  .run_number = 12, .result = SV_LIT("success"), .result_class = "success",
		  .start = { 1778403600000, -1, TQ_EXACT }, .end = { 1778403700000, -1, TQ_EXACT },
		  .steps = newer, .nsteps = 1 },
		{ .line = 3, .connector = SV_LIT("contoso.com"), .profile = SV_LIT("Delta Import"),
		  .run_number = 11, .result = SV_LIT("completed-errors"), .result_class = "completed-errors",
		  .start = { 1778400000000, -1, TQ_EXACT }, .end = { 1778400200000, -1, TQ_EXACT },
		  .steps = older, .nsteps = 2 },
	};

	(void)n;
	for (int i = 0; i < 2; i++)
		cr_assert_eq(k->run(k->ctx, &runs[i]), 0);
}

struct step_seen {
	int n;
	char line[8][200];
};

static int
on_step(void *ctx, const struct store_step_row *r)
{
	struct step_seen *c = ctx;

	cr_assert_lt(c->n, 8);
	snprintf(c->line[c->n++], sizeof(c->line[0]), "%s|%lld|%s|%s|%lld|%s|%s|%s|%s|%lld|%s|%s|%d",
		 r->path, (long long)r->line, r->connector, r->profile, (long long)r->step_number,
		 r->step_class, r->result, r->result_class,
		 r->connection_result ? r->connection_result : "-", (long long)r->errors,
		 r->start_time, r->end_time, r->run_id > 0 && r->step_id > 0 && r->source_id == 1);
	return 0;
}

static int
on_run_error(void *ctx, const struct store_run_error_row *r)
{
	struct step_seen *c = ctx;

	cr_assert_lt(c->n, 8);
	snprintf(c->line[c->n++], sizeof(c->line[0]), "%s|%lld|%s|%s|%s|%s|%s|%s|%s|%s|%d", r->path,
		 (long long)r->line, r->connector, r->profile, r->category, r->error_type, r->code,
		 r->dn ? r->dn : "-", r->detail ? r->detail : "-", r->time ? r->time : "-",
		 r->run_id > 0 && r->step_id > 0 && r->source_id == 1);
	return 0;
}

Test(store, scan_steps_and_run_errors_give_runs_in_start_order, .init = setup)
{
	struct store *s = open_rw();
	struct step_seen steps = { 0 }, errs = { 0 };

	ingest(s, &src_r, "rr", put_runs, 0);
	cr_assert_eq(store_scan_steps(s, on_step, &steps), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(steps.n, 3);
	cr_assert_str_eq(steps.line[0], "case/runs.xml|3|contoso.com|Delta Import|1|delta-import|"
					"completed-sync-errors|completed-errors|success|2|"
					"2026-05-10T08:00:00.000Z|2026-05-10T08:01:40.000Z|1");
	cr_assert_str_eq(steps.line[1], "case/runs.xml|3|contoso.com|Delta Import|2|export|"
					"completed-export-errors|completed-errors|-|5|"
					"2026-05-10T08:01:40.000Z|2026-05-10T08:03:20.000Z|1");
	cr_assert_str_eq(steps.line[2], "case/runs.xml|40|contoso.com|Delta Synchronization|1|"
					"delta-sync|success|success|-|0|"
					"2026-05-10T09:00:00.000Z|2026-05-10T09:01:40.000Z|1");
	cr_assert_eq(store_scan_run_errors(s, on_run_error, &errs), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(errs.n, 3);
	cr_assert_str_eq(errs.line[0], "case/runs.xml|3|contoso.com|Delta Import|sync|ma-extension-error|"
				       "8453|CN=a,DC=contoso|replication access denied|"
				       "2026-05-10T08:01:00.000Z|1");
	cr_assert_str_eq(errs.line[1], "case/runs.xml|3|contoso.com|Delta Import|sync|ma-extension-error|"
				       "8453|CN=b,DC=contoso|again|2026-05-10T08:01:01.000Z|1");
	cr_assert_str_eq(errs.line[2], "case/runs.xml|3|contoso.com|Delta Import|export|permission-issue|"
				       "5|-|-|-|1");
	store_close(s);
}

struct tables_seen {
	int n;
	char line[8][400];
};

static int
on_upgrade(void *ctx, const struct store_upgrade *u)
{
	struct tables_seen *c = ctx;

	cr_assert_lt(c->n, 8);
	snprintf(c->line[c->n++], sizeof(c->line[0]), "%s|%s|%s|%s|%s|%s|%s|%s|%s|%lld|%lld|%lld",
		 u->from_version ? u->from_version : "-", u->to_version ? u->to_version : "-", u->outcome,
		 u->started ? u->started : "-", u->ended ? u->ended : "-",
		 u->pause_start ? u->pause_start : "-", u->pause_end ? u->pause_end : "-",
		 u->phases ? u->phases : "-", u->path ? u->path : "-", (long long)u->source_id,
		 (long long)u->line, (long long)u->pause_seconds);
	return 0;
}

static int
on_sync(void *ctx, const struct store_sync *v)
{
	struct tables_seen *c = ctx;

	cr_assert_lt(c->n, 8);
	snprintf(c->line[c->n++], sizeof(c->line[0]), "%s|%s|%s|%s|%s|%s|%s|%s|%s|%lld|%lld|%lld|%lld|%lld",
		 v->connector, v->verdict, v->basis ? v->basis : "-", v->import_time ? v->import_time : "-",
		 v->sync_time ? v->sync_time : "-", v->export_time ? v->export_time : "-",
		 v->resumed_time ? v->resumed_time : "-", v->note ? v->note : "-", v->path ? v->path : "-",
		 (long long)v->seconds_to_resume, (long long)v->runs_after, (long long)v->failed_after,
		 (long long)v->source_id, (long long)v->line);
	return 0;
}

static int
on_missing(void *ctx, const struct store_missing *m)
{
	struct tables_seen *c = ctx;

	cr_assert_lt(c->n, 8);
	snprintf(c->line[c->n++], sizeof(c->line[0]), "%s|%s|%s|%lld", m->question, m->collect,
		 m->how ? m->how : "-", (long long)m->finding_id);
	return 0;
}

static int
on_unexplained(void *ctx, const struct store_unexplained *u)
{
	struct tables_seen *c = ctx;

	cr_assert_lt(c->n, 8);
	snprintf(c->line[c->n++], sizeof(c->line[0]), "%s|%s|%s|%s|%s|%s|%s|%lld|%lld|%lld|%lld|%lld|%lld",
		 u->template, u->example ? u->example : "-", u->format ? u->format : "-",
		 u->provider ? u->provider : "-", u->level ? u->level : "-", u->path ? u->path : "-",
		 u->first_time ? u->first_time : "-", (long long)u->count, (long long)u->sources,
		 (long long)u->source_id, (long long)u->event_id, (long long)u->line, (long long)u->record);
	return 0;
}

static int
stop_at_first(void *ctx, const struct store_missing *m)
{
	(void)m;
	++*(int *)ctx;
	return 5;
}

/* Source 1 (trace, 3 events) and 2 (evtx, 5 events), then an analysis
 * with a row in every schema 5 table. */
static void
put_analysis(struct store *s, int64_t *fid)
{
	struct store_finding f = { "F", "f", "error", "high", NULL, NULL, NULL, "signature", "{}" };
	struct store_upgrade u1 = { "2.1.20.0", "2.2.8.0", "failed", "2026-05-10T08:15:02.000Z",
				    "2026-05-10T08:20:00.000Z", "2026-05-10T08:15:10.000Z",
				    "2026-05-10T08:19:50.000Z", "[{\"name\":\"install\"}]", "ignored",
				    1, 2, 280 };
	struct store_upgrade u2 = { NULL, "2.3.2.0", "incomplete", NULL, NULL, NULL, NULL, NULL, NULL,
				    0, -1, -1 };
	struct store_sync c1 = { "contoso.com", "resumed", "run-history", "2026-05-10T09:00:00.000Z",
				 "2026-05-10T09:01:00.000Z", "2026-05-10T09:02:00.000Z",
				 "2026-05-10T09:02:00.000Z", "ok", NULL, 2520, 4, 1, 2, 3 };
	struct store_sync c2 = { "contoso.onmicrosoft.com - AAD", "not-resumed", "none", NULL, NULL, NULL,
				 NULL, NULL, NULL, -1, 0, 0, 0, -1 };
	struct store_unexplained x1 = { "Error <n> in <path>", "Error 5 in C:\\x", "trace", "Wizard", "error",
					NULL, "2026-05-10T08:15:02.130Z", 3, 1, 1, 0, 2, 77 };
	struct store_unexplained x2 = { "sync failed <n>", "sync failed 6003", "evtx", "ADSync", "error",
					NULL, "2026-05-10T08:00:01.000Z", 9, 2, 2, 0, 3, 0 };
	struct store_unexplained x3 = { "odd", NULL, NULL, NULL, NULL, NULL, NULL, 3, 1, 0, 0, 0, 0 };

	ingest(s, &src_a, "aa", put_text_events, 3);
	ingest(s, &src_w, "ww", put_win_events, 5);
	cr_assert_eq(store_begin_analysis(s), STORE_OK);
	*fid = store_add_finding(s, &f);
	cr_assert_gt(*fid, 0);
	cr_assert_eq(store_add_upgrade(s, &u1), 1, "%s", store_errmsg(s));
	cr_assert_eq(store_add_upgrade(s, &u2), 2, "%s", store_errmsg(s));
	cr_assert_eq(store_add_sync(s, &c1), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_add_sync(s, &c2), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_add_missing(s, &(struct store_missing){ "Did the export run?", "Run history",
								   "Get-ADSyncRunProfileResult", *fid }),
		     STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_add_missing(s, &(struct store_missing){ "Which SQL?", "SQL log", NULL, 0 }),
		     STORE_OK, "%s", store_errmsg(s));
	/* x2 points at the evtx event on line 3 (record 1003) by id. */
	x2.event_id = count(s, "SELECT id FROM event WHERE source_id = 2 AND line = 3");
	cr_assert_eq(store_add_unexplained(s, &x1), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_add_unexplained(s, &x2), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_add_unexplained(s, &x3), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_end_analysis(s, true), STORE_OK);
}

Test(store, analysis_tables_round_trip, .init = setup)
{
	struct store *s = open_rw();
	struct tables_seen up = { 0 }, sy = { 0 }, mi = { 0 }, un = { 0 };
	char want[200];
	int64_t fid;
	int calls = 0;

	put_analysis(s, &fid);
	cr_assert_eq(store_upgrades(s, on_upgrade, &up), STORE_OK);
	cr_assert_eq(up.n, 2);
	cr_assert_str_eq(up.line[0], "2.1.20.0|2.2.8.0|failed|2026-05-10T08:15:02.000Z|2026-05-10T08:20:00.000Z|"
				     "2026-05-10T08:15:10.000Z|2026-05-10T08:19:50.000Z|"
				     "[{\"name\":\"install\"}]|case/trace-a.log|1|2|280");
	cr_assert_str_eq(up.line[1], "-|2.3.2.0|incomplete|-|-|-|-|-|-|0|-1|-1");
	cr_assert_eq(store_syncs(s, on_sync, &sy), STORE_OK);
	cr_assert_eq(sy.n, 2);
	cr_assert_str_eq(sy.line[0], "contoso.com|resumed|run-history|2026-05-10T09:00:00.000Z|"
				     "2026-05-10T09:01:00.000Z|2026-05-10T09:02:00.000Z|"
				     "2026-05-10T09:02:00.000Z|ok|case/Application.evtx|2520|4|1|2|3");
	cr_assert_str_eq(sy.line[1], "contoso.onmicrosoft.com - AAD|not-resumed|none|-|-|-|-|-|-|-1|0|0|0|-1");
	cr_assert_eq(store_missing(s, on_missing, &mi), STORE_OK);
	cr_assert_eq(mi.n, 2);
	snprintf(want, sizeof(want), "Did the export run?|Run history|Get-ADSyncRunProfileResult|%lld",
		 (long long)fid);
	cr_assert_str_eq(mi.line[0], want);
	cr_assert_str_eq(mi.line[1], "Which SQL?|SQL log|-|0");
	cr_assert_eq(store_missing(s, stop_at_first, &calls), 5);
	cr_assert_eq(calls, 1);
	cr_assert_eq(store_unexplained(s, on_unexplained, &un), STORE_OK);
	cr_assert_eq(un.n, 3);
	snprintf(want, sizeof(want),
		 "sync failed <n>|sync failed 6003|evtx|ADSync|error|case/Application.evtx|"
		 "2026-05-10T08:00:01.000Z|9|2|2|%lld|3|1003",
		 (long long)count(s, "SELECT id FROM event WHERE source_id = 2 AND line = 3"));
	cr_assert_str_eq(un.line[0], want);
	cr_assert_str_eq(un.line[1], "Error <n> in <path>|Error 5 in C:\\x|trace|Wizard|error|case/trace-a.log|"
				     "2026-05-10T08:15:02.130Z|3|1|1|0|2|-1");
	cr_assert_str_eq(un.line[2], "odd|-|-|-|-|-|-|3|1|0|0|-1|-1");
	store_close(s);
}

Test(store, begin_analysis_clears_schema5_tables, .init = setup)
{
	struct store *s = open_rw();
	int64_t fid, fid2;
	struct store_finding f = { "G", "g", "info", "low", NULL, NULL, NULL, NULL, NULL };

	put_analysis(s, &fid);
	cr_assert_eq(store_begin_analysis(s), STORE_OK);
	cr_assert_eq(store_end_analysis(s, false), STORE_OK);
	cr_assert_eq(count(s, "SELECT count(*) FROM upgrade"), 2, "rolled back analysis keeps the rows");
	/* Findings that explain each other, and missing evidence naming one
	 * of them, go together. */
	cr_assert_eq(store_begin_analysis(s), STORE_OK);
	fid = store_add_finding(s, &f);
	fid2 = store_add_finding(s, &f);
	cr_assert_eq(store_rank_finding(s, fid2, 1, fid), STORE_OK);
	cr_assert_eq(store_rank_finding(s, fid, 2, fid2), STORE_OK);
	cr_assert_eq(store_add_missing(s, &(struct store_missing){ "q", "c", NULL, fid }), STORE_OK);
	cr_assert_eq(store_end_analysis(s, true), STORE_OK);
	cr_assert_eq(count(s, "SELECT count(*) FROM upgrade"), 0);
	cr_assert_eq(store_begin_analysis(s), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_end_analysis(s, true), STORE_OK);
	cr_assert_eq(count(s, "SELECT (SELECT count(*) FROM upgrade) + (SELECT count(*) FROM sync_connector)"
			      " + (SELECT count(*) FROM missing_evidence) + (SELECT count(*) FROM unexplained)"
			      " + (SELECT count(*) FROM finding)"),
		     0);
	cr_assert_eq(count(s, "SELECT count(*) FROM event"), 8, "events stay");
	store_close(s);
}

Test(store, schema4_database_is_migrated_to_5, .init = setup)
{
	const char *src = getenv("ECDIAG_SRC");
	struct store *s;
	struct finding_seen seen = { 0 };
	struct evidence_seen ev = { 0 };
	char cmd[12000];

	cr_assert(src, "ECDIAG_SRC is not set");
	/* A schema-4 database as ecdiag before schema 5 left it: a source,
	 * a Windows event, a finding with its evidence, a current analysis. */
	snprintf(cmd, sizeof(cmd),
		 "python3 - '%s' '%s' <<'PY'\n"
		 "import sqlite3, sys\n"
		 "c = sqlite3.connect(sys.argv[2])\n"
		 "for f in ('schema.sql', 'schema2.sql', 'schema3.sql', 'schema4.sql'):\n"
		 "    c.executescript(open(sys.argv[1] + '/store/' + f).read())\n"
		 "c.execute(\"INSERT INTO source(path, name, status, format, records, ingested_at)"
		 " VALUES ('old/app.evtx', 'app.evtx', 'parsed', 'evtx', 1, '2026-01-01T00:00:00.000Z')\")\n"
		 "c.execute(\"INSERT INTO event(source_id, ordinal, line, time_q, message, record_id, event_id)"
		 " VALUES (1, 1, 1, 'exact', 'kept', 4711, 6050)\")\n"
		 "c.execute(\"INSERT INTO finding(rule, title, severity, confidence) VALUES ('OLD', 'old', 'error', 'high')\")\n"
		 "c.execute(\"INSERT INTO evidence(finding_id, source_id, event_id, line) VALUES (1, 1, 1, 1)\")\n"
		 "c.execute(\"INSERT INTO meta(key, value) VALUES ('ingested', 1), ('analyzed', 1)\")\n"
		 "c.execute('PRAGMA user_version=4')\n"
		 "c.commit()\n"
		 "PY",
		 src, dbpath);
	cr_assert_eq(system(cmd), 0);
	s = open_rw();
	cr_assert_eq(count(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	cr_assert_eq(count(s, "SELECT count(*) FROM pragma_table_info('finding') WHERE name IN"
			      " ('kind','rank','explained_by','data')"),
		     4);
	cr_assert_eq(count(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
			      " ('upgrade','sync_connector','missing_evidence','unexplained')"),
		     4);
	cr_assert_eq(count(s, "SELECT count(*) FROM pragma_table_info('unexplained')"), 12);
	cr_assert_eq(count(s, "SELECT count(*) FROM pragma_table_info('upgrade')"), 12);
	cr_assert_eq(count(s, "SELECT count(*) FROM pragma_table_info('sync_connector')"), 14);
	cr_assert_eq(count(s, "SELECT count(*) FROM pragma_table_info('missing_evidence')"), 5);
	cr_assert(!store_analysis_current(s), "an analysis without the schema 5 tables is not current");
	/* The old rows are kept and read through the new code. */
	cr_assert_eq(store_findings(s, on_finding, &seen), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(seen.n, 1);
	cr_assert_str_eq(seen.rule[0], "OLD");
	cr_assert_str_eq(seen.kind[0], "check");
	cr_assert_eq(seen.rank[0], 0);
	cr_assert_eq(store_evidence(s, seen.id[0], on_evidence, &ev), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(ev.n, 1);
	cr_assert_eq(ev.record[0], 4711);
	cr_assert_str_eq(ev.format[0], "evtx");
	/* And a new analysis replaces it. */
	cr_assert_eq(store_begin_analysis(s), STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_add_unexplained(s, &(struct store_unexplained){ .template = "t", .count = 1,
									 .sources = 1, .source_id = 1,
									 .event_id = 1, .line = 1 }),
		     STORE_OK, "%s", store_errmsg(s));
	cr_assert_eq(store_end_analysis(s, true), STORE_OK);
	cr_assert_eq(count(s, "SELECT count(*) FROM finding"), 0);
	cr_assert_eq(count(s, "SELECT count(*) FROM unexplained u JOIN event e ON e.id = u.event_id"
			      " WHERE e.record_id = 4711"),
		     1);
	cr_assert(store_analysis_current(s));
	store_close(s);
	/* Opening it again changes nothing. */
	s = open_rw();
	cr_assert_eq(count(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_close(s);
}

Test(store, schema5_database_is_migrated_to_6, .init = setup)
{
	const char *src = getenv("ECDIAG_SRC");
	struct store *s;
	char cmd[12000];

	cr_assert(src, "ECDIAG_SRC is not set");
	/* A schema-5 database as ecdiag before the one clock left it: an MSI
	 * log read as UTC, a trace with its header offset, an EVTX, a file of
	 * no format, and a current analysis. */
	snprintf(cmd, sizeof(cmd),
		 "python3 - '%s' '%s' <<'PY'\n"
		 "import sqlite3, sys\n"
		 "c = sqlite3.connect(sys.argv[2])\n"
		 "for f in ('schema.sql', 'schema2.sql', 'schema3.sql', 'schema4.sql', 'schema5.sql'):\n"
		 "    c.executescript(open(sys.argv[1] + '/store/' + f).read())\n"
		 "for i, (p, fmt, st) in enumerate([('c/install.log', 'msi', 'parsed'), ('c/trace.log', 'trace', 'parsed'),"
		 " ('c/app.evtx', 'evtx', 'parsed'), ('c/notes.txt', None, 'skipped')], 1):\n"
		 "    c.execute('INSERT INTO source(path, name, status, format, ingested_at) VALUES (?, ?, ?, ?, ?)',"
		 " (p, p[2:], st, fmt, '2026-01-01T00:00:00.000Z'))\n"
		 "c.execute(\"INSERT INTO event(source_id, ordinal, line, time, time_q, message) VALUES"
		 " (1, 1, 1, '2026-05-10T10:17:41.605Z', 'local-assumed', 'Error 25019.'),"
		 " (2, 1, 1, '2026-05-10T08:15:02.103Z', 'header-offset', 'Start'),"
		 " (3, 1, 1, '2026-05-10T08:00:00.000Z', 'exact', 'ev')\")\n"
		 "c.execute(\"INSERT INTO msi_session(source_id, session, start_time, time_q, footer, actions,"
		 " failed_actions) VALUES (1, 1, '2026-05-10T10:17:33.000Z', 'local-assumed', 1, 0, 0)\")\n"
		 "c.execute(\"INSERT INTO meta(key, value) VALUES ('ingested', 1), ('analyzed', 1)\")\n"
		 "c.execute('PRAGMA user_version=5')\n"
		 "c.commit()\n"
		 "PY",
		 src, dbpath);
	cr_assert_eq(system(cmd), 0);
	s = open_rw();
	cr_assert_eq(count(s, "PRAGMA user_version"), 6);
	cr_assert_eq(count(s, "SELECT count(*) FROM pragma_table_info('source') WHERE name IN"
			      " ('host','host_from','utc_offset','clock','clock_from')"),
		     5);
	cr_assert_eq(count(s, "SELECT count(*) FROM source WHERE id = 1 AND clock = 'assumed' AND utc_offset = 0"), 1);
	cr_assert_eq(count(s, "SELECT count(*) FROM source WHERE id = 2 AND clock = 'header'"), 1);
	cr_assert_eq(count(s, "SELECT count(*) FROM source WHERE id = 3 AND clock = 'exact' AND utc_offset IS NULL"),
		     1);
	cr_assert_eq(count(s, "SELECT count(*) FROM source WHERE id = 4 AND clock IS NULL"), 1);
	/* the times stay as they were until the clock settles them */
	cr_assert_eq(count(s, "SELECT count(*) FROM event WHERE time = '2026-05-10T10:17:41.605Z'"), 1);
	cr_assert(!store_analysis_current(s), "an analysis stored before the one clock is not current");
	store_close(s);
	s = open_rw();
	cr_assert_eq(count(s, "PRAGMA user_version"), 6);
	store_close(s);
}
