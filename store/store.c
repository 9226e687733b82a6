/* SPDX-License-Identifier: MIT */
/* store.c - SQLite case database: schema, migrations, batched inserts and
 * the queries the analyzer, reports and command line need. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "store/store.h"

extern const char store_schema_sql[];
extern const char store_schema2_sql[];
extern const char store_schema3_sql[];
extern const char store_schema4_sql[];
extern const char store_schema5_sql[];

#define MAX_STORED_PROBLEMS 200
#define TIME_INDEX "CREATE INDEX IF NOT EXISTS event_time ON event(time)"

/* Migration steps: steps[i] takes a database from user_version i to i+1.
 * Step 0 is the whole schema of version 1. Append, never edit. */
static const char *const *migration_steps(size_t *n)
{
	static const char *steps[5];

	steps[0] = store_schema_sql;
	steps[1] = store_schema2_sql;	/* Windows Installer sessions and actions */
	steps[2] = store_schema3_sql;	/* Windows event fields */
	steps[3] = store_schema4_sql;	/* run history */
	steps[4] = store_schema5_sql;	/* upgrades, sync verdicts, ranked findings */
	*n = 5;
	return steps;
}

enum stmt_id {
	ST_INS_SOURCE,
	ST_UPD_SOURCE,
	ST_INS_EVENT,
	ST_INS_FACT,
	ST_INS_PROBLEM,
	ST_INS_MSI_SESSION,
	ST_INS_MSI_ACTION,
	ST_INS_RUN,
	ST_INS_STEP,
	ST_INS_RUN_ERROR,
	ST_NMAX
};

static const char *const stmt_sql[ST_NMAX] = {
	[ST_INS_SOURCE] = "INSERT INTO source(path, name, container, depth, size, mtime, status,"
			  " format, encoding, ingested_at) VALUES (?,?,?,?,?,?,'partial',?,?,?)",
	[ST_UPD_SOURCE] = "UPDATE source SET sha256=?, size=?, status='parsed', records=?, skipped=?,"
			  " bytes_skipped=?, problems=?, first_time=?, last_time=? WHERE id=?",
	[ST_INS_EVENT] = "INSERT INTO event(source_id, ordinal, line, offset, time, time_local, time_q,"
			 " level, provider, event_id, thread, message, record_id, channel, computer,"
			 " user_sid, qualifiers, task, opcode, keywords, process_id, thread_id, data)"
			 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_INS_FACT] = "INSERT INTO fact(source_id, event_id, origin, name, key, value)"
			" VALUES (?,?,?,?,?,?)",
	[ST_INS_PROBLEM] = "INSERT INTO problem(source_id, line, offset, records, bytes, message)"
			   " VALUES (?,?,?,?,?,?)",
	[ST_INS_MSI_SESSION] = "INSERT INTO msi_session(source_id, session, start_line, end_line,"
			       " start_time, end_time, start_local, end_local, time_q, started,"
			       " calling_process, package, command_line, product, version,"
			       " product_code, upgrade_code, result, status, engine_return, footer,"
			       " actions, failed_actions)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_INS_MSI_ACTION] = "INSERT INTO msi_action(source_id, session, seq, name, parent, depth,"
			      " start_line, end_line, start_time, end_time, start_local, end_local,"
			      " time_q, return_value, ca_name, ca_error, ca_line, error_number,"
			      " error_line, error_text)"
			      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_INS_RUN] = "INSERT INTO run(source_id, connector, connector_id, profile, run_number, result,"
		       " start_time, end_time, user, run_history_id, result_class, line, time_q)"
		       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_INS_STEP] = "INSERT INTO run_step(run_id, step_number, step_type, result, start_time, end_time,"
			" adds, updates, renames, deletes, errors, step_subtype, step_class, result_class,"
			" connection_result, connection_server, counters)"
			" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_INS_RUN_ERROR] = "INSERT INTO run_error(step_id, category, dn, error_type, code, detail, time)"
			     " VALUES (?,?,?,?,?,?,?)",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_NMAX];	/* prepared once, reset after each use */
	bool readonly;
	/* the source being ingested */
	int64_t src_id;			/* 0 when none */
	int64_t ordinal;		/* events so far */
	int64_t last_event;		/* rowid of the last event, for facts */
	int64_t min_time, max_time;	/* ms, INT64_MAX/INT64_MIN when none */
	struct store_source_counts counts;
	char *src_path;			/* for duplicate rows */
	struct store_source src;	/* copy of what begin got (strings owned below) */
	char *src_name, *src_container, *src_format, *src_encoding;
	int rc;				/* first SQLite error during the source */
	struct ec_sink sink;
	struct buf json;		/* the data column of the event being stored */
	bool bulk;			/* the time index is built at the end of the ingest */
	char errbuf[512];
};

static const char *const level_names[] = {
	[LVL_NONE] = NULL, [LVL_VERBOSE] = "verbose", [LVL_INFO] = "info",
	[LVL_WARN] = "warning", [LVL_ERROR] = "error", [LVL_CRITICAL] = "critical",
};

static const char *const timeq_names[] = {
	[TQ_NONE] = "none", [TQ_TIME_OF_DAY] = "time-of-day", [TQ_LOCAL_ASSUMED] = "local-assumed",
	[TQ_LOCAL_GIVEN] = "local-given", [TQ_HEADER_OFFSET] = "header-offset", [TQ_EXACT] = "exact",
};

const char *
store_errmsg(const struct store *s)
{
	return s->errbuf;
}

static int
fail(struct store *s, const char *what)
{
	snprintf(s->errbuf, sizeof(s->errbuf), "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "?");
	return STORE_ERROR;
}

static int
exec(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->errbuf, sizeof(s->errbuf), "%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return STORE_ERROR;
	}
	return STORE_OK;
}

static void
now_iso(char out[32])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms_to_iso((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, out);
}

