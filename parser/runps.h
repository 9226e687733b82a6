/* SPDX-License-Identifier: MIT */
/* runps.h - what the three readers of the sync engine's PowerShell run
 * objects share: Get-ADSyncRunProfileResult and Get-ADSyncRunStepResult
 * through ConvertTo-Json (fmt_runjson.c), Export-Csv (fmt_runcsv.c) and
 * Format-List (fmt_runlist.c). FORMATS-AND-SIGNATURES.md e.2.
 *
 * The three show the same objects, so one builder maps their properties,
 * given by name with their values as text, onto a struct ec_run and its
 * steps: run properties (RunHistoryId, ConnectorName, Result, StartDate
 * ...), step properties (StepNumber, StepResult, the counters, the XML
 * fragments ConnectorConnectionInformationXml and StepXml), and the errors
 * of a step (SyncErrorsXml and its kind). A run object opens a run; step
 * objects that follow it with the same RunHistoryId become its steps, and
 * step objects without a run object before them make a run of their own
 * (no connector, no profile). The run is handed to the sink when the next
 * run starts (runps_begin_run(), runps_begin_step()) or at the end
 * (runps_flush()). As the run-history XML and CLIXML readers do, a run
 * without a result takes the result of its step with the highest number
 * (else the worst of its steps' results), or "in-progress" when it has no
 * steps and IsRunComplete is False; a run without times takes the first
 * start and the last end of its steps.
 *
 * Everything kept is copied into a pool reused from run to run, and the
 * steps, counters and errors are fixed tables: nothing is allocated per run
 * and memory stays bounded whatever the input (steps past RUNPS_MAX_STEPS
 * and text past RUNPS_POOL are dropped and reported; errors past
 * RUNPS_MAX_ERRORS are only counted, in error_count).
 *
 * Dates: the sync engine keeps UTC, and none of these outputs converts it:
 * "/Date(ms)/" and ISO 8601 with a zone are exact, ISO 8601 without a zone
 * and the exporter's culture forms ("4/8/2022 8:13:31 PM", through
 * csv_time() when the reader gives a struct csvread) are read as UTC, also
 * TQ_EXACT.
 *
 * The functions are in fmt_runjson.c. */
#ifndef PARSER_RUNPS_H
#define PARSER_RUNPS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/strview.h"
#include "parser/csvread.h"
#include "parser/parser.h"

#define RUNPS_MAX_STEPS 64		/* steps kept per run */
#define RUNPS_MAX_COUNTERS 2560		/* counters kept per run, all steps */
#define RUNPS_MAX_ERRORS 256		/* errors kept per run, all steps */
#define RUNPS_POOL ((size_t)1 << 20)	/* text kept per run */
#define RUNPS_TEXT_MAX 4096		/* longest error text kept */

/* What a property name means. */
enum runps_field {
	RP_OTHER = 0,		/* nothing we keep (RunProfileId, TotalSteps ...) */
	RP_RUN_HISTORY_ID,
	RP_CONNECTOR_ID,
	RP_CONNECTOR_NAME,
	RP_PROFILE,		/* RunProfileName */
	RP_RUN_NUMBER,
	RP_USER,		/* Username */
	RP_RESULT,		/* Result (of a run) */
	RP_START,		/* StartDate */
	RP_END,			/* EndDate */
	RP_RUN_STEP_RESULTS,
	RP_IS_RUN_COMPLETE,	/* IsRunComplete: False with no result and no steps: in-progress */
	RP_STEP_HISTORY_ID,
	RP_STEP_NUMBER,
	RP_STEP_RESULT,
	RP_CONNECTION_XML,	/* ConnectorConnectionInformationXml */
	RP_STEP_XML,		/* StepXml: the step type */
	RP_SYNC_ERRORS,		/* SyncErrors */
	RP_DISCOVERY_ERRORS,	/* ConnectorDiscoveryErrors */
	RP_MV_RETRY_ERRORS,	/* MvRetryErrors */
	RP_COUNTER,		/* StageAdd ... ExportFailure, Disconnector*, Connector*,
				 * FlowFailure: a counter when its value is an integer */
};

