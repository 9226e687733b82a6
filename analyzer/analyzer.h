/* SPDX-License-Identifier: MIT */
/* analyzer.h - derives what happened from what the store holds: the
 * versions involved, the host, the wizard runs, and findings with evidence.
 * analyzer_run() writes its results into the store; analysis_load() reads
 * them back into a struct analysis for the reports, which render it and
 * decide nothing. */
#ifndef ANALYZER_ANALYZER_H
#define ANALYZER_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Exit codes of the command line, decided from an analysis. */
enum ec_exit {
	EC_EXIT_HEALTHY = 0,	/* analysed; no finding of severity warning or above */
	EC_EXIT_FINDINGS = 1,	/* at least one finding of severity warning or above */
	EC_EXIT_USAGE = 2,	/* the command line was wrong */
	EC_EXIT_NOINPUT = 3,	/* nothing readable: no input could be parsed */
	EC_EXIT_DB = 4,		/* the case database could not be opened, written or is too new */
	EC_EXIT_UNKNOWN = 5,	/* analysed, no finding of severity warning or above, but nothing
				 * shows health either: not enough evidence to judge */
};

/* A value with the place it was read from. */
struct an_value {
	char *value;		/* NULL when unknown */
	char *path;		/* source path, or NULL */
	int64_t line;		/* line in that source, or 0 */
	int64_t source_id;	/* source and event it came from, or 0 */
	int64_t event_id;
};

struct an_component {
	char *name, *version, *path;
	int64_t line;
};

struct an_episode {
	char *kind, *label, *path, *start, *end, *time_q, *outcome;
	char *first_local, *last_local;	/* for runs whose date is unknown */
	int64_t errors, warnings, first_error_line;
};

/* One record of a source shown around a piece of evidence. */
struct an_ctxline {
	int64_t line;			/* line in the source, 0 when none */
	char *text;			/* the record's message (all its lines) */
};

#define EVIDENCE_CONTEXT 2		/* records shown before and after */

struct an_evidence {
	char *path, *time, *note, *message, *format;
	int64_t line;
	int64_t record;			/* EVTX/XML record id, -1 when none */
	int64_t source_id, event_id;	/* event_id 0 when the evidence is no record */
	bool context;			/* a record of the same failure, not evidence of its cause */
	/* the record itself with up to EVIDENCE_CONTEXT records either side,
	 * in source order; ctx[self] is the evidence (nctx 0: none stored) */
	struct an_ctxline *ctx;
	size_t nctx, self;
};

struct an_finding {
	char *rule, *title, *severity, *confidence, *summary, *remediation, *time;
	char *kind;			/* "signature" or "check" */
	char *data;			/* JSON object (references, explains, captures), or NULL */
	int64_t id, rank;		/* rank: 1 = first */
	char *explained_by;		/* rule id of the finding that explains this one, or NULL */
	/* from data (analyzer/stops.c): "stopped" when it explains the error
	 * that stopped a wizard run or an install, "survived" when it rests on
	 * errors a run logged and went on after; NULL otherwise */
	char *stop_role;
	char *stop_run, *stop_path;	/* the run it stopped: "wizard-run" or "install", its log */
	int64_t stop_line;
	char *basis;			/* "logs", "pasted" (pasted text only), "notes" (notes only) */
	struct an_evidence *ev;
	size_t nev;
};

/* The seed article's four phases of an in-place upgrade. */
enum { PHASE_BASELINE = 0, PHASE_BACKUP = 1, PHASE_UPGRADE = 2, PHASE_VERIFY = 3, PHASES = 4 };
extern const char *const phase_names[PHASES];	/* "baseline", "backup", "upgrade", "verify" */

struct an_phase {
	char *state;			/* done, failed, not-done, unknown */
	char *time, *path, *detail;	/* the evidence for the state, when there is one */
	int64_t line;
};

/* One upgrade attempt (analyzer/attempts.c). */
struct an_upgrade {
	char *from, *to;		/* versions, NULL when unknown */
	char *outcome;			/* succeeded, failed, aborted, unknown */
	char *started, *ended;		/* UTC ISO */
	char *pause_start, *pause_end;	/* sync paused: last run before, first run after */
	int64_t pause_seconds;		/* -1 when unknown */
	char *path;			/* the trace or MSI log that shows it */
	int64_t line;
	struct an_phase phases[PHASES];
};

