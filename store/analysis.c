/* SPDX-License-Identifier: MIT */
/* analysis.c - the analyzer's results in the store: one transaction per
 * analysis; findings, evidence, episodes, facts, upgrades, syncs, missing
 * and unexplained errors, and their readers. */
#include <inttypes.h>

#include "store/store_int.h"

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
	return meta_current(s, "analyzed", true);
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
store_update_finding(struct store *s, int64_t finding_id, const char *confidence, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s, "UPDATE finding SET confidence = coalesce(?1, confidence), data = ?2 WHERE id = ?3", &st,
		    "updating finding") != STORE_OK)
		return STORE_ERROR;
	bind_text(st, 1, confidence);
	bind_text(st, 2, data);
	sqlite3_bind_int64(st, 3, finding_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, "updating finding");
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
