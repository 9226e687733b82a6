/* SPDX-License-Identifier: MIT */
/* store.h - the case database. The only module that includes <sqlite3.h>:
 * it owns the schema, its migrations and every SQL statement. Callers hand
 * it parser records and get back rows through callbacks; a row's strings are
 * valid only during the callback that receives them.
 *
 * Ingest writes one source per transaction: a source is in the database
 * whole or not at all, whatever happens to the process. */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "parser/parser.h"

#define STORE_SCHEMA_VERSION 6

enum store_rc {
	STORE_OK = 0,		/* done */
	STORE_DUPLICATE = 1,	/* the same bytes were ingested already: nothing changed */
	STORE_ERROR = -1,	/* SQLite failed; store_errmsg() says why */
	STORE_NEWER = -2,	/* the database was written by a newer ecdiag */
	STORE_NOTDB = -3,	/* the file is not a case database */
};

enum store_mode {
	STORE_RW = 0,		/* create if missing, migrate to the current schema */
	STORE_RO = 1,		/* read only; must exist and be current */
};

struct store;

/* Open (and for STORE_RW create or migrate) the database at path. On
 * failure returns an enum store_rc < 0 and sets *err to a message the caller
 * frees with free(). */
int store_open(const char *path, enum store_mode mode, struct store **out, char **err);
/* Close; store_close(NULL) does nothing. */
void store_close(struct store *s);
/* Last SQLite error, valid until the next call on s. */
const char *store_errmsg(const struct store *s);

/* ---- ingest ---------------------------------------------------------- */

struct store_source {
	const char *path;	/* display path */
	const char *name;	/* base name */
	const char *container;	/* top-level archive or NULL */
	int depth;		/* archive nesting */
	uint64_t size;		/* bytes, or UINT64_MAX if not known yet */
	int64_t mtime;		/* seconds since 1970, or 0 */
	const char *format;	/* parser name, or NULL */
	const char *encoding;	/* encoding name, or NULL */
};

/* Around an ingest: into a case with no events yet, the index on event
 * time is dropped first and built once at the end (one sort instead of an
 * insert per event in time order: 3.5 s -> 1.6 s for 512 MB of EVTX whose
 * times repeat). store_open() builds it again if an ingest was killed. */
int store_ingest_begin(struct store *s);
int store_ingest_end(struct store *s);

/* Id of a source already stored with this path and content, or 0. */
int64_t store_source_find(struct store *s, const char *path, const char *sha256);
/* Id of a parsed source with this content (any path), or 0. */
int64_t store_content_find(struct store *s, const char *sha256);
/* True if a parsed source of exactly this path and size exists (worth
 * hashing the file before parsing it again). */
bool store_path_size_known(struct store *s, const char *path, uint64_t size);

/* Start a source: opens its transaction and returns the sink that stores
 * what a parser reports. */
int store_begin_source(struct store *s, const struct store_source *src);
const struct ec_sink *store_sink(struct store *s);
/* Finish the current source with its hash. If a parsed source with the same
 * content exists, everything of this one is rolled back, a 'duplicate' row
 * naming it is kept instead, and STORE_DUPLICATE is returned. */
int store_commit_source(struct store *s, const char *sha256, uint64_t size, int64_t *dup_of);
/* Forget the current source. */
void store_rollback_source(struct store *s);
/* Counters of the current source (valid until commit or rollback). */
struct store_source_counts {
	uint64_t records;	/* events stored */
	uint64_t skipped;	/* records skipped */
	uint64_t bytes_skipped;
	uint64_t problems;	/* problems reported */
};
const struct store_source_counts *store_current_counts(const struct store *s);

/* Record, in a transaction of its own, a source that has no events:
 * status 'skipped', 'duplicate', 'failed' or 'archive'. Recording the same
 * path and content again changes nothing. */
int store_note_source(struct store *s, const struct store_source *src, const char *sha256,
		      const char *status, const char *reason, int64_t dup_of, uint64_t records);

/* ---- reading --------------------------------------------------------- */

