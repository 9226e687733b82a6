/* SPDX-License-Identifier: MIT */
/* checks_int.h - private to attempts.c, verdicts.c and checks.c: what the
 * checks read from the store, the upgrade attempts, the sync verdicts, and
 * the helpers they share.
 *
 * What a pattern cannot decide: the upgrade attempts and their
 * four phases (the seed article's baseline, backup, upgrade, verify), the
 * version arithmetic, whether synchronization resumed, and the evidence a
 * case lacks to answer those questions.
 *
 * Inputs: the trace spans and facts, the Windows Installer installs and
 * auto-upgrade results (installs.c), the run history, and what the
 * signature scan handed over (a->runevents, a->explained). Everything is
 * read again from the store here: analyzer_run and analysis_load do not
 * load the same things.
 *
 * Times are UTC milliseconds; INT64_MIN is "unknown". */
#ifndef ANALYZER_CHECKS_INT_H
#define ANALYZER_CHECKS_INT_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analyzer/analyzer.h"
#include "analyzer/signature.h"
#include "common/strview.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define UNKNOWN_MS INT64_MIN
#define NO_LIMIT INT64_MAX
/* Runs shown as evidence that a connector did not resume. */
#define EVIDENCE_RUNS 3

/* version_cmp() is defined with the signature engine (analyzer/signature.c)
 * so that the build-time signature check links without the store: dotted
 * parts compared as numbers, a part ends at its first non-digit
 * ("1.0.0.0-1446499270" == "1.0.0.0"), missing parts are 0. The checks
 * never pass it NULL. */

/* ---- what the checks read ------------------------------------------------ */

struct source_info {
	int64_t id;
	char *path, *name, *format;
};

/* One wizard trace and what its lines say about the run. */
struct wizrun {
	int64_t source_id;
	char *path;
	int64_t start_ms, end_ms;	/* span */
	int64_t errors;
	char *engine;			/* engine.installed_version (first) */
	int64_t engine_line;
	char *wizard;			/* wizard.version */
	char *from, *to;		/* upgrade.from/upgrade.to of the sync engine */
	int64_t decision_line;		/* "... is installed, needs to be upgraded to ..." */
	/* markers read from the trace's records */
	int result;			/* 1 completed, -1 failed, 0 neither */
	int64_t result_line;
	char *result_time;
	bool moved;			/* a page transition: past detection */
	char *last_page;		/* page the last transition went to */
	bool closed;			/* "Wizard closed by the user" */
	int64_t first_error_line;	/* first ERROR record, 0 if none */
	int64_t last_line;
};

enum reading_kind { R_GUI = 0, R_SCV = 1, R_TRACE = 2 };

extern const char *const reading_names[];

/* A version reading: Help > About, Get-ADSyncGlobalSettings, a trace. */
struct reading {
	enum reading_kind kind;
	char *value, *path, *time;
	int64_t ms, source_id, event_id, line;
	bool before_hint;		/* untimed, but its file name says "before" */
};

/* A configuration export and when it was written. */
struct cexport {
	char *path, *time, *version;
	int64_t ms, source_id, event_id, line;
};

enum { K_IMPORT = 1 << RUN_IMPORT, K_SYNC = 1 << RUN_SYNC, K_EXPORT = 1 << RUN_EXPORT };
enum { RC_OK = 0, RC_ERRORS = 1, RC_FAILED = 2 };

struct runrec {
	char *connector, *profile, *result, *start, *end, *path;
	char *conn;			/* connection-result of its first step that has one */
	int64_t start_ms, end_ms, done_ms, source_id, line;
	unsigned kinds;
	int rclass;
};

/* ADSync 2005/6226: the sync service could not open its database
 * (0x8023044a, "Login timeout expired"): it cannot run. */
struct svcfail {
	char *time;
	int64_t ms, source_id, event_id, line, id;
};

/* A Get-ADSyncGlobalSettings value (settings.staging_mode,
 * settings.scheduler_suspended): the latest reading, untimed ones counting
 * as the latest (they were collected with the case). value NULL: none. */
struct setting {
	char *value, *time, *path;
	int64_t ms, source_id, event_id, line;
};

/* Service Control Manager 7000/7009/7023/7031/7034/7038 about the ADSync
 * service (its name or "Azure AD Sync" in the message): it did not start,
 * stopped, or could not log on. */
struct scmevent {
	char *time, *message;
	int64_t ms, source_id, event_id, line, id;
};

struct phase {
	const char *state;
	char *time, *path, *detail;
	int64_t line;
};

struct attempt {
	char *from, *to;
	const char *outcome;		/* succeeded, failed, aborted, unknown */
	char *started, *ended;
	int64_t start_ms, end_ms;
	int64_t source_id, line;
	const char *path;
	struct wizrun *w;
	const struct an_install *in;	/* the sync engine's install */
	const struct an_install *failed_in;	/* any install of the run that failed */
	const struct an_autoupgrade *au;
	struct phase ph[PHASES];
	char *pause_start, *pause_end;
	int64_t pause_seconds;
	size_t order;			/* for a stable sort */
};