static int
user_version(struct store *s, int *v)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Bring the schema to STORE_SCHEMA_VERSION, one step per transaction. */
static int
migrate(struct store *s, int from)
{
	size_t nsteps;
	const char *const *steps = migration_steps(&nsteps);
	char sql[64];

	for (int v = from; v < STORE_SCHEMA_VERSION; v++) {
		if (exec(s, "BEGIN IMMEDIATE") != STORE_OK)
			return STORE_ERROR;
		if ((size_t)v >= nsteps || exec(s, steps[v]) != STORE_OK) {
			char keep[512];

			memcpy(keep, s->errbuf, sizeof(keep));
			exec(s, "ROLLBACK");
			snprintf(s->errbuf, sizeof(s->errbuf), "migrating to schema %d: %s", v + 1, keep);
			return STORE_ERROR;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
		if (exec(s, sql) != STORE_OK || exec(s, "COMMIT") != STORE_OK) {
			exec(s, "ROLLBACK");
			return STORE_ERROR;
		}
	}
	return STORE_OK;
}

static int sink_event(void *ctx, const struct ec_event *ev);
static int sink_fact(void *ctx, const struct ec_fact *f);
static int sink_problem(void *ctx, const struct ec_problem *p);
static int sink_msi_action(void *ctx, const struct ec_msi_action *a);
static int sink_msi_session(void *ctx, const struct ec_msi_session *m);
static int sink_run(void *ctx, const struct ec_run *r);

int
store_open(const char *path, enum store_mode mode, struct store **out, char **err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int flags = mode == STORE_RO ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int v = 0, rc;

	/* One thread uses a store: SQLite's own locks are not needed, nor its
	 * memory statistics (a lock around every allocation). */
	flags |= SQLITE_OPEN_NOMUTEX;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	buf_init(&s->json, (size_t)64 << 20);
	*out = NULL;
	*err = NULL;
	s->readonly = mode == STORE_RO;
	/* A reader opens read-write when it may (and writes nothing: query_only
	 * below), so that the journal of an ingest that was killed is rolled
	 * back before it reads; without write permission it reads as it can. */
	if (mode == STORE_RO && access(path, W_OK) == 0 &&
	    sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
		flags = 0;
	} else if (mode == STORE_RO && s->db) {
		sqlite3_close(s->db);
		s->db = NULL;
	}
	if (flags && sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		*err = xasprintf("cannot open case database '%s': %s", path,
				 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return STORE_ERROR;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	rc = user_version(s, &v);
	if (rc != SQLITE_OK) {
		bool notdb = (rc & 0xff) == SQLITE_NOTADB;

		*err = xasprintf("cannot read case database '%s': %s", path, sqlite3_errmsg(s->db));
		store_close(s);
		return notdb ? STORE_NOTDB : STORE_ERROR;
	}
	if (v > STORE_SCHEMA_VERSION) {
		*err = xasprintf("case database '%s' has schema %d, written by a newer ecdiag; this "
				 "ecdiag %s reads schema %d or older: use the newer ecdiag or a new database",
				 path, v, ECDIAG_VERSION, STORE_SCHEMA_VERSION);
		store_close(s);
		return STORE_NEWER;
	}
	if (v == 0 && !s->readonly) {
		/* A new file, or some other SQLite database? */
		sqlite3_stmt *st;
		int tables = 0;

		if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				tables = sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
		if (tables) {
			*err = xasprintf("'%s' is an SQLite database but not an ecdiag case database", path);
			store_close(s);
			return STORE_NOTDB;
		}
		/* 16 KiB pages: an EVTX ingest of 64 MB took 0.38 s with 4 KiB
		 * pages and 0.29 s with these, for 6 MiB more of page cache. */
		exec(s, "PRAGMA page_size=16384");
	}
	if (s->readonly && v < STORE_SCHEMA_VERSION) {
		*err = xasprintf(v == 0 ? "'%s' is not an ecdiag case database (run 'ecdiag ingest' first)"
				       : "case database '%s' has the older schema %d: open it once with "
					 "'ecdiag ingest' or 'ecdiag analyze' to migrate it",
				 path, v);
		store_close(s);
		return STORE_NOTDB;
	}
	/* A reader waits for an ingest's transaction rather than failing. */
	sqlite3_busy_timeout(s->db, 10000);
	if (!s->readonly) {
		/* A rollback journal: pages an ingest adds are written once (a WAL
		 * writes them twice), and a killed ingest is rolled back from the
		 * journal when the case is next opened. FULL syncs at each commit,
		 * that is once per source. */
		if (exec(s, "PRAGMA journal_mode=DELETE") != STORE_OK ||
		    exec(s, "PRAGMA synchronous=FULL") != STORE_OK ||
		    exec(s, "PRAGMA foreign_keys=ON") != STORE_OK || migrate(s, v) != STORE_OK ||
		    exec(s, TIME_INDEX) != STORE_OK) {
			*err = xasprintf("cannot prepare case database '%s': %s", path, s->errbuf);
			store_close(s);
			return STORE_ERROR;
		}
		for (int i = 0; i < ST_NMAX; i++) {
			if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
					       NULL) != SQLITE_OK) {
				*err = xasprintf("cannot prepare case database '%s': %s", path,
						 sqlite3_errmsg(s->db));
				store_close(s);
				return STORE_ERROR;
			}
		}
	} else {
		exec(s, "PRAGMA query_only=ON");
	}
	s->sink.ctx = s;
	s->sink.event = sink_event;
	s->sink.fact = sink_fact;
	s->sink.problem = sink_problem;
	s->sink.msi_action = sink_msi_action;
	s->sink.msi_session = sink_msi_session;
	s->sink.run = sink_run;
	*out = s;
	return STORE_OK;
}

static void
free_source_copy(struct store *s)
{
	free(s->src_path);
	free(s->src_name);
	free(s->src_container);
	free(s->src_format);
	free(s->src_encoding);
	s->src_path = s->src_name = s->src_container = s->src_format = s->src_encoding = NULL;
}

void
store_close(struct store *s)
{
	if (!s)
		return;
	if (s->src_id)
		store_rollback_source(s);
	for (int i = 0; i < ST_NMAX; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db && !s->readonly)
		sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
	sqlite3_close(s->db);
	free_source_copy(s);
	buf_release(&s->json);
	free(s);
}

/* ---- binding helpers -------------------------------------------------- */

static void
bind_text(sqlite3_stmt *st, int i, const char *p)
{
	if (p)
		sqlite3_bind_text(st, i, p, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_sv(sqlite3_stmt *st, int i, struct sv v, bool null_if_empty)
{
	if (null_if_empty && v.n == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v.p ? v.p : "", (int)v.n, SQLITE_STATIC);
}

static void
bind_i64_or_null(sqlite3_stmt *st, int i, int64_t v, bool null)
{
	if (null)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int
step_reset(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(s, what);
	return STORE_OK;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* An integer column, or none when it is NULL. */
static int64_t
col_i64(sqlite3_stmt *st, int i, int64_t none)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

/* ---- ingest ----------------------------------------------------------- */

int64_t
store_source_find(struct store *s, const char *path, const char *sha256)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT id FROM source WHERE path=? AND sha256=?", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	bind_text(st, 1, path);
	bind_text(st, 2, sha256);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int64_t
store_content_find(struct store *s, const char *sha256)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT id FROM source WHERE sha256=? AND status IN ('parsed','skipped')"
			       " ORDER BY id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	bind_text(st, 1, sha256);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

bool
store_path_size_known(struct store *s, const char *path, uint64_t size)
{
	sqlite3_stmt *st;
	bool known = false;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM source WHERE path=? AND size=? LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return false;
	bind_text(st, 1, path);
	sqlite3_bind_int64(st, 2, (int64_t)size);
	known = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return known;
}

static char *
dup_or_null(const char *p)
{
	return p ? xstrdup(p) : NULL;
}

int
store_ingest_begin(struct store *s)
{
	sqlite3_stmt *st;
	bool empty = false;

	if (sqlite3_prepare_v2(s->db, "SELECT NOT EXISTS (SELECT 1 FROM event)", -1, &st, NULL) != SQLITE_OK)
		return fail(s, "checking events");
	if (sqlite3_step(st) == SQLITE_ROW)
		empty = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	if (!empty)
		return STORE_OK;
	s->bulk = true;
	return exec(s, "DROP INDEX IF EXISTS event_time");
}

int
store_ingest_end(struct store *s)
{
	if (!s->bulk)
		return STORE_OK;
	s->bulk = false;
	return exec(s, TIME_INDEX);
}

int
store_begin_source(struct store *s, const struct store_source *src)
{
	sqlite3_stmt *st = s->st[ST_INS_SOURCE];
	char now[32];

	if (s->src_id)
		store_rollback_source(s);
	if (exec(s, "BEGIN IMMEDIATE") != STORE_OK)
		return STORE_ERROR;
	now_iso(now);
	bind_text(st, 1, src->path);
	bind_text(st, 2, src->name);
	bind_text(st, 3, src->container);
	sqlite3_bind_int(st, 4, src->depth);
	bind_i64_or_null(st, 5, (int64_t)src->size, src->size == UINT64_MAX);
	bind_i64_or_null(st, 6, src->mtime, src->mtime == 0);
	bind_text(st, 7, src->format);
	bind_text(st, 8, src->encoding);
	bind_text(st, 9, now);
	if (step_reset(s, st, "storing source") != STORE_OK) {
		exec(s, "ROLLBACK");
		return STORE_ERROR;
	}
	s->src_id = sqlite3_last_insert_rowid(s->db);
	s->ordinal = 0;
	s->last_event = 0;
	s->min_time = INT64_MAX;
	s->max_time = INT64_MIN;
	memset(&s->counts, 0, sizeof(s->counts));
	s->rc = STORE_OK;
	free_source_copy(s);
	s->src = *src;
	s->src.path = s->src_path = xstrdup(src->path);
	s->src.name = s->src_name = xstrdup(src->name);
	s->src.container = s->src_container = dup_or_null(src->container);
	s->src.format = s->src_format = dup_or_null(src->format);
	s->src.encoding = s->src_encoding = dup_or_null(src->encoding);
	return STORE_OK;
}

const struct ec_sink *
store_sink(struct store *s)
{
	return &s->sink;
}

const struct store_source_counts *
store_current_counts(const struct store *s)
{
	return &s->counts;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
json_string(struct buf *b, struct sv v)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	buf_addc(b, '"');
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		char esc[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, v.p + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; buf_add(b, esc, 2); break;
		case '\\': esc[1] = '\\'; buf_add(b, esc, 2); break;
		case '\n': esc[1] = 'n'; buf_add(b, esc, 2); break;
		case '\r': esc[1] = 'r'; buf_add(b, esc, 2); break;
		case '\t': esc[1] = 't'; buf_add(b, esc, 2); break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			buf_add(b, esc, 6);
		}
	}
	buf_add(b, v.p + run, v.n - run);
	buf_addc(b, '"');
}

/* An event's items as the data column holds them: [["name","value"],...]. */
static void
data_json(struct buf *b, const struct ec_kv *kv, size_t n)
{
	buf_reset(b);
	buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		buf_addc(b, '[');
		json_string(b, kv[i].name);
		buf_addc(b, ',');
		json_string(b, kv[i].value);
		buf_addc(b, ']');
	}
	buf_addc(b, ']');
}

/* Columns 13-22 of the event insert: the Windows event fields, or NULLs. */
static void
bind_win(sqlite3_stmt *st, const struct ec_winevent *w)
{
	char kw[24];

	if (!w) {
		for (int i = 13; i <= 22; i++)
			sqlite3_bind_null(st, i);
		return;
	}
	bind_i64_or_null(st, 13, (int64_t)w->record_id, w->record_id == 0);
	bind_sv(st, 14, w->channel, true);
	bind_sv(st, 15, w->computer, true);
	bind_sv(st, 16, w->user_sid, true);
	bind_i64_or_null(st, 17, w->qualifiers, w->qualifiers < 0);
	bind_i64_or_null(st, 18, w->task, w->task < 0);
	bind_i64_or_null(st, 19, w->opcode, w->opcode < 0);
	if (w->has_keywords) {
		static const char hex[] = "0123456789abcdef";
		char *o = kw + sizeof(kw);
		uint64_t v = w->keywords;

		do {
			*--o = hex[v & 15];
			v >>= 4;
		} while (v);
		*--o = 'x';
		*--o = '0';
		sqlite3_bind_text(st, 20, o, (int)(kw + sizeof(kw) - o), SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 20);
	}
	bind_i64_or_null(st, 21, w->process_id, w->process_id < 0);
	bind_i64_or_null(st, 22, w->thread_id, w->thread_id < 0);
}

static int
sink_event(void *ctx, const struct ec_event *ev)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_EVENT];
	char iso[32], tod[16];
	bool dated = ev->timeq >= TQ_LOCAL_ASSUMED;

	if (s->rc != STORE_OK)
		return s->rc;
	s->ordinal++;
	sqlite3_bind_int64(st, 1, s->src_id);
	sqlite3_bind_int64(st, 2, s->ordinal);
	bind_i64_or_null(st, 3, (int64_t)ev->line, ev->line == 0);
	bind_i64_or_null(st, 4, (int64_t)ev->offset, ev->offset == UINT64_MAX);
	if (dated) {
		ms_to_iso(ev->time_ms, iso);
		sqlite3_bind_text(st, 5, iso, -1, SQLITE_TRANSIENT);
		if (ev->time_ms < s->min_time)
			s->min_time = ev->time_ms;
		if (ev->time_ms > s->max_time)
			s->max_time = ev->time_ms;
	} else {
		sqlite3_bind_null(st, 5);
	}
	if (!dated && ev->tod_ms >= 0) {
		snprintf(tod, sizeof(tod), "%02d:%02d:%02d.%03d", ev->tod_ms / 3600000,
			 ev->tod_ms / 60000 % 60, ev->tod_ms / 1000 % 60, ev->tod_ms % 1000);
		sqlite3_bind_text(st, 6, tod, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 6);
	}
	sqlite3_bind_text(st, 7, timeq_names[ev->timeq], -1, SQLITE_STATIC);
	bind_text(st, 8, level_names[ev->level]);
	bind_sv(st, 9, ev->provider, true);
	bind_i64_or_null(st, 10, ev->event_id, ev->event_id < 0);
	bind_sv(st, 11, ev->thread, true);
	bind_sv(st, 12, ev->message, false);
	bind_win(st, ev->win);
	if (ev->ndata) {
		data_json(&s->json, ev->data, ev->ndata);
		sqlite3_bind_text(st, 23, s->json.data, (int)s->json.len, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 23);
	}
	if (step_reset(s, st, "storing event") != STORE_OK)
		return s->rc = STORE_ERROR;
	s->last_event = sqlite3_last_insert_rowid(s->db);
	s->counts.records++;
	return STORE_OK;
}

static int
sink_fact(void *ctx, const struct ec_fact *f)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_FACT];

	if (s->rc != STORE_OK)
		return s->rc;
	sqlite3_bind_int64(st, 1, s->src_id);
	bind_i64_or_null(st, 2, s->last_event, !f->on_event || s->last_event == 0);
	sqlite3_bind_text(st, 3, "parser", -1, SQLITE_STATIC);
	bind_sv(st, 4, f->name, false);
	bind_sv(st, 5, f->key, true);
	bind_sv(st, 6, f->value, false);
	if (step_reset(s, st, "storing fact") != STORE_OK)
		return s->rc = STORE_ERROR;
	return STORE_OK;
}

