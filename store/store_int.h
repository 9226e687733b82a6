/* SPDX-License-Identifier: MIT */
/* store_int.h - private to store/: struct store, the prepared insert
 * statements and the binding, column and error helpers every store file uses. */
#ifndef ECDIAG_STORE_INT_H
#define ECDIAG_STORE_INT_H

#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "store/store.h"

#define TIME_INDEX "CREATE INDEX IF NOT EXISTS event_time ON event(time)"

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
	bool given;			/* --utc-offset given (store_set_given_offset) */
	int given_offset;		/* its minutes east of UTC */
	unsigned tq_seen;		/* 1 << enum ec_timeq of every time of the current source */
	char errbuf[512];
};

static inline int
fail(struct store *s, const char *what)
{
	snprintf(s->errbuf, sizeof(s->errbuf), "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "?");
	return STORE_ERROR;
}

static inline int
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

/* store.c */
void st_free_source_copy(struct store *s);

/* ingest.c: the sink store_open hands out */
int st_sink_event(void *ctx, const struct ec_event *ev);
int st_sink_fact(void *ctx, const struct ec_fact *f);
int st_sink_problem(void *ctx, const struct ec_problem *p);
int st_sink_msi_action(void *ctx, const struct ec_msi_action *a);
int st_sink_msi_session(void *ctx, const struct ec_msi_session *m);
int st_sink_run(void *ctx, const struct ec_run *r);

/* ---- binding helpers -------------------------------------------------- */

static inline void
bind_text(sqlite3_stmt *st, int i, const char *p)
{
	if (p)
		sqlite3_bind_text(st, i, p, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static inline void
bind_sv(sqlite3_stmt *st, int i, struct sv v, bool null_if_empty)
{
	if (null_if_empty && v.n == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v.p ? v.p : "", (int)v.n, SQLITE_STATIC);
}

static inline void
bind_i64_or_null(sqlite3_stmt *st, int i, int64_t v, bool null)
{
	if (null)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static inline int
step_reset(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(s, what);
	return STORE_OK;
}

static inline const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* An integer column, or none when it is NULL. */
static inline int64_t
col_i64(sqlite3_stmt *st, int i, int64_t none)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

/* Prepare sql or fail with a message naming what. */
static inline int
prepare(struct store *s, const char *sql, sqlite3_stmt **st, const char *what)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return fail(s, what);
	return STORE_OK;
}

static inline int
finish(struct store *s, sqlite3_stmt *st, int rc, int stop, const char *what)
{
	sqlite3_finalize(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return fail(s, what);
	return STORE_OK;
}


/* Is the meta counter `key` at the last ingest's ('ingested')? With
 * must_exist, a key never written is not. */
static inline bool
meta_current(struct store *s, const char *key, bool must_exist)
{
	sqlite3_stmt *st;
	bool current = false;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT (SELECT value FROM meta WHERE key = ?1) IS"
			       " (SELECT value FROM meta WHERE key = 'ingested')"
			       " AND (NOT ?2 OR EXISTS (SELECT 1 FROM meta WHERE key = ?1))",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, must_exist);
	if (sqlite3_step(st) == SQLITE_ROW)
		current = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return current;
}

#endif