/* A piece of evidence: a line of a source (event_id 0: looked up). */
struct ref {
	int64_t source_id, event_id, line;
	const char *time;
};

/* The sync verdict of one connector. */
struct cverdict {
	char *name;
	const char *verdict, *basis;
	const char *import_time, *sync_time, *export_time;
	char *resumed_time;
	int64_t seconds, runs_after, failed_after;
	char *note;
	struct ref at;			/* the record that decided */
	struct ref last[EVIDENCE_RUNS];	/* the connector's last records (after the end) */
	size_t nlast;
};

struct ctx {
	struct store *s;
	struct analysis *a;
	struct source_info *src;
	size_t nsrc;
	struct wizrun *w;
	size_t nw;
	struct reading *rd;
	size_t nrd;
	struct cexport *ex;
	size_t nex;
	struct runrec *runs;
	size_t nruns;
	int64_t runs_last_ms;		/* latest time the run history reaches */
	struct attempt *at;
	size_t nat;
	struct cverdict *cv;		/* after the last attempt (or the last cycle) */
	size_t ncv;
	struct svcfail *svc;		/* in time order per source */
	size_t nsvc;
	struct scmevent *scm;		/* in order per source */
	size_t nscm;
	struct setting staging, suspended;
	bool has_trace, has_events;
	char *os_version;		/* the latest os.version */
	int64_t backup_finding;
	int64_t ev_finding;		/* the finding evidence was last added to */
	struct ref ev_seen[64];		/* and the lines it got */
	size_t nev_seen;
	int rc;
};

/* Room for element n of an array grown to powers of two. */
static inline void *
grow(void *p, size_t n, size_t size)
{
	return (n & (n - 1)) == 0 ? xrealloc(p, (n ? n * 2 : 1) * size) : p;
}

/* Append a zeroed element to arr (n elements) and return it. */
#define PUSH(arr, n)                                                                     \
	((arr) = grow((arr), (n), sizeof(*(arr))), memset(&(arr)[(n)], 0, sizeof(*(arr))), \
	 &(arr)[(n)++])

static inline int64_t
ms_of(const char *iso)
{
	return iso ? iso_to_ms(iso) : UNKNOWN_MS;
}


/* "2026-05-12 06:03:34 UTC" for notes; "(time unknown)" without one. */
static inline const char *
when(int64_t ms, char out[40])
{
	char iso[32];

	if (ms == UNKNOWN_MS)
		return "(time unknown)";
	ms_to_iso(ms, iso);
	snprintf(out, 40, "%.10s %.8s UTC", iso, iso + 11);
	return out;
}

static inline char *
iso_dup(int64_t ms)
{
	char iso[32];

	if (ms == UNKNOWN_MS)
		return NULL;
	ms_to_iso(ms, iso);
	return xstrdup(iso);
}

/* ---- attempts.c ---------------------------------------------------------- */

int64_t source_id_of(const struct ctx *c, const char *path);
int load(struct ctx *c);
bool install_failed(const struct an_install *in);
int64_t end_of(const struct attempt *t);
void build_attempts(struct ctx *c);
bool reading_after(const struct ctx *c, const struct reading *r, size_t i);
void phase_set(struct phase *p, const char *state, const char *at, const char *path, int64_t line,
	       char *detail);
void phase_baseline(struct ctx *c, struct attempt *t);
void phase_backup(struct ctx *c, struct attempt *t);
void phase_upgrade(struct attempt *t);
int store_attempt(struct ctx *c, const struct attempt *t);
void ctx_release(struct ctx *c);

/* ---- checks.c ------------------------------------------------------------ */

int64_t add_finding(struct ctx *c, const struct store_finding *f, cJSON *data, const char *const *refs);
void add_evidence(struct ctx *c, int64_t finding, int64_t source_id, int64_t event_id, int64_t line,
		  const char *note);

/* ---- synccheck.c ---------------------------------------------------------- */

bool setting_true(const struct setting *s);
bool resumed_fully(const char *verdict);
void check_sync(struct ctx *c);

/* ---- verdicts.c ---------------------------------------------------------- */

int verdict_rank(const char *v);
size_t verdicts(struct ctx *c, int64_t end, int64_t limit, struct cverdict **out);
void verdicts_free(struct cverdict *v, size_t n);
const char *worst_verdict(const struct cverdict *v, size_t n);
void pause_of(struct ctx *c, struct attempt *t);
void phase_verify(struct ctx *c, size_t i, const struct cverdict *v, size_t nv);
int store_verdicts(struct ctx *c);

#endif