struct store_source_row {
	int64_t id;
	const char *path, *name, *container, *sha256, *status, *reason, *format, *encoding;
	const char *first_time, *last_time, *duplicate_of_path;
	int depth;
	int64_t size;
	int64_t records, skipped, bytes_skipped, problems;
	/* schema 6, NULL when not known (see store_clock_set) */
	const char *host, *host_from, *clock, *clock_from;
	int64_t utc_offset;		/* minutes east of UTC applied to its local times */
	bool has_offset;		/* false: utc_offset is NULL */
};
typedef int (*store_source_fn)(void *ctx, const struct store_source_row *r);
/* Every source in id order. A callback's non-zero return stops and is
 * returned. */
int store_sources(struct store *s, store_source_fn fn, void *ctx);

struct store_problem_row {
	int64_t source_id;
	int64_t line;		/* 0 if unknown */
	int64_t offset;		/* -1 if unknown */
	int64_t records, bytes;
	const char *message;
};
int store_problems(struct store *s, int64_t source_id,
		   int (*fn)(void *ctx, const struct store_problem_row *r), void *ctx);

struct store_fact_row {
	int64_t id, source_id, event_id;
	const char *origin, *name, *key, *value;
	const char *path;	/* source path */
	int64_t line;		/* event line, 0 if none */
	const char *time;	/* event time (UTC) or NULL */
};
/* Facts named name (all when NULL), in source then event order. */
int store_facts(struct store *s, const char *name,
		int (*fn)(void *ctx, const struct store_fact_row *r), void *ctx);

struct store_event_row {
	int64_t id, source_id, line, offset, event_id;
	const char *path, *time, *time_local, *time_q, *level, *provider, *thread, *message;
};
/* Events of one source at or above a level ("warning", "error"), in order,
 * at most limit (0: all). */
int store_events(struct store *s, int64_t source_id, const char *min_level, int64_t limit,
		 int (*fn)(void *ctx, const struct store_event_row *r), void *ctx);
/* The n events of a source just before the one that starts at line, in
 * order (none if no event starts there). */
int store_events_before(struct store *s, int64_t source_id, int64_t line, int64_t n,
			int (*fn)(void *ctx, const struct store_event_row *r), void *ctx);
/* The events of event id's source from `before` events before it to
 * `after` events after it, in order (the event itself included). */
int store_events_around(struct store *s, int64_t id, int64_t before, int64_t after,
			int (*fn)(void *ctx, const struct store_event_row *r), void *ctx);
/* Events of level error or critical with a time that places them (exact,
 * header-offset, local-derived or local-given), in time order, at most limit; *total is
 * set to how many there are in all. format is the source's format. */
struct store_error_row {
	int64_t id, source_id, line, event_id, record;	/* event_id, record: -1 when none */
	const char *path, *format, *time, *level, *provider, *message;
};
int store_error_events(struct store *s, int64_t limit, int64_t *total,
		       int (*fn)(void *ctx, const struct store_error_row *r), void *ctx);
/* One event by id; returns 1 if found (fn called), 0 if not. */
int store_event(struct store *s, int64_t id, int (*fn)(void *ctx, const struct store_event_row *r),
		void *ctx);
/* Every event of every parsed source with all its columns and its source's
 * path, format and hash, in source id then ordinal order, for 'ecdiag
 * export'. Streams: one statement, nothing held; the row's strings are
 * valid during the callback only. A callback's non-zero return stops and is
 * returned. */
struct store_export_row {
	int64_t id, source_id, ordinal;
	int64_t line;			/* 0 when none */
	int64_t offset;			/* -1 when unknown */
	int64_t event_id;		/* Windows event id, -1 when none */
	/* Windows event fields (schema 3), -1 / NULL when none */
	int64_t record_id, qualifiers, task, opcode, process_id, thread_id;
	const char *channel, *computer, *user_sid, *keywords;	/* keywords: hex, "0x8000..." */
	const char *time, *time_local, *time_q, *level, *provider, *thread, *message;
	const char *data;		/* JSON [["name","value"],...] or NULL */
	const char *path, *format, *sha256;	/* the source's */
};
int store_export_events(struct store *s, int (*fn)(void *ctx, const struct store_export_row *r),
			void *ctx);