struct runps {
	const struct ec_sink *sink;
	const struct ec_options *opt;
	uint64_t *problems;	/* the reader's count against TEXT_PROBLEM_CAP */
	struct csvread *dates;	/* culture dates read with csv_time(), or NULL */

	bool open;		/* a run is being built */
	bool from_steps;	/* of step objects alone */
	bool incomplete;	/* IsRunComplete was False */
	struct ec_run run;
	struct ec_run_step step[RUNPS_MAX_STEPS];
	bool errors_known[RUNPS_MAX_STEPS];	/* the step's errors objects were read */
	int64_t errors_found[RUNPS_MAX_STEPS];	/* errors read for the step */
	struct ec_run_step *cur;	/* the step being filled, NULL if none (or dropped) */
	uint64_t dropped_steps;
	struct ec_kv counter[RUNPS_MAX_COUNTERS];
	size_t ncounters;
	struct ec_run_error error[RUNPS_MAX_ERRORS];
	size_t nerrors;
	char *pool;		/* RUNPS_POOL bytes, allocated once */
	size_t pool_len;
	bool pool_cut;		/* text did not fit */
	struct buf tmp;		/* counter names, decoded XML text */
	struct buf join;	/* an error's literal and server detail */
	uint64_t runs;		/* runs handed to the sink */
};

/* Prepare for inp; problems counts the reader's problems against the cap,
 * dates reads culture dates (may be NULL: only "/Date()/" and ISO 8601). */
void runps_init(struct runps *rp, const struct ec_input *inp, uint64_t *problems,
		struct csvread *dates);
void runps_release(struct runps *rp);

/* Hand the open run to the sink (nothing if none is open). Returns the
 * sink's value. */
int runps_flush(struct runps *rp);
/* Flush, then open a run read from a run object starting at line. */
int runps_begin_run(struct runps *rp, uint64_t line);
/* A step object starting at line: a new step of the open run when that has
 * the same RunHistoryId (case ignored), else (after a flush) of a new run of
 * steps alone. rp->cur is the step (NULL if the table was full: dropped and
 * counted). */
int runps_begin_step(struct runps *rp, uint64_t line, struct sv run_history_id);

/* A new step of the open run (the elements of RunStepResults): rp->cur,
 * NULL when the table is full (dropped and counted) or no run is open. */
void runps_add_step(struct runps *rp);

/* What a property name means (case ignored). */
enum runps_field runps_field(struct sv name);
/* A property of the run (step false) or of rp->cur, as text. line is for
 * the problems (a date not understood). Returns a sink's value. */
int runps_set(struct runps *rp, bool step, struct sv name, struct sv value, uint64_t line);

/* Errors of rp->cur: the step's errors objects were read (even if they held
 * none); an errors XML fragment ("<synchronization-errors>...",
 * "<ma-discovery-errors>...", "<mv-retry-errors>...": each child element is
 * one error; export-error children are category "export", the others
 * category); a new error to fill (NULL past RUNPS_MAX_ERRORS: counted
 * only). */
void runps_errors_known(struct runps *rp);
void runps_errors_xml(struct runps *rp, const char *category, struct sv xml);
struct ec_run_error *runps_error(struct runps *rp, const char *category);

/* Copy v into the run's pool (cut at what is left, at most max bytes when
 * max is not 0); decode the XML entities of v on the way when xml. */
struct sv runps_keep(struct runps *rp, struct sv v, size_t max, bool xml);
/* A date of the run as text (see above); a problem says when it cannot be
 * read. Returns a sink's value. */
int runps_time(struct runps *rp, struct sv text, struct ec_time *t, uint64_t line);

/* A .NET type name where an object was ("Microsoft.IdentityManagement.
 * PowerShell.ObjectModel.RunStepResult", "System.Collections.ObjectModel.
 * ReadOnlyCollection`1[...]", "{Microsoft...RunStepResult, ...}"): what
 * ConvertTo-Json writes past -Depth, and what Export-Csv and Format-List
 * show for collections and objects. */
bool runps_type_name(struct sv v);

/* A problem counted against the reader's cap. Returns the sink's value. */
int runps_problemf(struct runps *rp, uint64_t line, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
