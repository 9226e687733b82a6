/* SPDX-License-Identifier: MIT */
/* clock.c - the store side of the case's one clock (schema 6): what the
 * clock needs to know of each source, matching local records against exact
 * ones, and moving a source's local times when its offset changes. */
#include <string.h>

#include "store/store_int.h"

/* The first DNS label of a computer name, lower case, in SQL. */
#define HOST_KEY(c) "lower(CASE WHEN instr(" c ", '.') > 0 THEN substr(" c ", 1, instr(" c ", '.') - 1)" \
		    " ELSE " c " END)"
#define ISO "'%Y-%m-%dT%H:%M:%fZ'"
#define LOCAL_Q "('local-assumed', 'local-derived')"

void
store_set_given_offset(struct store *s, bool given, int minutes)
{
	s->given = given;
	s->given_offset = minutes;
}

int
store_clock_sources(struct store *s, int (*fn)(void *ctx, const struct store_clock_source *r),
		    void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* The Computer of Windows events is looked for only in the formats
	 * that have one (a trace without any would be read to its end). */
	if (prepare(s,
		    "SELECT s.id, s.path, s.name, s.format, s.clock, s.host, s.host_from, s.clock_from,"
		    " s.utc_offset, s.first_time,"
		    " (SELECT f.value FROM fact f WHERE f.source_id = s.id AND f.name = 'host.name'"
		    "   AND f.origin = 'parser' ORDER BY f.id LIMIT 1),"
		    " (SELECT e.line FROM fact f JOIN event e ON e.id = f.event_id WHERE f.source_id = s.id"
		    "   AND f.name = 'host.name' AND f.origin = 'parser' ORDER BY f.id LIMIT 1),"
		    " CASE WHEN s.format IN ('evtx', 'evxml', 'evtext', 'evcsv', 'pscsv', 'psjson') THEN"
		    "  (SELECT e.computer FROM event e WHERE e.source_id = s.id AND e.computer IS NOT NULL"
		    "   ORDER BY e.ordinal LIMIT 1) END"
		    " FROM source s WHERE s.status = 'parsed' ORDER BY s.id",
		    &st, "reading the clock of the sources") != STORE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *fact_host = col(st, 10);
		struct store_clock_source r = {
			.id = sqlite3_column_int64(st, 0), .path = col(st, 1), .name = col(st, 2),
			.format = col(st, 3), .clock = col(st, 4), .host = col(st, 5),
			.host_from = col(st, 6), .clock_from = col(st, 7),
			.utc_offset = col_i64(st, 8, 0),
			.has_offset = sqlite3_column_type(st, 8) != SQLITE_NULL,
			.first_time = col(st, 9),
			.own_host = fact_host ? fact_host : col(st, 12),
			.own_line = fact_host ? col_i64(st, 11, 0) : 0,
		};
		if ((stop = fn(ctx, &r)) != 0)
			break;
	}
	return finish(s, st, rc, stop, "reading the clock of the sources");
}

int
store_clock_match(struct store *s, int64_t source_id, int64_t applied, const char *host_key,
		  int (*fn)(void *ctx, int64_t offset, int64_t matches, int64_t with),
		  void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* For each local event and each offset a clock can have (-14 h to
	 * +14 h by quarters of an hour), the exact events at that distance
	 * (local exports write whole seconds: 1 s either side) are looked up
	 * in the time index: 200 x 113 index probes, whatever the size of the
	 * exact logs. CROSS JOIN keeps that order and INDEXED BY the index:
	 * left to itself the planner built an automatic index over every
	 * event instead (60 s against 128 MB of EVTX, 0.5 s with this). */
	if (prepare(s,
		    "WITH RECURSIVE o(m) AS (SELECT -840 UNION ALL SELECT m + 15 FROM o WHERE m < 840),"
		    " l AS (SELECT provider, event_id, record_id, time,"
		    "   substr(message, 1, instr(message || char(10), char(10)) - 1) AS first"
		    "   FROM event WHERE source_id = ?1 AND time_q IN " LOCAL_Q
		    "   AND time IS NOT NULL AND event_id IS NOT NULL AND provider IS NOT NULL"
		    "   ORDER BY ordinal LIMIT 200),"
		    " m AS (SELECT o.m AS off, x.source_id AS sid FROM l CROSS JOIN o CROSS JOIN event x"
		    "   INDEXED BY event_time"
		    "   WHERE x.time BETWEEN strftime(" ISO ", l.time, (?2 - o.m) || ' minutes', '-1 seconds')"
		    "   AND strftime(" ISO ", l.time, (?2 - o.m) || ' minutes', '+1.999 seconds')"
		    "   AND x.time_q = 'exact' AND x.source_id <> ?1"
		    "   AND x.provider = l.provider AND x.event_id = l.event_id"
		    "   AND CASE WHEN l.record_id IS NOT NULL AND x.record_id IS NOT NULL"
		    "     THEN x.record_id = l.record_id"
		    "     ELSE substr(x.message, 1, instr(x.message || char(10), char(10)) - 1) = l.first END"
		    "   AND (?3 IS NULL OR x.computer IS NULL OR " HOST_KEY("x.computer") " = ?3)"
		    " UNION ALL"
		    " SELECT CAST(round(((julianday(l.start_time) - julianday(x.start_time)) * 1440 + ?2)"
		    "   / 15.0) AS INTEGER) * 15, x.source_id"
		    "   FROM run l JOIN run x ON x.connector = l.connector AND x.run_number = l.run_number"
		    "   WHERE l.source_id = ?1 AND l.time_q IN " LOCAL_Q " AND x.time_q = 'exact'"
		    "   AND x.source_id <> ?1 AND l.start_time IS NOT NULL AND x.start_time IS NOT NULL"
		    "   AND abs((julianday(l.start_time) - julianday(x.start_time)) * 1440 + ?2) <= 840)"
		    " SELECT off, count(*), min(sid) FROM m GROUP BY off ORDER BY count(*) DESC, abs(off)",
		    &st, "matching local records") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, applied);
	bind_text(st, 3, host_key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((stop = fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			       sqlite3_column_int64(st, 2))) != 0)
			break;
	}
	return finish(s, st, rc, stop, "matching local records");
}