static int
sink_problem(void *ctx, const struct ec_problem *p)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_PROBLEM];

	if (s->rc != STORE_OK)
		return s->rc;
	s->counts.problems++;
	s->counts.skipped += p->records;
	s->counts.bytes_skipped += p->bytes;
	if (s->counts.problems > MAX_STORED_PROBLEMS)
		return STORE_OK;
	sqlite3_bind_int64(st, 1, s->src_id);
	bind_i64_or_null(st, 2, (int64_t)p->line, p->line == 0);
	bind_i64_or_null(st, 3, (int64_t)p->offset, p->offset == UINT64_MAX);
	sqlite3_bind_int64(st, 4, (int64_t)p->records);
	sqlite3_bind_int64(st, 5, (int64_t)p->bytes);
	bind_text(st, 6, s->counts.problems == MAX_STORED_PROBLEMS ? "more problems not stored"
								   : p->message);
	if (step_reset(s, st, "storing problem") != STORE_OK)
		return s->rc = STORE_ERROR;
	return STORE_OK;
}

/* Bind a parser time to two columns: UTC time when dated, else the time of
 * day as written. */
static void
bind_time(sqlite3_stmt *st, int col_time, int col_local, const struct ec_time *t)
{
	char iso[32];

	if (t->q >= TQ_LOCAL_ASSUMED) {
		ms_to_iso(t->ms, iso);
		sqlite3_bind_text(st, col_time, iso, -1, SQLITE_TRANSIENT);
		sqlite3_bind_null(st, col_local);
	} else if (t->tod_ms >= 0) {
		snprintf(iso, sizeof(iso), "%02d:%02d:%02d.%03d", t->tod_ms / 3600000,
			 t->tod_ms / 60000 % 60, t->tod_ms / 1000 % 60, t->tod_ms % 1000);
		sqlite3_bind_null(st, col_time);
		sqlite3_bind_text(st, col_local, iso, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, col_time);
		sqlite3_bind_null(st, col_local);
	}
}

/* The weaker of two time qualities, ignoring times not seen. */
static enum ec_timeq
weaker(enum ec_timeq a, enum ec_timeq b)
{
	if (a == TQ_NONE)
		return b;
	if (b == TQ_NONE)
		return a;
	return a < b ? a : b;
}

static int
sink_msi_action(void *ctx, const struct ec_msi_action *a)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_MSI_ACTION];

	if (s->rc != STORE_OK)
		return s->rc;
	sqlite3_bind_int64(st, 1, s->src_id);
	sqlite3_bind_int64(st, 2, a->session);
	sqlite3_bind_int64(st, 3, a->seq);
	bind_sv(st, 4, a->name, false);
	bind_sv(st, 5, a->parent, true);
	sqlite3_bind_int64(st, 6, a->depth);
	bind_i64_or_null(st, 7, (int64_t)a->start_line, a->start_line == 0);
	bind_i64_or_null(st, 8, (int64_t)a->end_line, a->end_line == 0);
	bind_time(st, 9, 11, &a->start);
	bind_time(st, 10, 12, &a->end);
	sqlite3_bind_text(st, 13, timeq_names[weaker(a->start.q, a->end.q)], -1, SQLITE_STATIC);
	bind_i64_or_null(st, 14, a->return_value, a->return_value < 0);
	bind_sv(st, 15, a->ca_name, true);
	bind_i64_or_null(st, 16, a->ca_error, a->ca_line == 0);
	bind_i64_or_null(st, 17, (int64_t)a->ca_line, a->ca_line == 0);
	bind_i64_or_null(st, 18, a->error_number, a->error_line == 0);
	bind_i64_or_null(st, 19, (int64_t)a->error_line, a->error_line == 0);
	bind_sv(st, 20, a->error_text, true);
	if (step_reset(s, st, "storing msi action") != STORE_OK)
		return s->rc = STORE_ERROR;
	return STORE_OK;
}

static int
sink_msi_session(void *ctx, const struct ec_msi_session *m)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_MSI_SESSION];

	if (s->rc != STORE_OK)
		return s->rc;
	sqlite3_bind_int64(st, 1, s->src_id);
	sqlite3_bind_int64(st, 2, m->session);
	bind_i64_or_null(st, 3, (int64_t)m->start_line, m->start_line == 0);
	bind_i64_or_null(st, 4, (int64_t)m->end_line, m->end_line == 0);
	bind_time(st, 5, 7, &m->start);
	bind_time(st, 6, 8, &m->end);
	sqlite3_bind_text(st, 9, timeq_names[weaker(m->start.q, m->end.q)], -1, SQLITE_STATIC);
	bind_sv(st, 10, m->started, true);
	bind_sv(st, 11, m->calling_process, true);
	bind_sv(st, 12, m->package, true);
	bind_sv(st, 13, m->command_line, true);
	bind_sv(st, 14, m->product, true);
	bind_sv(st, 15, m->version, true);
	bind_sv(st, 16, m->product_code, true);
	bind_sv(st, 17, m->upgrade_code, true);
	bind_sv(st, 18, m->result, true);
	bind_i64_or_null(st, 19, m->status, m->status < 0);
	bind_i64_or_null(st, 20, m->engine_return, m->engine_return == -1);
	sqlite3_bind_int(st, 21, m->footer);
	sqlite3_bind_int64(st, 22, m->actions);
	sqlite3_bind_int64(st, 23, m->failed_actions);
	if (step_reset(s, st, "storing msi session") != STORE_OK)
		return s->rc = STORE_ERROR;
	return STORE_OK;
}

/* A counter's value by name, or 0. */
static int64_t
counter(const struct ec_run_step *st, const char *name)
{
	for (size_t i = 0; i < st->ncounters; i++) {
		if (sv_eq(st->counters[i].name, name)) {
			char tmp[24];
			size_t n = st->counters[i].value.n < sizeof(tmp) - 1 ? st->counters[i].value.n
									      : sizeof(tmp) - 1;

			memcpy(tmp, st->counters[i].value.p, n);
			tmp[n] = '\0';
			return strtoll(tmp, NULL, 10);
		}
	}
	return 0;
}

/* {"stage-add": 3, ...}: numbers as numbers when they are. */
static void
counters_json(struct buf *b, const struct ec_run_step *st)
{
	buf_reset(b);
	buf_addc(b, '{');
	for (size_t i = 0; i < st->ncounters; i++) {
		struct sv v = sv_trim(st->counters[i].value);
		bool num = v.n > 0 && v.n < 20;

		for (size_t k = 0; num && k < v.n; k++)
			num = (v.p[k] >= '0' && v.p[k] <= '9') || (k == 0 && v.p[k] == '-' && v.n > 1);
		if (i)
			buf_addc(b, ',');
		json_string(b, st->counters[i].name);
		buf_addc(b, ':');
		if (num)
			buf_addsv(b, v);
		else
			json_string(b, v);
	}
	buf_addc(b, '}');
}