/* Per-source summary of its events, for the analyzer. */
struct store_span_row {
	int64_t source_id;
	const char *path, *format;
	const char *first_time, *last_time;		/* UTC, or NULL */
	const char *first_local, *last_local;		/* time of day as written, or NULL */
	const char *time_q;				/* weakest time quality of the source */
	int64_t events, errors, warnings;
	int64_t first_error_id;				/* 0 if none */
};
int store_spans(struct store *s, const char *format,
		int (*fn)(void *ctx, const struct store_span_row *r), void *ctx);

/* Windows Installer logging sessions (schema 2), in time then path order. */
struct store_msi_session_row {
	int64_t source_id, session, start_line, end_line;
	int64_t status, engine_return;		/* -1 when not in the log */
	int64_t actions, failed_actions;
	bool footer;
	const char *path, *name;		/* source path and base name */
	const char *start_time, *end_time, *start_local, *end_local, *time_q;
	const char *started, *calling_process, *package, *command_line;
	const char *product, *version, *product_code, *upgrade_code, *result;
	/* its source's clock (schema 6): offset applied, how and from where */
	const char *clock, *clock_from;
	int64_t utc_offset;
	bool has_offset;
};
int store_msi_sessions(struct store *s,
		       int (*fn)(void *ctx, const struct store_msi_session_row *r), void *ctx);

struct store_msi_action_row {
	int64_t source_id, session, seq, depth, start_line, end_line;
	int64_t return_value;			/* -1 never ended */
	int64_t ca_error, ca_line, error_number, error_line;	/* -1 / 0 when none */
	const char *name, *parent, *start_time, *end_time, *start_local, *end_local, *time_q;
	const char *ca_name, *error_text;
};
/* Actions of one session that returned at least min_return (0: all), in
 * the order they ended (actions that never ended last). */
int store_msi_actions(struct store *s, int64_t source_id, int64_t session, int64_t min_return,
		      int (*fn)(void *ctx, const struct store_msi_action_row *r), void *ctx);

/* Runs of the sync engine's run history (schema 4), in start time order
 * (runs without a start last), with what their steps add up to. */
struct store_run_row {
	int64_t id, source_id, line, run_number;
	int64_t steps, errors;			/* number of steps, errors of all of them */
	const char *path;			/* source path */
	const char *connector, *connector_id, *profile, *result, *result_class;
	const char *start_time, *end_time;	/* UTC ISO, or NULL */
	const char *step_classes;		/* the steps' classes, ',' between them, in step order */
	const char *connection_result;		/* of the first step that has one */
};
int store_runs(struct store *s, int (*fn)(void *ctx, const struct store_run_row *r), void *ctx);

/* ---- analysis -------------------------------------------------------- */

/* Start an analysis: one transaction that first removes the previous
 * analysis (findings, evidence, episodes, analyzer facts, and the schema 5
 * tables: upgrades, sync verdicts, missing evidence, unexplained errors). */
int store_begin_analysis(struct store *s);
int store_end_analysis(struct store *s, bool commit);

struct store_finding {
	const char *rule, *title, *severity, *confidence, *summary, *remediation, *time;
	const char *kind;	/* "signature" or "check" (schema 5); NULL: "check" */
	const char *data;	/* JSON object with what the finding adds (references, explains,
				 * captures ...), or NULL */
};
int64_t store_add_finding(struct store *s, const struct store_finding *f);
/* Set a finding's rank (1 = first) and the finding that explains it
 * (0: none). */
int store_rank_finding(struct store *s, int64_t finding_id, int64_t rank, int64_t explained_by);
/* Set a finding's confidence (NULL: keep it) and its data (JSON object
 * text, or NULL). */
int store_update_finding(struct store *s, int64_t finding_id, const char *confidence, const char *data);
/* Evidence for a finding: an event, or a line of a source (its event is
 * looked up when event_id is 0). */
int store_add_evidence(struct store *s, int64_t finding_id, int64_t source_id, int64_t event_id,
		       int64_t line, const char *note);
struct store_episode {
	const char *kind, *label, *start_time, *end_time, *time_q, *outcome;
	int64_t source_id, errors, warnings, first_error_event;
};
int store_add_episode(struct store *s, const struct store_episode *e);
int store_add_fact(struct store *s, int64_t source_id, int64_t event_id, const char *name,
		   const char *key, const char *value);

