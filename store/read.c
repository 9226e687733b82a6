/* SPDX-License-Identifier: MIT */
/* read.c - the store's readers: sources, problems, facts, events, spans,
 * Windows Installer sessions, run history, the analyzer's scans, ad hoc SQL. */
#include "common/xalloc.h"
#include "store/store_int.h"

/* ---- reading ---------------------------------------------------------- */

int
store_sources(struct store *s, store_source_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (prepare(s,
		    "SELECT s.id, s.path, s.name, s.container, s.sha256, s.status, s.reason, s.format,"
		    " s.encoding, s.first_time, s.last_time, d.path, s.depth, s.size, s.records,"
		    " s.skipped, s.bytes_skipped, s.problems, s.host, s.host_from, s.clock, s.clock_from,"
		    " s.utc_offset FROM source s LEFT JOIN source d ON d.id = s.duplicate_of"
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
			.host = col(st, 18), .host_from = col(st, 19), .clock = col(st, 20),
			.clock_from = col(st, 21), .utc_offset = col_i64(st, 22, 0),
			.has_offset = sqlite3_column_type(st, 22) != SQLITE_NULL,
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
	" AND e.time_q IN ('exact', 'header-offset', 'local-derived', 'local-given')"

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
		    "   THEN 2 WHEN 'local-given' THEN 3 WHEN 'local-derived' THEN 4 WHEN 'header-offset'"
		    "   THEN 5 ELSE 6 END LIMIT 1),"
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
		    " m.product_code, m.upgrade_code, m.result, s.clock, s.clock_from, s.utc_offset"
		    " FROM msi_session m"
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
			.clock = col(st, 25), .clock_from = col(st, 26), .utc_offset = col_i64(st, 27, 0),
			.has_offset = sqlite3_column_type(st, 27) != SQLITE_NULL,
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