static void
bind_ectime(sqlite3_stmt *st, int col, const struct ec_time *t)
{
	char iso[32];

	if (t->q >= TQ_LOCAL_ASSUMED) {
		ms_to_iso(t->ms, iso);
		sqlite3_bind_text(st, col, iso, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, col);
	}
}

static int
sink_run(void *ctx, const struct ec_run *r)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_RUN];
	int64_t run_id;

	if (s->rc != STORE_OK)
		return s->rc;
	sqlite3_bind_int64(st, 1, s->src_id);
	bind_sv(st, 2, r->connector, true);
	bind_sv(st, 3, r->connector_id, true);
	bind_sv(st, 4, r->profile, true);
	bind_i64_or_null(st, 5, r->run_number, r->run_number < 0);
	bind_sv(st, 6, r->result, true);
	bind_ectime(st, 7, &r->start);
	bind_ectime(st, 8, &r->end);
	bind_sv(st, 9, r->user, true);
	bind_sv(st, 10, r->run_history_id, true);
	bind_text(st, 11, r->result_class);
	bind_i64_or_null(st, 12, (int64_t)r->line, r->line == 0);
	sqlite3_bind_text(st, 13, timeq_names[weaker(r->start.q, r->end.q)], -1, SQLITE_STATIC);
	if (step_reset(s, st, "storing run") != STORE_OK)
		return s->rc = STORE_ERROR;
	run_id = sqlite3_last_insert_rowid(s->db);
	s->counts.records++;
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct ec_run_step *p = &r->steps[i];
		sqlite3_stmt *q = s->st[ST_INS_STEP];
		int64_t step_id, errors = p->error_count >= 0 ? p->error_count
				      : counter(p, "stage-failure") + counter(p, "flow-failure") +
					counter(p, "export-failure") + (int64_t)p->nerrors;

		sqlite3_bind_int64(q, 1, run_id);
		bind_i64_or_null(q, 2, p->step_number, p->step_number < 0);
		bind_sv(q, 3, p->step_type, true);
		bind_sv(q, 4, p->result, true);
		bind_ectime(q, 5, &p->start);
		bind_ectime(q, 6, &p->end);
		/* Changes of the step: staged by an import, exported by an export. */
		sqlite3_bind_int64(q, 7, counter(p, "stage-add") + counter(p, "export-add"));
		sqlite3_bind_int64(q, 8, counter(p, "stage-update") + counter(p, "export-update"));
		sqlite3_bind_int64(q, 9, counter(p, "stage-rename") + counter(p, "export-rename"));
		sqlite3_bind_int64(q, 10, counter(p, "stage-delete") + counter(p, "export-delete"));
		sqlite3_bind_int64(q, 11, errors);
		bind_sv(q, 12, p->step_subtype, true);
		bind_text(q, 13, p->step_class);
		bind_text(q, 14, p->result_class);
		bind_sv(q, 15, p->connection_result, true);
		bind_sv(q, 16, p->connection_server, true);
		if (p->ncounters) {
			counters_json(&s->json, p);
			sqlite3_bind_text(q, 17, s->json.data, (int)s->json.len, SQLITE_STATIC);
		} else {
			sqlite3_bind_null(q, 17);
		}
		if (step_reset(s, q, "storing run step") != STORE_OK)
			return s->rc = STORE_ERROR;
		step_id = sqlite3_last_insert_rowid(s->db);
		for (size_t k = 0; k < p->nerrors; k++) {
			const struct ec_run_error *e = &p->errors[k];
			sqlite3_stmt *x = s->st[ST_INS_RUN_ERROR];

			sqlite3_bind_int64(x, 1, step_id);
			bind_sv(x, 2, e->category, true);
			bind_sv(x, 3, e->dn, true);
			bind_sv(x, 4, e->error_type, true);
			bind_sv(x, 5, e->code, true);
			bind_sv(x, 6, e->detail, true);
			bind_ectime(x, 7, &e->when);
			if (step_reset(s, x, "storing run error") != STORE_OK)
				return s->rc = STORE_ERROR;
		}
	}
	return STORE_OK;
}

static int
bump_meta(struct store *s, const char *key)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO meta(key, value) VALUES ('%s', 1) ON CONFLICT(key) DO UPDATE"
		 " SET value = value + 1",
		 key);
	return exec(s, sql);
}

int
store_commit_source(struct store *s, const char *sha256, uint64_t size, int64_t *dup_of)
{
	sqlite3_stmt *st = s->st[ST_UPD_SOURCE];
	int64_t dup;
	char t0[32], t1[32];

	if (!s->src_id)
		return STORE_ERROR;
	if (s->rc != STORE_OK) {
		store_rollback_source(s);
		return STORE_ERROR;
	}
	dup = store_content_find(s, sha256);
	if (dup) {
		struct store_source src = s->src;
		char *keep_path = s->src_path;

		/* Same bytes as an earlier source: keep only a pointer to it. */
		s->src_path = NULL;
		store_rollback_source(s);
		src.path = keep_path;
		src.size = size;
		if (dup_of)
			*dup_of = dup;
		int rc = store_note_source(s, &src, sha256, "duplicate", "same content as an earlier source",
					   dup, 0);
		free(keep_path);
		return rc == STORE_OK ? STORE_DUPLICATE : rc;
	}
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)size);
	sqlite3_bind_int64(st, 3, (int64_t)s->counts.records);
	sqlite3_bind_int64(st, 4, (int64_t)s->counts.skipped);
	sqlite3_bind_int64(st, 5, (int64_t)s->counts.bytes_skipped);
	sqlite3_bind_int64(st, 6, (int64_t)s->counts.problems);
	if (s->min_time != INT64_MAX) {
		ms_to_iso(s->min_time, t0);
		ms_to_iso(s->max_time, t1);
		sqlite3_bind_text(st, 7, t0, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, t1, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 9, s->src_id);
	if (step_reset(s, st, "finishing source") != STORE_OK || bump_meta(s, "ingested") != STORE_OK ||
	    exec(s, "COMMIT") != STORE_OK) {
		store_rollback_source(s);
		return STORE_ERROR;
	}
	s->src_id = 0;
	return STORE_OK;
}

void
store_rollback_source(struct store *s)
{
	if (!s->src_id)
		return;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->src_id = 0;
}

/* A source that could not be read (no hash) recorded before with the
 * same path, status and reason. */
static bool
unread_known(struct store *s, const char *path, const char *status, const char *reason)
{
	sqlite3_stmt *st;
	bool known = false;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT 1 FROM source WHERE path = ? AND sha256 IS NULL AND status = ?"
			       " AND reason IS ?",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	bind_text(st, 1, path);
	bind_text(st, 2, status);
	bind_text(st, 3, reason);
	known = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return known;
}

int
store_note_source(struct store *s, const struct store_source *src, const char *sha256,
		  const char *status, const char *reason, int64_t dup_of, uint64_t records)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if (sha256 ? store_source_find(s, src->path, sha256) != 0
		   : unread_known(s, src->path, status, reason))
		return STORE_OK;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO source(path, name, container, depth, size, mtime, sha256, status,"
			       " reason, format, encoding, duplicate_of, records, ingested_at)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "storing source");
	now_iso(now);
	bind_text(st, 1, src->path);
	bind_text(st, 2, src->name);
	bind_text(st, 3, src->container);
	sqlite3_bind_int(st, 4, src->depth);
	bind_i64_or_null(st, 5, (int64_t)src->size, src->size == UINT64_MAX);
	bind_i64_or_null(st, 6, src->mtime, src->mtime == 0);
	bind_text(st, 7, sha256);
	bind_text(st, 8, status);
	bind_text(st, 9, reason);
	bind_text(st, 10, src->format);
	bind_text(st, 11, src->encoding);
	bind_i64_or_null(st, 12, dup_of, dup_of == 0);
	sqlite3_bind_int64(st, 13, (int64_t)records);
	bind_text(st, 14, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, "storing source");
	return STORE_OK;
}

/* ---- reading ---------------------------------------------------------- */

/* Prepare sql or fail with a message naming what. */
static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st, const char *what)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return fail(s, what);
	return STORE_OK;
}

static int
finish(struct store *s, sqlite3_stmt *st, int rc, int stop, const char *what)
{
	sqlite3_finalize(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return fail(s, what);
	return STORE_OK;
}

int
store_sources(struct store *s, store_source_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT s.id, s.path, s.name, s.container, s.sha256, s.status, s.reason, s.format,"
		    " s.encoding, s.first_time, s.last_time, d.path, s.depth, s.size, s.records,"
		    " s.skipped, s.bytes_skipped, s.problems"
		    " FROM source s LEFT JOIN source d ON d.id = s.duplicate_of"
		    " WHERE s.status <> 'partial' ORDER BY s.id",
		    &st, "listing sources") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_source_row r = {
			.id = sqlite3_column_int64(st, 0), .path = col(st, 1), .name = col(st, 2),
			.container = col(st, 3), .sha256 = col(st, 4), .status = col(st, 5),
			.reason = col(st, 6), .format = col(st, 7), .encoding = col(st, 8),
			.first_time = col(st, 9), .last_time = col(st, 10),
			.duplicate_of_path = col(st, 11), .depth = sqlite3_column_int(st, 12),
			.size = sqlite3_column_type(st, 13) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 13),
			.records = sqlite3_column_int64(st, 14), .skipped = sqlite3_column_int64(st, 15),
			.bytes_skipped = sqlite3_column_int64(st, 16),
			.problems = sqlite3_column_int64(st, 17),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing sources");
}