struct store_finding_row {
	int64_t id;
	int64_t rank;			/* 0 when not ranked */
	int64_t explained_by;		/* finding id, 0 when none */
	const char *rule, *title, *severity, *confidence, *summary, *remediation, *time;
	const char *kind, *data;
};
/* store_findings() returns them in rank order (unranked last, then id). */
int store_findings(struct store *s, int (*fn)(void *ctx, const struct store_finding_row *r),
		   void *ctx);
struct store_evidence_row {
	int64_t finding_id, source_id, event_id, line;
	int64_t record;			/* the event's record_id (EVTX/XML), -1 when none */
	const char *path, *note, *time, *message, *format;
};
int store_evidence(struct store *s, int64_t finding_id,
		   int (*fn)(void *ctx, const struct store_evidence_row *r), void *ctx);
struct store_episode_row {
	int64_t id, source_id, errors, warnings, first_error_event;
	const char *kind, *label, *start_time, *end_time, *time_q, *outcome, *path;
};
int store_episodes(struct store *s, int (*fn)(void *ctx, const struct store_episode_row *r),
		   void *ctx);
/* ---- analysis tables (schema 5), cleared by store_begin_analysis ---- */

/* Every event of every parsed source, in source id then ordinal order,
 * with its source's format and path, for the signature scan. Streams: one
 * statement, rows handed out as they are stepped. */
struct store_scan_row {
	int64_t id, source_id, line;	/* line: 0 when none */
	int64_t event_id;		/* Windows event id, -1 when none */
	int64_t record;			/* record_id, -1 when none */
	const char *format, *path, *time, *level, *provider, *message;
	const char *data;		/* JSON [["name","value"],...] or NULL */
};
int store_scan_events(struct store *s, int (*fn)(void *ctx, const struct store_scan_row *r),
		      void *ctx);

/* Every run step with its run, and every run error with its step, in
 * source, run start (runs without one last), step number order. line is
 * the run's, 0 when none; step_number -1 when none; errors the step's
 * error count (all it had, not only the run_error rows kept). */
struct store_step_row {
	int64_t run_id, step_id, source_id, line, step_number, errors;
	const char *path, *connector, *profile, *step_class, *result, *result_class;
	const char *connection_result, *start_time, *end_time;
};
int store_scan_steps(struct store *s, int (*fn)(void *ctx, const struct store_step_row *r),
		     void *ctx);
struct store_run_error_row {
	int64_t step_id, run_id, source_id, line;	/* line: the run's */
	const char *path, *connector, *profile, *category, *error_type, *code, *dn, *detail, *time;
};
int store_scan_run_errors(struct store *s,
			  int (*fn)(void *ctx, const struct store_run_error_row *r), void *ctx);

/* An upgrade attempt the analyzer reconstructed. phases is JSON text
 * (docs/REPORT-SCHEMA.md, "phases"). path is read from the source (ignored
 * when adding). Rows come in the order they were added. */
struct store_upgrade {
	const char *from_version, *to_version, *outcome, *started, *ended;
	const char *pause_start, *pause_end, *phases, *path;
	int64_t source_id, line, pause_seconds;		/* source_id 0 when none, the others -1 */
};
int64_t store_add_upgrade(struct store *s, const struct store_upgrade *u);
int store_upgrades(struct store *s, int (*fn)(void *ctx, const struct store_upgrade *u),
		   void *ctx);

/* The sync-resumed verdict of one connector; rows in the order added,
 * path read from the source. source_id 0 and line -1 when none. */
struct store_sync {
	const char *connector, *verdict, *basis;	/* basis: run-history, events, none */
	const char *import_time, *sync_time, *export_time, *resumed_time, *note, *path;
	int64_t seconds_to_resume;			/* -1 when not resumed or unknown */
	int64_t runs_after, failed_after, source_id, line;
};
int store_add_sync(struct store *s, const struct store_sync *c);
int store_syncs(struct store *s, int (*fn)(void *ctx, const struct store_sync *c), void *ctx);

/* What to collect to answer a question the case cannot. */
struct store_missing {
	const char *question, *collect, *how;
	int64_t finding_id;				/* the finding it would decide, or 0 */
};
int store_add_missing(struct store *s, const struct store_missing *m);
int store_missing(struct store *s, int (*fn)(void *ctx, const struct store_missing *m), void *ctx);