/* The sync-resumed verdict of one connector. */
struct an_sync {
	char *connector, *verdict, *basis;	/* verdict: resumed, resumed-staging, resumed-with-errors, resumed-without-export, not-resumed, unknown */
	char *import_time, *sync_time, *export_time, *resumed_time, *note, *path;
	int64_t seconds_to_resume, runs_after, failed_after, line;
};

struct an_missing {
	char *question, *collect, *how;
};

struct an_unexplained {
	char *template, *example, *format, *provider, *level, *path, *first_time;
	int64_t count, sources, line, record;
};

#define INSTALL_CONTEXT 6

/* One Windows Installer install as its log (or, without it, the wizard
 * trace that ran it) records it. */
struct an_install {
	char *path, *name;		/* the MSI log; NULL when known from a trace only */
	int64_t source_id, session;
	int64_t start_line, end_line;	/* the logging session's lines */
	bool other_product;		/* not part of Entra Connect and run by no wizard trace */
	char *product, *version, *package, *result;
	char *start, *end, *start_local, *end_local;
	char *time_q;			/* as stored */
	const char *outcome;		/* static: succeeded, succeeded-restart, failed, cancelled, unknown */
	int64_t status;			/* Windows Installer status (summary line, else engine), -1 */
	bool footer;
	/* the first action that returned 3 */
	char *fail_action, *fail_time, *fail_local;
	int64_t fail_line, fail_start_line;	/* where it ended (returned 3) and started */
	char *ca_name;
	int64_t ca_error, ca_line;	/* -1 / 0 when none */
	char *error_text;
	int64_t error_number, error_line;
	/* the wizard trace that ran it */
	char *trace_path;
	int64_t trace_source, trace_line;	/* the line that names its log */
	int64_t trace_error_line;		/* the wizard's copy of its MSI error, or 0 */
	char *missing_log;		/* trace only: base name of the log it names */
	char *offset;			/* "+02:00" when its local times were converted with an
					 * offset the case reveals (local-derived) */
	/* what the log says just before the error (or the failing action's end) */
	struct an_context_line {
		int64_t line;
		char *text;		/* first line of the record */
	} context[INSTALL_CONTEXT];
	size_t ncontext;
};

/* An auto-upgrade result code read from a log or event. */
struct an_autoupgrade {
	char *code, *path, *time;
	const char *kind;		/* static: aborted, not-supported, failed, succeeded, other */
	int64_t source_id, line;
};

/* A run of the sync engine near the upgrade (analyzer/runs.c). */
struct an_run {
	char *connector, *profile, *result, *result_class, *start, *end;
	char *kinds;			/* the steps' classes, ',' between them */
	char *path, *connection;	/* source; connection result of its first step */
	int64_t run_number, errors, line;
	bool after_window;		/* started after the upgrade window ended */
};

enum { RUN_IMPORT = 0, RUN_SYNC = 1, RUN_EXPORT = 2, RUN_KINDS = 3 };

/* What a run did, as bits 1 << RUN_IMPORT, RUN_SYNC, RUN_EXPORT: from its
 * steps' classes, else from its profile name (analyzer/runs.c). */
unsigned run_kinds(const char *step_classes, const char *profile);
/* success, completed-no-objects or completed-warnings: the run did its work. */
bool run_succeeded(const char *result_class);

struct an_run_ref {
	bool present;
	char *time, *profile, *result;
};

/* Per connector: the last successful import, sync and export before the
 * upgrade window and the first after it (without a window: the last). */
struct an_connector {
	char *name;
	struct an_run_ref before[RUN_KINDS], after[RUN_KINDS];
	int64_t runs, runs_after, failed_after;
};

/* An error or critical event with a time that places it (for the timeline). */
struct an_errevent {
	char *time, *level, *provider, *path, *format, *message;	/* message: first line */
	int64_t event_id, line, record;		/* event_id, record: -1 when none */
};