int
store_problems(struct store *s, int64_t source_id,
	       int (*fn)(void *ctx, const struct store_problem_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT source_id, line, offset, records, bytes, message FROM problem"
		    " WHERE source_id=? ORDER BY id",
		    &st, "listing problems") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, source_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_problem_row r = {
			.source_id = sqlite3_column_int64(st, 0),
			.line = sqlite3_column_int64(st, 1),
			.offset = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2),
			.records = sqlite3_column_int64(st, 3), .bytes = sqlite3_column_int64(st, 4),
			.message = col(st, 5),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing problems");
}

int
store_facts(struct store *s, const char *name,
	    int (*fn)(void *ctx, const struct store_fact_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT f.id, f.source_id, f.event_id, f.origin, f.name, f.key, f.value, s.path,"
		    " e.line, e.time FROM fact f LEFT JOIN source s ON s.id = f.source_id"
		    " LEFT JOIN event e ON e.id = f.event_id"
		    " WHERE (?1 IS NULL OR f.name = ?1)"
		    " ORDER BY s.first_time IS NOT NULL, s.first_time, f.source_id, f.id",
		    &st, "listing facts") != STORE_OK)
		return STORE_ERROR;
	bind_text(st, 1, name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_fact_row r = {
			.id = sqlite3_column_int64(st, 0), .source_id = sqlite3_column_int64(st, 1),
			.event_id = sqlite3_column_int64(st, 2), .origin = col(st, 3),
			.name = col(st, 4), .key = col(st, 5), .value = col(st, 6), .path = col(st, 7),
			.line = sqlite3_column_int64(st, 8), .time = col(st, 9),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing facts");
}

#define EVENT_COLS                                                                              \
	"SELECT e.id, e.source_id, e.line, e.offset, e.event_id, s.path, e.time, e.time_local,"   \
	" e.time_q, e.level, e.provider, e.thread, e.message FROM event e"                        \
	" JOIN source s ON s.id = e.source_id "

static void
event_row(sqlite3_stmt *st, struct store_event_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->source_id = sqlite3_column_int64(st, 1);
	r->line = sqlite3_column_int64(st, 2);
	r->offset = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
	r->event_id = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
	r->path = col(st, 5);
	r->time = col(st, 6);
	r->time_local = col(st, 7);
	r->time_q = col(st, 8);
	r->level = col(st, 9);
	r->provider = col(st, 10);
	r->thread = col(st, 11);
	r->message = col(st, 12);
}

int
store_events(struct store *s, int64_t source_id, const char *min_level, int64_t limit,
	     int (*fn)(void *ctx, const struct store_event_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    EVENT_COLS "WHERE e.source_id = ?1 AND (?2 IS NULL OR"
			       " (CASE e.level WHEN 'critical' THEN 5 WHEN 'error' THEN 4 WHEN 'warning'"
			       " THEN 3 WHEN 'info' THEN 2 WHEN 'verbose' THEN 1 ELSE 0 END) >="
			       " (CASE ?2 WHEN 'critical' THEN 5 WHEN 'error' THEN 4 WHEN 'warning'"
			       " THEN 3 WHEN 'info' THEN 2 WHEN 'verbose' THEN 1 ELSE 0 END))"
			       " ORDER BY e.ordinal LIMIT ?3",
		    &st, "listing events") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, source_id);
	bind_text(st, 2, min_level);
	sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_event_row r;

		event_row(st, &r);
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing events");
}

int
store_events_before(struct store *s, int64_t source_id, int64_t line, int64_t n,
		    int (*fn)(void *ctx, const struct store_event_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* The line's ordinal (one scan of the source's events), then a range
	 * of the (source_id, ordinal) index. */
	if (prepare(s,
		    EVENT_COLS "JOIN (SELECT ordinal AS at FROM event WHERE source_id = ?1 AND line = ?2"
			       " ORDER BY ordinal LIMIT 1) a"
			       " WHERE e.source_id = ?1 AND e.ordinal BETWEEN a.at - ?3 AND a.at - 1"
			       " ORDER BY e.ordinal",
		    &st, "listing events before a line") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, line);
	sqlite3_bind_int64(st, 3, n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_event_row r;

		event_row(st, &r);
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing events before a line");
}

int
store_events_around(struct store *s, int64_t id, int64_t before, int64_t after,
		    int (*fn)(void *ctx, const struct store_event_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* A range of the (source_id, ordinal) index around the event's ordinal. */
	if (prepare(s,
		    EVENT_COLS "JOIN (SELECT source_id AS sid, ordinal AS at FROM event WHERE id = ?1) a"
			       " WHERE e.source_id = a.sid AND e.ordinal BETWEEN a.at - ?2 AND a.at + ?3"
			       " ORDER BY e.ordinal",
		    &st, "listing events around an event") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int64(st, 3, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_event_row r;

		event_row(st, &r);
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing events around an event");
}

#define ERROR_EVENTS_WHERE                                                                      \
	" WHERE e.level IN ('error', 'critical') AND e.time IS NOT NULL"                        \
	" AND e.time_q IN ('exact', 'header-offset', 'local-given')"

int
store_error_events(struct store *s, int64_t limit, int64_t *total,
		   int (*fn)(void *ctx, const struct store_error_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	*total = 0;
	if (prepare(s, "SELECT count(*) FROM event e" ERROR_EVENTS_WHERE, &st, "counting error events") !=
	    STORE_OK)
		return STORE_ERROR;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	if (finish(s, st, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0, "counting error events") != STORE_OK)
		return STORE_ERROR;
	if (prepare(s,
		    "SELECT e.id, e.source_id, e.line, e.event_id, e.record_id, s.path, s.format, e.time,"
		    " e.level, e.provider, e.message FROM event e JOIN source s ON s.id = e.source_id"
		    ERROR_EVENTS_WHERE " ORDER BY e.time, e.id LIMIT ?1",
		    &st, "listing error events") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_error_row r;

		r.id = sqlite3_column_int64(st, 0);
		r.source_id = sqlite3_column_int64(st, 1);
		r.line = sqlite3_column_int64(st, 2);
		r.event_id = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
		r.record = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
		r.path = col(st, 5);
		r.format = col(st, 6);
		r.time = col(st, 7);
		r.level = col(st, 8);
		r.provider = col(st, 9);
		r.message = col(st, 10);
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing error events");
}

int
store_event(struct store *s, int64_t id, int (*fn)(void *ctx, const struct store_event_row *r),
	    void *ctx)
{
	sqlite3_stmt *st;
	int found = 0;

	if (prepare(s, EVENT_COLS "WHERE e.id = ?", &st, "reading event") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		struct store_event_row r;

		event_row(st, &r);
		fn(ctx, &r);
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

int
store_export_events(struct store *s, int (*fn)(void *ctx, const struct store_export_row *r),
		    void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* As store_scan_events: source is the outer loop, each source's events
	 * through event_source, so there is no sort of the whole table. */
	if (prepare(s,
		    "SELECT e.id, e.source_id, e.ordinal, e.line, e.offset, e.time, e.time_local,"
		    " e.time_q, e.level, e.provider, e.event_id, e.thread, e.message, e.record_id,"
		    " e.channel, e.computer, e.user_sid, e.qualifiers, e.task, e.opcode, e.keywords,"
		    " e.process_id, e.thread_id, e.data, s.path, s.format, s.sha256"
		    " FROM source s CROSS JOIN event e ON e.source_id = s.id"
		    " WHERE s.status = 'parsed' ORDER BY s.id, e.ordinal",
		    &st, "exporting events") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_export_row r = {
			.id = sqlite3_column_int64(st, 0), .source_id = sqlite3_column_int64(st, 1),
			.ordinal = sqlite3_column_int64(st, 2), .line = col_i64(st, 3, 0),
			.offset = col_i64(st, 4, -1), .time = col(st, 5), .time_local = col(st, 6),
			.time_q = col(st, 7), .level = col(st, 8), .provider = col(st, 9),
			.event_id = col_i64(st, 10, -1), .thread = col(st, 11), .message = col(st, 12),
			.record_id = col_i64(st, 13, -1), .channel = col(st, 14), .computer = col(st, 15),
			.user_sid = col(st, 16), .qualifiers = col_i64(st, 17, -1),
			.task = col_i64(st, 18, -1), .opcode = col_i64(st, 19, -1),
			.keywords = col(st, 20), .process_id = col_i64(st, 21, -1),
			.thread_id = col_i64(st, 22, -1), .data = col(st, 23), .path = col(st, 24),
			.format = col(st, 25), .sha256 = col(st, 26),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "exporting events");
}

int
store_spans(struct store *s, const char *format,
	    int (*fn)(void *ctx, const struct store_span_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT s.id, s.path, s.format, min(e.time), max(e.time),"
		    " (SELECT time_local FROM event WHERE source_id = s.id ORDER BY ordinal LIMIT 1),"
		    " (SELECT time_local FROM event WHERE source_id = s.id ORDER BY ordinal DESC LIMIT 1),"
		    " (SELECT time_q FROM event WHERE source_id = s.id ORDER BY"
		    "   CASE time_q WHEN 'none' THEN 0 WHEN 'time-of-day' THEN 1 WHEN 'local-assumed'"
		    "   THEN 2 WHEN 'local-given' THEN 3 WHEN 'header-offset' THEN 4 ELSE 5 END LIMIT 1),"
		    " count(e.id), sum(e.level IN ('error','critical')), sum(e.level = 'warning'),"
		    " (SELECT id FROM event WHERE source_id = s.id AND level IN ('error','critical')"
		    "   ORDER BY ordinal LIMIT 1)"
		    " FROM source s LEFT JOIN event e ON e.source_id = s.id"
		    " WHERE s.status = 'parsed' AND (?1 IS NULL OR s.format = ?1)"
		    " GROUP BY s.id ORDER BY min(e.time), s.path",
		    &st, "summarising sources") != STORE_OK)
		return STORE_ERROR;
	bind_text(st, 1, format);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_span_row r = {
			.source_id = sqlite3_column_int64(st, 0), .path = col(st, 1),
			.format = col(st, 2), .first_time = col(st, 3), .last_time = col(st, 4),
			.first_local = col(st, 5), .last_local = col(st, 6), .time_q = col(st, 7),
			.events = sqlite3_column_int64(st, 8), .errors = sqlite3_column_int64(st, 9),
			.warnings = sqlite3_column_int64(st, 10),
			.first_error_id = sqlite3_column_int64(st, 11),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "summarising sources");
}

/* ---- analysis --------------------------------------------------------- */

int
store_begin_analysis(struct store *s)
{
	if (exec(s, "BEGIN IMMEDIATE") != STORE_OK)
		return STORE_ERROR;
	/* Rows that reference a finding go before it. */
	if (exec(s, "DELETE FROM evidence; DELETE FROM missing_evidence; DELETE FROM finding;"
		    " DELETE FROM episode; DELETE FROM upgrade; DELETE FROM sync_connector;"
		    " DELETE FROM unexplained; DELETE FROM fact WHERE origin = 'analyzer'") != STORE_OK) {
		exec(s, "ROLLBACK");
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
store_end_analysis(struct store *s, bool commit)
{
	if (!commit) {
		exec(s, "ROLLBACK");
		return STORE_OK;
	}
	if (exec(s, "INSERT INTO meta(key, value) VALUES ('analyzed',"
		    " (SELECT coalesce(max(value), 0) FROM meta WHERE key = 'ingested'))"
		    " ON CONFLICT(key) DO UPDATE SET value = excluded.value") != STORE_OK ||
	    exec(s, "COMMIT") != STORE_OK) {
		exec(s, "ROLLBACK");
		return STORE_ERROR;
	}
	return STORE_OK;
}

bool
store_analysis_current(struct store *s)
{
	sqlite3_stmt *st;
	bool current = false;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT (SELECT value FROM meta WHERE key='analyzed') IS"
			       " (SELECT value FROM meta WHERE key='ingested')"
			       " AND EXISTS (SELECT 1 FROM meta WHERE key='analyzed')",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW)
		current = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return current;
}

int64_t
store_add_finding(struct store *s, const struct store_finding *f)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s,
		    "INSERT INTO finding(rule, title, severity, confidence, summary, remediation, time,"
		    " kind, data) VALUES (?,?,?,?,?,?,?,?,?)",
		    &st, "storing finding") != STORE_OK)
		return -1;
	bind_text(st, 1, f->rule);
	bind_text(st, 2, f->title);
	bind_text(st, 3, f->severity);
	bind_text(st, 4, f->confidence);
	bind_text(st, 5, f->summary);
	bind_text(st, 6, f->remediation);
	bind_text(st, 7, f->time);
	bind_text(st, 8, f->kind ? f->kind : "check");
	bind_text(st, 9, f->data);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(s, "storing finding");
		return -1;
	}
	return sqlite3_last_insert_rowid(s->db);
}

int
store_rank_finding(struct store *s, int64_t finding_id, int64_t rank, int64_t explained_by)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s, "UPDATE finding SET rank = ?, explained_by = ? WHERE id = ?", &st,
		    "ranking finding") != STORE_OK)
		return STORE_ERROR;
	bind_i64_or_null(st, 1, rank, rank <= 0);
	bind_i64_or_null(st, 2, explained_by, explained_by <= 0);
	sqlite3_bind_int64(st, 3, finding_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, "ranking finding");
	if (sqlite3_changes(s->db) == 0) {
		snprintf(s->errbuf, sizeof(s->errbuf), "ranking finding: no finding %" PRId64, finding_id);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
store_add_evidence(struct store *s, int64_t finding_id, int64_t source_id, int64_t event_id,
		   int64_t line, const char *note)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s,
		    "INSERT INTO evidence(finding_id, source_id, event_id, line, note) VALUES (?1, ?2,"
		    " coalesce(?3, (SELECT id FROM event WHERE source_id = ?2 AND line = ?4"
		    " ORDER BY ordinal LIMIT 1)), ?4, ?5)",
		    &st, "storing evidence") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, finding_id);
	bind_i64_or_null(st, 2, source_id, source_id <= 0);
	bind_i64_or_null(st, 3, event_id, event_id <= 0);
	bind_i64_or_null(st, 4, line, line <= 0);
	bind_text(st, 5, note);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, "storing evidence");
}

