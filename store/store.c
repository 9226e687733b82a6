/* SPDX-License-Identifier: MIT */
/* store.c - SQLite case database: opening, schema migrations, the prepared
 * insert statements, closing; ingest.c, read.c and analysis.c do the rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "store/store_int.h"

extern const char store_schema_sql[];
extern const char store_schema2_sql[];
extern const char store_schema3_sql[];
extern const char store_schema4_sql[];
extern const char store_schema5_sql[];
extern const char store_schema6_sql[];

/* Migration steps: steps[i] takes a database from user_version i to i+1.
 * Step 0 is the whole schema of version 1. Append, never edit. */
static const char *const *migration_steps(size_t *n)
{
	static const char *steps[6];

	steps[0] = store_schema_sql;
	steps[1] = store_schema2_sql;	/* Windows Installer sessions and actions */
	steps[2] = store_schema3_sql;	/* Windows event fields */
	steps[3] = store_schema4_sql;	/* run history */
	steps[4] = store_schema5_sql;	/* upgrades, sync verdicts, ranked findings */
	steps[5] = store_schema6_sql;	/* one clock: hosts and offsets per source */
	*n = 6;
	return steps;
}

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

const char *
store_errmsg(const struct store *s)
{
	return s->errbuf;
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
	s->sink.event = st_sink_event;
	s->sink.fact = st_sink_fact;
	s->sink.problem = st_sink_problem;
	s->sink.msi_action = st_sink_msi_action;
	s->sink.msi_session = st_sink_msi_session;
	s->sink.run = st_sink_run;
	*out = s;
	return STORE_OK;
}

/* Free the strings store_begin_source copied. */
void
st_free_source_copy(struct store *s)
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
	st_free_source_copy(s);
	buf_release(&s->json);
	free(s);
}