#define ERROR_EVENTS_MAX 500		/* loaded at most; errevents_total counts all */

struct an_problem {
	int64_t line, offset;
	char *message;
};

struct an_source {
	char *path, *format, *encoding, *status, *reason, *sha256, *duplicate_of, *first_time, *last_time;
	/* the case's clock (analyzer/clock.c): computer, offset applied to
	 * local times ("+02:00"), how it was found and from where; NULL when
	 * not known */
	char *host, *host_from, *utc_offset, *clock, *clock_from;
	int64_t size, records, skipped, bytes_skipped, problems;
	struct an_problem *probs;	/* the first few stored problems */
	size_t nprobs;
};

/* An event about a sync run or cycle (ADSync 6050, 6100, 6803, 6941;
 * Directory Synchronization 904), collected by the signature scan for the
 * sync verdict of a case without run history. */
struct an_runevent {
	char *time, *connector, *profile, *path;	/* connector/profile NULL when the event names none */
	int64_t event_id, line, record;
	bool failed;			/* a failure or errors; false: a cycle finished */
};

/* The error that stopped a wizard run or an install (analyzer/stops.c).
 * The failure covers the lines [from_line, to_line] of its source. */
struct an_stop {
	const char *kind;		/* static: "wizard-run" or "install" */
	int64_t source_id;
	char *path;
	int64_t event_id, line;		/* the stopping record (event_id 0: found by line) */
	int64_t from_line, to_line;
	char *text, *time;		/* its first line, its time (UTC) or NULL */
	int64_t install;		/* install stops: index into installs, else -1 */
	int64_t cause;			/* wizard stops: the failed install it ran (index into stops), -1 */
	struct { int64_t id, line; } *ctx;	/* error records of the failure no signature matched */
	size_t nctx;			/* all of them; ctx keeps the first few */
};

struct analysis {
	struct an_value installed;	/* sync engine version before the upgrade */
	struct an_value target;		/* version the wizard installs */
	struct an_value wizard;		/* wizard version of the latest run */
	struct an_value engine_absent;	/* "not installed" when the wizard found no sync engine */
	struct an_value os_version, os_name, dotnet_release, dotnet_version, tls12;
	/* Get-ADSyncGlobalSettings, the About reading, the configuration export */
	struct an_value server_config_version, gui_version, staging_mode, scheduler_suspended;
	struct an_value autoupgrade_state, autoupgrade_reason, config_export_version, config_export_time;
	struct an_component *components;
	size_t ncomponents;
	struct an_episode *episodes;
	size_t nepisodes;
	struct an_install *installs;
	size_t ninstalls;
	struct an_autoupgrade *autoupgrades;
	size_t nautoupgrades;
	struct an_run *runs;		/* near the window (or the latest), start order */
	size_t nruns, runs_cut;		/* runs_cut: older ones left out of runs */
	int64_t runs_total;
	struct an_connector *connectors;
	size_t nconnectors;
	char *window_start, *window_end;	/* the upgrade window, UTC, or NULL */
	const char *window_from;		/* what gave it */
	struct an_finding *findings;	/* in rank order */
	size_t nfindings;
	struct an_upgrade *upgrades;	/* in time order */
	size_t nupgrades;
	char *sync_verdict;		/* over all connectors: the worst (verdict_rank) */
	struct an_sync *syncs;
	size_t nsyncs;
	struct an_missing *missing;
	size_t nmissing;
	struct an_unexplained *unexplained;
	size_t nunexplained;
	/* Filled by the signature scan before checks_run (not by analysis_load). */
	struct an_runevent *runevents;	/* in time order */
	size_t nrunevents;
	char **explained;		/* rule ids that a fired signature explains */
	size_t nexplained;
	struct an_stop *stops;		/* analyzer_run only: what stopped each run and install */
	size_t nstops;
	/* The case as a whole (analysis_exit_code): "findings", "healthy" or
	 * "not-enough-evidence", and why. */
	const char *judgement;
	char *judgement_basis;
	struct an_errevent *errevents;	/* error events in time order, at most ERROR_EVENTS_MAX */
	size_t nerrevents;
	int64_t errevents_total;
	struct an_source *sources;
	size_t nsources;
	/* the computers the sources belong to, in the order first named */
	struct an_computer {
		char *name;		/* first DNS label as written */
		int64_t files;		/* parsed sources on it */
	} *computers;
	size_t ncomputers;
	size_t nparsed, nskipped, nfailed, nduplicate, narchives;
	int64_t nrecords;
	bool current;			/* the analysis is newer than the last ingest */
};