/* Error records no signature explains, grouped by template. path and
 * record (the event's record_id) are read from the source and the event
 * (ignored when adding); source_id, event_id 0 and line, record -1 when
 * none. */
struct store_unexplained {
	const char *template, *example, *format, *provider, *level, *path, *first_time;
	int64_t count, sources, source_id, event_id, line, record;
};
int store_add_unexplained(struct store *s, const struct store_unexplained *u);
/* In count order, highest first. */
int store_unexplained(struct store *s, int (*fn)(void *ctx, const struct store_unexplained *u),
		      void *ctx);

/* ---- the clock (schema 6) ------------------------------------------- */

/* Every stored time is UTC. A source whose times are local has the offset
 * applied to them in source.utc_offset; the analyzer's clock
 * (analyzer/clock.c) decides it and the store moves the times. */

/* The offset --utc-offset gave for the ingest that follows (minutes east of
 * UTC): recorded on each source whose local times it converted. */
void store_set_given_offset(struct store *s, bool given, int minutes);

/* A parsed source as the clock sees it. */
struct store_clock_source {
	int64_t id;
	const char *path, *name, *format;
	const char *clock;		/* exact, header, given, derived, assumed; NULL: no times */
	const char *host, *host_from, *clock_from;	/* as stored, or NULL */
	int64_t utc_offset;		/* applied; 0 when NULL */
	bool has_offset;
	const char *first_time;		/* UTC as stored, or NULL */
	/* the computer its own records name, or NULL: the first host.name
	 * fact (own_line its line), else the Computer of its first Windows
	 * event that has one (own_line 0) */
	const char *own_host;
	int64_t own_line;
};
int store_clock_sources(struct store *s, int (*fn)(void *ctx, const struct store_clock_source *r),
			void *ctx);

/* The offsets (local minus UTC, minutes, rounded to 15) at which the local
 * records of source_id match records of other sources whose times are
 * exact: Windows events by provider, event id and record id (both have
 * one) else first message line; runs by connector and run number. Only
 * exact events on the computer host_key (lower-case first DNS label; NULL:
 * any) count. fn gets each offset with its number of matches, most first;
 * applied is the offset the source's times carry now; with is one of the
 * sources matched at that offset. At most the first 200 local events are
 * tried. */
int store_clock_match(struct store *s, int64_t source_id, int64_t applied, const char *host_key,
		      int (*fn)(void *ctx, int64_t offset, int64_t matches, int64_t with),
		      void *ctx);

/* True when the clock was settled after the last source was stored
 * (nothing can have changed since). */
bool store_clock_current(struct store *s);
/* One transaction around the store_clock_set calls of a settling; a commit
 * records it as current. */
int store_clock_begin(struct store *s);
int store_clock_end(struct store *s, bool commit);

struct store_clock_set {
	const char *host, *host_from;	/* NULL: unknown */
	const char *clock, *clock_from;
	int64_t utc_offset;		/* the offset now applied to its local times */
	bool has_offset;
};
/* Record a source's host and clock. When restamp, its local times (events,
 * Windows Installer sessions and actions, runs, their steps and errors
 * whose time_q is local-assumed or local-derived) are first moved by
 * -shift minutes and marked local_q ("local-derived" or "local-assumed"),
 * and the source's first and last times follow. A handful of UPDATEs. */
int store_clock_set(struct store *s, int64_t source_id, const struct store_clock_set *c,
		    bool restamp, int64_t shift, const char *local_q);

/* True when an analysis has been stored since the last ingest. */
bool store_analysis_current(struct store *s);

/* ---- ad hoc SQL ------------------------------------------------------ */

enum store_type { ST_NULL = 0, ST_INT = 1, ST_REAL = 2, ST_TEXT = 3, ST_BLOB = 4 };
typedef int (*store_row_fn)(void *ctx, int ncol, const char *const *names,
			    const char *const *values, const int *types);
/* Run one read-only statement; fn gets each row (values NULL for SQL NULL,
 * types from enum store_type), then once more with values NULL after the
 * last row, so that a caller sees the column names even when there are no
 * rows. A statement that would write is refused. Returns STORE_OK, or
 * STORE_ERROR with store_errmsg(). */
int store_query(struct store *s, const char *sql, store_row_fn fn, void *ctx);

#endif