int
store_add_episode(struct store *s, const struct store_episode *e)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s,
		    "INSERT INTO episode(kind, source_id, label, start_time, end_time, time_q, outcome,"
		    " errors, warnings, first_error_event) VALUES (?,?,?,?,?,?,?,?,?,?)",
		    &st, "storing episode") != STORE_OK)
		return STORE_ERROR;
	bind_text(st, 1, e->kind);
	bind_i64_or_null(st, 2, e->source_id, e->source_id <= 0);
	bind_text(st, 3, e->label);
	bind_text(st, 4, e->start_time);
	bind_text(st, 5, e->end_time);
	bind_text(st, 6, e->time_q);
	bind_text(st, 7, e->outcome);
	sqlite3_bind_int64(st, 8, e->errors);
	sqlite3_bind_int64(st, 9, e->warnings);
	bind_i64_or_null(st, 10, e->first_error_event, e->first_error_event <= 0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, "storing episode");
}

int
store_add_fact(struct store *s, int64_t source_id, int64_t event_id, const char *name,
	       const char *key, const char *value)
{
	sqlite3_stmt *st = s->st[ST_INS_FACT];

	bind_i64_or_null(st, 1, source_id, source_id <= 0);
	bind_i64_or_null(st, 2, event_id, event_id <= 0);
	sqlite3_bind_text(st, 3, "analyzer", -1, SQLITE_STATIC);
	bind_text(st, 4, name);
	bind_text(st, 5, key);
	bind_text(st, 6, value);
	return step_reset(s, st, "storing fact");
}