bool
store_clock_current(struct store *s)
{
	return meta_current(s, "clock", false);
}

int
store_clock_begin(struct store *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

int
store_clock_end(struct store *s, bool commit)
{
	if (commit && exec(s, "INSERT INTO meta(key, value) SELECT 'clock', (SELECT value FROM meta"
			      " WHERE key = 'ingested') WHERE true ON CONFLICT(key) DO UPDATE"
			      " SET value = excluded.value") == STORE_OK)
		return exec(s, "COMMIT");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return commit ? STORE_ERROR : STORE_OK;
}

/* The statements of a re-stamp, in order: the steps and errors of a run
 * are found through its time_q, so the run itself comes last. ?1 source,
 * ?2 the modifier ('-120 minutes'), ?3 the new time_q. */
static const char *const restamp_sql[] = {
	"UPDATE event SET time = strftime(" ISO ", time, ?2), time_q = ?3"
	" WHERE source_id = ?1 AND time_q IN " LOCAL_Q,
	"UPDATE msi_session SET start_time = strftime(" ISO ", start_time, ?2),"
	" end_time = strftime(" ISO ", end_time, ?2), time_q = ?3"
	" WHERE source_id = ?1 AND time_q IN " LOCAL_Q,
	"UPDATE msi_action SET start_time = strftime(" ISO ", start_time, ?2),"
	" end_time = strftime(" ISO ", end_time, ?2), time_q = ?3"
	" WHERE source_id = ?1 AND time_q IN " LOCAL_Q,
	"UPDATE run_error SET time = strftime(" ISO ", time, ?2) WHERE step_id IN (SELECT t.id"
	" FROM run_step t JOIN run r ON r.id = t.run_id WHERE r.source_id = ?1 AND r.time_q IN " LOCAL_Q ")",
	"UPDATE run_step SET start_time = strftime(" ISO ", start_time, ?2),"
	" end_time = strftime(" ISO ", end_time, ?2)"
	" WHERE run_id IN (SELECT id FROM run WHERE source_id = ?1 AND time_q IN " LOCAL_Q ")",
	"UPDATE run SET start_time = strftime(" ISO ", start_time, ?2),"
	" end_time = strftime(" ISO ", end_time, ?2), time_q = ?3"
	" WHERE source_id = ?1 AND time_q IN " LOCAL_Q,
	"UPDATE source SET first_time = (SELECT min(time) FROM event WHERE source_id = ?1),"
	" last_time = (SELECT max(time) FROM event WHERE source_id = ?1) WHERE id = ?1",
};

int
store_clock_set(struct store *s, int64_t source_id, const struct store_clock_set *c, bool restamp,
		int64_t shift, const char *local_q)
{
	sqlite3_stmt *st;
	char mod[32];
	int rc;

	snprintf(mod, sizeof(mod), "%+lld minutes", (long long)-shift);
	for (size_t i = 0; restamp && i < sizeof(restamp_sql) / sizeof(restamp_sql[0]); i++) {
		if (prepare(s, restamp_sql[i], &st, "moving local times") != STORE_OK)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, source_id);
		if (sqlite3_bind_parameter_count(st) >= 3) {
			sqlite3_bind_text(st, 2, mod, -1, SQLITE_STATIC);
			bind_text(st, 3, local_q);
		} else if (sqlite3_bind_parameter_count(st) == 2) {
			sqlite3_bind_text(st, 2, mod, -1, SQLITE_STATIC);
		}
		rc = sqlite3_step(st);
		if (finish(s, st, rc, 0, "moving local times") != STORE_OK)
			return STORE_ERROR;
	}
	if (prepare(s,
		    "UPDATE source SET host = ?2, host_from = ?3, clock = ?4, clock_from = ?5,"
		    " utc_offset = ?6 WHERE id = ?1 AND (host IS NOT ?2 OR host_from IS NOT ?3"
		    " OR clock IS NOT ?4 OR clock_from IS NOT ?5 OR utc_offset IS NOT ?6)",
		    &st, "recording the clock of a source") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, source_id);
	bind_text(st, 2, c->host);
	bind_text(st, 3, c->host_from);
	bind_text(st, 4, c->clock);
	bind_text(st, 5, c->clock_from);
	bind_i64_or_null(st, 6, c->utc_offset, !c->has_offset);
	rc = sqlite3_step(st);
	return finish(s, st, rc, 0, "recording the clock of a source");
}