struct sig_set;

/* Analyse what the store holds with the signatures ss (NULL: the built-in
 * ones) and store the results (replacing the last analysis). Returns
 * STORE_OK, or STORE_ERROR with store_errmsg(). */
int analyzer_run(struct store *s, const struct sig_set *ss);

/* The signature scan (analyzer/scan.c): findings of the signatures that
 * fired, unexplained errors, a->runevents and a->explained. */
int scan_run(struct store *s, const struct sig_set *ss, struct analysis *a);
/* Rank every stored finding, causes first, and link each to its cause. */
int rank_findings(struct store *s);

/* Read the stored analysis. Caller releases with analysis_release(). */
int analysis_load(struct store *s, struct analysis *a);
void analysis_release(struct analysis *a);

/* The exit code an analysis calls for: EC_EXIT_FINDINGS for a finding of
 * severity warning or above; EC_EXIT_HEALTHY only with positive evidence
 * of health (an upgrade that succeeded, or sync runs that succeeded after
 * it or at the end of the case); else EC_EXIT_UNKNOWN. */
enum ec_exit analysis_exit_code(const struct analysis *a);

/* Stops (analyzer/stops.c). stops_find reads the traces and the loaded
 * installs (before the signature scan); stops_at tells which stop's
 * failure holds a line (-1: none); the scan hands such error records that
 * no signature matched to stops_note_context; stops_classify (after the
 * checks) links findings to stops, adds wizard-run-failed for a stop no
 * finding explains, attaches the context and marks each finding's role and
 * basis in its data. */
int stops_find(struct store *s, struct analysis *a);
long stops_at(const struct analysis *a, int64_t source_id, int64_t line);
void stops_note_context(struct analysis *a, long stop, int64_t event_id, int64_t line);
int stops_classify(struct store *s, struct analysis *a);
void stops_release(struct analysis *a);

/* Windows Installer installs and auto-upgrade results from the store
 * (analyzer/installs.c), used by analyzer_run and analysis_load. */
int installs_load(struct store *s, struct analysis *a);
void installs_release(struct analysis *a);
/* Findings and episodes for them (inside the analysis transaction). */
int installs_analyze(struct store *s, const struct analysis *a);
/* The runs around the upgrade (analyzer/runs.c); installs and episodes
 * must be loaded first (they give the window). */
int runs_load(struct store *s, struct analysis *a);
void runs_release(struct analysis *a);

/* The checks in code (analyzer/checks.c): upgrade reconstruction, version
 * checks, the sync-resumed verdict, missing evidence. Called by
 * analyzer_run inside the analysis transaction, after installs, runs and
 * values are loaded into a and the signature findings are stored; they add
 * findings, upgrades, syncs and missing evidence to the store. */
int checks_run(struct store *s, struct analysis *a);
/* Read back what checks_run stored (upgrades, syncs, missing evidence). */
int checks_load(struct store *s, struct analysis *a);
void checks_release(struct analysis *a);
/* Compare two dotted versions numerically ("2.2.8.0" < "2.10.1.0");
 * <0, 0, >0. Missing parts count as 0; non-digits end a part. */
int version_cmp(const char *a, const char *b);

/* Meaning of a Windows Installer status (msiexec exit code); NULL if unknown. */
const char *msi_status_text(int64_t status);
/* Class of an auto-upgrade result code. */
const char *autoupgrade_kind(const char *code);

/* Product names of Windows builds ("10.0.17763" -> "Windows Server 2019")
 * and .NET Framework release keys (461814 -> "4.7.2"); NULL if unknown. */
const char *windows_name(const char *version);
const char *dotnet_version(long release);

#endif