int
store_findings(struct store *s, int (*fn)(void *ctx, const struct store_finding_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT id, rule, title, severity, confidence, summary, remediation, time,"
		    " coalesce(rank, 0), coalesce(explained_by, 0), coalesce(kind, 'check'), data"
		    " FROM finding ORDER BY rank IS NULL, rank, id",
		    &st, "listing findings") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_finding_row r = {
			.id = sqlite3_column_int64(st, 0), .rule = col(st, 1), .title = col(st, 2),
			.severity = col(st, 3), .confidence = col(st, 4), .summary = col(st, 5),
			.remediation = col(st, 6), .time = col(st, 7),
			.rank = sqlite3_column_int64(st, 8), .explained_by = sqlite3_column_int64(st, 9),
			.kind = col(st, 10), .data = col(st, 11),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing findings");
}

int
store_evidence(struct store *s, int64_t finding_id,
	       int (*fn)(void *ctx, const struct store_evidence_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT v.finding_id, coalesce(v.source_id, e.source_id), v.event_id,"
		    " coalesce(v.line, e.line), s.path, v.note, e.time, e.message,"
		    " coalesce(e.record_id, -1), s.format FROM evidence v"
		    " LEFT JOIN event e ON e.id = v.event_id"
		    " LEFT JOIN source s ON s.id = coalesce(v.source_id, e.source_id)"
		    " WHERE v.finding_id = ? ORDER BY v.rowid",
		    &st, "listing evidence") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, finding_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_evidence_row r = {
			.finding_id = sqlite3_column_int64(st, 0),
			.source_id = sqlite3_column_int64(st, 1),
			.event_id = sqlite3_column_int64(st, 2), .line = sqlite3_column_int64(st, 3),
			.path = col(st, 4), .note = col(st, 5), .time = col(st, 6),
			.message = col(st, 7), .record = sqlite3_column_int64(st, 8),
			.format = col(st, 9),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing evidence");
}

int
store_episodes(struct store *s, int (*fn)(void *ctx, const struct store_episode_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT p.id, p.source_id, p.errors, p.warnings, p.first_error_event, p.kind,"
		    " p.label, p.start_time, p.end_time, p.time_q, p.outcome, s.path FROM episode p"
		    " LEFT JOIN source s ON s.id = p.source_id ORDER BY p.start_time IS NULL,"
		    " p.start_time, s.path",
		    &st, "listing episodes") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_episode_row r = {
			.id = sqlite3_column_int64(st, 0), .source_id = sqlite3_column_int64(st, 1),
			.errors = sqlite3_column_int64(st, 2), .warnings = sqlite3_column_int64(st, 3),
			.first_error_event = sqlite3_column_int64(st, 4), .kind = col(st, 5),
			.label = col(st, 6), .start_time = col(st, 7), .end_time = col(st, 8),
			.time_q = col(st, 9), .outcome = col(st, 10), .path = col(st, 11),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing episodes");
}

/* ---- Windows Installer ------------------------------------------------- */

int
store_msi_sessions(struct store *s, int (*fn)(void *ctx, const struct store_msi_session_row *r),
		   void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT m.source_id, m.session, m.start_line, m.end_line, m.status,"
		    " m.engine_return, m.actions, m.failed_actions, m.footer, s.path, s.name,"
		    " m.start_time, m.end_time, m.start_local, m.end_local, m.time_q, m.started,"
		    " m.calling_process, m.package, m.command_line, m.product, m.version,"
		    " m.product_code, m.upgrade_code, m.result FROM msi_session m"
		    " JOIN source s ON s.id = m.source_id"
		    " ORDER BY m.start_time IS NULL, m.start_time, s.path, m.session",
		    &st, "listing msi sessions") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_msi_session_row r = {
			.source_id = sqlite3_column_int64(st, 0), .session = sqlite3_column_int64(st, 1),
			.start_line = col_i64(st, 2, 0), .end_line = col_i64(st, 3, 0),
			.status = col_i64(st, 4, -1), .engine_return = col_i64(st, 5, -1),
			.actions = sqlite3_column_int64(st, 6),
			.failed_actions = sqlite3_column_int64(st, 7),
			.footer = sqlite3_column_int(st, 8) != 0, .path = col(st, 9), .name = col(st, 10),
			.start_time = col(st, 11), .end_time = col(st, 12), .start_local = col(st, 13),
			.end_local = col(st, 14), .time_q = col(st, 15), .started = col(st, 16),
			.calling_process = col(st, 17), .package = col(st, 18),
			.command_line = col(st, 19), .product = col(st, 20), .version = col(st, 21),
			.product_code = col(st, 22), .upgrade_code = col(st, 23), .result = col(st, 24),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing msi sessions");
}

int
store_msi_actions(struct store *s, int64_t source_id, int64_t session, int64_t min_return,
		  int (*fn)(void *ctx, const struct store_msi_action_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT source_id, session, seq, depth, start_line, end_line, return_value,"
		    " ca_error, ca_line, error_number, error_line, name, parent, start_time,"
		    " end_time, start_local, end_local, time_q, ca_name, error_text FROM msi_action"
		    " WHERE source_id = ?1 AND session = ?2 AND (?3 = 0 OR return_value >= ?3)"
		    " ORDER BY end_line IS NULL, end_line, seq",
		    &st, "listing msi actions") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, session);
	sqlite3_bind_int64(st, 3, min_return);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_msi_action_row r = {
			.source_id = sqlite3_column_int64(st, 0), .session = sqlite3_column_int64(st, 1),
			.seq = sqlite3_column_int64(st, 2), .depth = sqlite3_column_int64(st, 3),
			.start_line = col_i64(st, 4, 0), .end_line = col_i64(st, 5, 0),
			.return_value = col_i64(st, 6, -1), .ca_error = col_i64(st, 7, -1),
			.ca_line = col_i64(st, 8, 0), .error_number = col_i64(st, 9, -1),
			.error_line = col_i64(st, 10, 0), .name = col(st, 11), .parent = col(st, 12),
			.start_time = col(st, 13), .end_time = col(st, 14), .start_local = col(st, 15),
			.end_local = col(st, 16), .time_q = col(st, 17), .ca_name = col(st, 18),
			.error_text = col(st, 19),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing msi actions");
}

/* ---- run history ---------------------------------------------------- */

int
store_runs(struct store *s, int (*fn)(void *ctx, const struct store_run_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT r.id, r.source_id, r.line, r.run_number,"
		    " (SELECT count(*) FROM run_step t WHERE t.run_id = r.id),"
		    " (SELECT coalesce(sum(t.errors), 0) FROM run_step t WHERE t.run_id = r.id),"
		    " s.path, r.connector, r.connector_id, r.profile, r.result, r.result_class,"
		    " r.start_time, r.end_time,"
		    " (SELECT group_concat(c, ',') FROM (SELECT coalesce(t.step_class, 'unknown') AS c"
		    "   FROM run_step t WHERE t.run_id = r.id ORDER BY t.step_number)),"
		    " (SELECT t.connection_result FROM run_step t WHERE t.run_id = r.id AND"
		    "   t.connection_result IS NOT NULL ORDER BY t.step_number LIMIT 1)"
		    " FROM run r JOIN source s ON s.id = r.source_id"
		    " ORDER BY r.start_time IS NULL, r.start_time, r.id",
		    &st, "listing runs") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_run_row r = {
			.id = sqlite3_column_int64(st, 0), .source_id = sqlite3_column_int64(st, 1),
			.line = col_i64(st, 2, 0), .run_number = col_i64(st, 3, -1),
			.steps = sqlite3_column_int64(st, 4), .errors = sqlite3_column_int64(st, 5),
			.path = col(st, 6), .connector = col(st, 7), .connector_id = col(st, 8),
			.profile = col(st, 9), .result = col(st, 10), .result_class = col(st, 11),
			.start_time = col(st, 12), .end_time = col(st, 13), .step_classes = col(st, 14),
			.connection_result = col(st, 15),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing runs");
}

/* ---- analysis tables (schema 5) ---------------------------------------- */

int
store_scan_events(struct store *s, int (*fn)(void *ctx, const struct store_scan_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* CROSS JOIN keeps source as the outer loop: sources in rowid order,
	 * each one's events through event_source (source_id, ordinal), so the
	 * rows come in order without a sort of the whole table. */
	if (prepare(s,
		    "SELECT e.id, e.source_id, e.line, e.event_id, e.record_id, s.format, s.path,"
		    " e.time, e.level, e.provider, e.message, e.data"
		    " FROM source s CROSS JOIN event e ON e.source_id = s.id"
		    " WHERE s.status = 'parsed' ORDER BY s.id, e.ordinal",
		    &st, "scanning events") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_scan_row r = {
			.id = sqlite3_column_int64(st, 0), .source_id = sqlite3_column_int64(st, 1),
			.line = col_i64(st, 2, 0), .event_id = col_i64(st, 3, -1),
			.record = col_i64(st, 4, -1), .format = col(st, 5), .path = col(st, 6),
			.time = col(st, 7), .level = col(st, 8), .provider = col(st, 9),
			.message = col(st, 10), .data = col(st, 11),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "scanning events");
}

int
store_scan_steps(struct store *s, int (*fn)(void *ctx, const struct store_step_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* run_step.errors holds the step's error count (every error the step
	 * had, not only the run_error rows kept); the rows when it is NULL. */
	if (prepare(s,
		    "SELECT r.id, t.id, r.source_id, r.line, t.step_number,"
		    " coalesce(t.errors, (SELECT count(*) FROM run_error x WHERE x.step_id = t.id)),"
		    " s.path, r.connector, r.profile, t.step_class, t.result, t.result_class,"
		    " t.connection_result, t.start_time, t.end_time"
		    " FROM run_step t JOIN run r ON r.id = t.run_id JOIN source s ON s.id = r.source_id"
		    " ORDER BY r.source_id, r.start_time IS NULL, r.start_time, r.id,"
		    " t.step_number IS NULL, t.step_number, t.id",
		    &st, "listing run steps") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_step_row r = {
			.run_id = sqlite3_column_int64(st, 0), .step_id = sqlite3_column_int64(st, 1),
			.source_id = sqlite3_column_int64(st, 2), .line = col_i64(st, 3, 0),
			.step_number = col_i64(st, 4, -1), .errors = sqlite3_column_int64(st, 5),
			.path = col(st, 6), .connector = col(st, 7), .profile = col(st, 8),
			.step_class = col(st, 9), .result = col(st, 10), .result_class = col(st, 11),
			.connection_result = col(st, 12), .start_time = col(st, 13),
			.end_time = col(st, 14),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing run steps");
}

int
store_scan_run_errors(struct store *s, int (*fn)(void *ctx, const struct store_run_error_row *r),
		      void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT x.step_id, r.id, r.source_id, r.line, s.path, r.connector, r.profile,"
		    " x.category, x.error_type, x.code, x.dn, x.detail, x.time"
		    " FROM run_error x JOIN run_step t ON t.id = x.step_id JOIN run r ON r.id = t.run_id"
		    " JOIN source s ON s.id = r.source_id"
		    " ORDER BY r.source_id, r.start_time IS NULL, r.start_time, r.id,"
		    " t.step_number IS NULL, t.step_number, t.id, x.id",
		    &st, "listing run errors") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_run_error_row r = {
			.step_id = sqlite3_column_int64(st, 0), .run_id = sqlite3_column_int64(st, 1),
			.source_id = sqlite3_column_int64(st, 2), .line = col_i64(st, 3, 0),
			.path = col(st, 4), .connector = col(st, 5), .profile = col(st, 6),
			.category = col(st, 7), .error_type = col(st, 8), .code = col(st, 9),
			.dn = col(st, 10), .detail = col(st, 11), .time = col(st, 12),
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing run errors");
}

/* Step an insert, finalize it; the new row's id, or -1 (store_errmsg()). */
static int64_t
insert_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(s, what);
		return -1;
	}
	return sqlite3_last_insert_rowid(s->db);
}

int64_t
store_add_upgrade(struct store *s, const struct store_upgrade *u)
{
	sqlite3_stmt *st;

	if (prepare(s,
		    "INSERT INTO upgrade(from_version, to_version, outcome, started, ended, pause_start,"
		    " pause_end, pause_seconds, phases, source_id, line) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
		    &st, "storing upgrade") != STORE_OK)
		return -1;
	bind_text(st, 1, u->from_version);
	bind_text(st, 2, u->to_version);
	bind_text(st, 3, u->outcome);
	bind_text(st, 4, u->started);
	bind_text(st, 5, u->ended);
	bind_text(st, 6, u->pause_start);
	bind_text(st, 7, u->pause_end);
	bind_i64_or_null(st, 8, u->pause_seconds, u->pause_seconds < 0);
	bind_text(st, 9, u->phases);
	bind_i64_or_null(st, 10, u->source_id, u->source_id <= 0);
	bind_i64_or_null(st, 11, u->line, u->line <= 0);
	return insert_done(s, st, "storing upgrade");
}

int
store_upgrades(struct store *s, int (*fn)(void *ctx, const struct store_upgrade *u), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT u.from_version, u.to_version, u.outcome, u.started, u.ended, u.pause_start,"
		    " u.pause_end, u.phases, s.path, u.source_id, u.line, u.pause_seconds"
		    " FROM upgrade u LEFT JOIN source s ON s.id = u.source_id ORDER BY u.id",
		    &st, "listing upgrades") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_upgrade u = {
			.from_version = col(st, 0), .to_version = col(st, 1), .outcome = col(st, 2),
			.started = col(st, 3), .ended = col(st, 4), .pause_start = col(st, 5),
			.pause_end = col(st, 6), .phases = col(st, 7), .path = col(st, 8),
			.source_id = col_i64(st, 9, 0), .line = col_i64(st, 10, -1),
			.pause_seconds = col_i64(st, 11, -1),
		};
		if ((stop = fn(ctx, &u)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing upgrades");
}

int
store_add_sync(struct store *s, const struct store_sync *c)
{
	sqlite3_stmt *st;

	if (prepare(s,
		    "INSERT INTO sync_connector(connector, verdict, basis, import_time, sync_time,"
		    " export_time, resumed_time, seconds_to_resume, runs_after, failed_after, note,"
		    " source_id, line) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
		    &st, "storing sync verdict") != STORE_OK)
		return STORE_ERROR;
	bind_text(st, 1, c->connector);
	bind_text(st, 2, c->verdict);
	bind_text(st, 3, c->basis);
	bind_text(st, 4, c->import_time);
	bind_text(st, 5, c->sync_time);
	bind_text(st, 6, c->export_time);
	bind_text(st, 7, c->resumed_time);
	bind_i64_or_null(st, 8, c->seconds_to_resume, c->seconds_to_resume < 0);
	sqlite3_bind_int64(st, 9, c->runs_after);
	sqlite3_bind_int64(st, 10, c->failed_after);
	bind_text(st, 11, c->note);
	bind_i64_or_null(st, 12, c->source_id, c->source_id <= 0);
	bind_i64_or_null(st, 13, c->line, c->line <= 0);
	return insert_done(s, st, "storing sync verdict") < 0 ? STORE_ERROR : STORE_OK;
}

int
store_syncs(struct store *s, int (*fn)(void *ctx, const struct store_sync *c), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT c.connector, c.verdict, c.basis, c.import_time, c.sync_time, c.export_time,"
		    " c.resumed_time, c.note, s.path, c.seconds_to_resume, c.runs_after, c.failed_after,"
		    " c.source_id, c.line"
		    " FROM sync_connector c LEFT JOIN source s ON s.id = c.source_id ORDER BY c.id",
		    &st, "listing sync verdicts") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_sync c = {
			.connector = col(st, 0), .verdict = col(st, 1), .basis = col(st, 2),
			.import_time = col(st, 3), .sync_time = col(st, 4), .export_time = col(st, 5),
			.resumed_time = col(st, 6), .note = col(st, 7), .path = col(st, 8),
			.seconds_to_resume = col_i64(st, 9, -1), .runs_after = col_i64(st, 10, 0),
			.failed_after = col_i64(st, 11, 0), .source_id = col_i64(st, 12, 0),
			.line = col_i64(st, 13, -1),
		};
		if ((stop = fn(ctx, &c)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing sync verdicts");
}

int
store_add_missing(struct store *s, const struct store_missing *m)
{
	sqlite3_stmt *st;

	if (prepare(s, "INSERT INTO missing_evidence(question, collect, how, finding_id) VALUES (?,?,?,?)",
		    &st, "storing missing evidence") != STORE_OK)
		return STORE_ERROR;
	bind_text(st, 1, m->question);
	bind_text(st, 2, m->collect);
	bind_text(st, 3, m->how);
	bind_i64_or_null(st, 4, m->finding_id, m->finding_id <= 0);
	return insert_done(s, st, "storing missing evidence") < 0 ? STORE_ERROR : STORE_OK;
}

int
store_missing(struct store *s, int (*fn)(void *ctx, const struct store_missing *m), void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s, "SELECT question, collect, how, finding_id FROM missing_evidence ORDER BY id", &st,
		    "listing missing evidence") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_missing m = {
			.question = col(st, 0), .collect = col(st, 1), .how = col(st, 2),
			.finding_id = col_i64(st, 3, 0),
		};
		if ((stop = fn(ctx, &m)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing missing evidence");
}

int
store_add_unexplained(struct store *s, const struct store_unexplained *u)
{
	sqlite3_stmt *st;

	/* path and record come from the source and the event when read. */
	if (prepare(s,
		    "INSERT INTO unexplained(template, count, sources, example, format, provider, level,"
		    " first_time, source_id, event_id, line) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
		    &st, "storing unexplained errors") != STORE_OK)
		return STORE_ERROR;
	bind_text(st, 1, u->template);
	sqlite3_bind_int64(st, 2, u->count);
	sqlite3_bind_int64(st, 3, u->sources);
	bind_text(st, 4, u->example);
	bind_text(st, 5, u->format);
	bind_text(st, 6, u->provider);
	bind_text(st, 7, u->level);
	bind_text(st, 8, u->first_time);
	bind_i64_or_null(st, 9, u->source_id, u->source_id <= 0);
	bind_i64_or_null(st, 10, u->event_id, u->event_id <= 0);
	bind_i64_or_null(st, 11, u->line, u->line <= 0);
	return insert_done(s, st, "storing unexplained errors") < 0 ? STORE_ERROR : STORE_OK;
}

int
store_unexplained(struct store *s, int (*fn)(void *ctx, const struct store_unexplained *u),
		  void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT u.template, u.example, u.format, u.provider, u.level, s.path, u.first_time,"
		    " u.count, u.sources, u.source_id, u.event_id, u.line, e.record_id"
		    " FROM unexplained u LEFT JOIN source s ON s.id = u.source_id"
		    " LEFT JOIN event e ON e.id = u.event_id ORDER BY u.count DESC, u.id",
		    &st, "listing unexplained errors") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_unexplained u = {
			.template = col(st, 0), .example = col(st, 1), .format = col(st, 2),
			.provider = col(st, 3), .level = col(st, 4), .path = col(st, 5),
			.first_time = col(st, 6), .count = sqlite3_column_int64(st, 7),
			.sources = sqlite3_column_int64(st, 8), .source_id = col_i64(st, 9, 0),
			.event_id = col_i64(st, 10, 0), .line = col_i64(st, 11, -1),
			.record = col_i64(st, 12, -1),
		};
		if ((stop = fn(ctx, &u)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "listing unexplained errors");
}

/* ---- ad hoc SQL ------------------------------------------------------- */

int
store_query(struct store *s, const char *sql, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	const char *tail;
	int rc, ncol, stop = 0;
	const char **names, **values;
	int *types;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, &tail) != SQLITE_OK)
		return fail(s, "query");
	if (!st) {
		snprintf(s->errbuf, sizeof(s->errbuf), "query: empty statement");
		return STORE_ERROR;
	}
	while (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';' || *tail == '\r')
		tail++;
	if (*tail) {
		sqlite3_finalize(st);
		snprintf(s->errbuf, sizeof(s->errbuf), "query: one statement only (extra text at '%.20s')",
			 tail);
		return STORE_ERROR;
	}
	if (!sqlite3_stmt_readonly(st)) {
		sqlite3_finalize(st);
		snprintf(s->errbuf, sizeof(s->errbuf),
			 "query: only read-only statements are allowed (SELECT, WITH, read-only PRAGMA)");
		return STORE_ERROR;
	}
	ncol = sqlite3_column_count(st);
	names = xcalloc((size_t)ncol + 1, sizeof(*names));
	values = xcalloc((size_t)ncol + 1, sizeof(*values));
	types = xcalloc((size_t)ncol + 1, sizeof(*types));
	for (int i = 0; i < ncol; i++)
		names[i] = sqlite3_column_name(st, i);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			static const int map[] = { 0, ST_INT, ST_REAL, ST_TEXT, ST_BLOB, ST_NULL };
			int t = sqlite3_column_type(st, i);

			types[i] = map[t >= 1 && t <= 5 ? t : 0];
			values[i] = col(st, i);
		}
		if ((stop = fn(ctx, ncol, names, values, types)) != 0)
			break;
	}
	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		/* Tell the caller about the header even when there were no rows. */
		if (!stop && rc == SQLITE_DONE)
			stop = fn(ctx, ncol, names, NULL, types);
		rc = SQLITE_DONE;
	}
	free(names);
	free(values);
	free(types);
	return finish(s, st, rc, stop, "query");
}
