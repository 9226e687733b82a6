/* SPDX-License-Identifier: MIT */
/* runps.h - what the three readers of the sync engine's PowerShell run
 * objects share: Get-ADSyncRunProfileResult and Get-ADSyncRunStepResult
 * through ConvertTo-Json (fmt_runjson.c), Export-Csv (fmt_runcsv.c) and
 * Format-List (fmt_runlist.c). FORMATS-AND-SIGNATURES.md e.2.
 *
 * The three show the same objects, so their properties, given by name with
 * their values as text, are mapped the same way onto the run builder
 * (runbuild.h): run properties (RunHistoryId, ConnectorName, Result,
 * StartDate ...), step properties (StepNumber, StepResult, the counters,
 * the XML fragments ConnectorConnectionInformationXml and StepXml), and the
 * errors of a step (SyncErrorsXml and its kind). A run object opens a run
 * (rb_run_begin()); the elements of its RunStepResults are its steps
 * (rb_step_begin()); step objects that follow it with the same
 * RunHistoryId become its steps, and step objects without a run object
 * before them make a run of their own, no connector, no profile
 * (rb_step_object()). The builder hands a run to the sink when the next
 * one starts or at the end (rb_run_end()), with its rules (a run without a
 * result or times takes them from its steps; "in-progress" when
 * IsRunComplete is False and nothing else gives a result) and its limits.
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
#include "parser/runbuild.h"

#define RUNPS_TEXT_MAX 4096		/* longest error text kept */
#define RUNPS_TMP ((size_t)1 << 20)	/* a value with its XML entities decoded */

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
	RP_IS_RUN_COMPLETE,	/* IsRunComplete: False: in-progress when nothing else says */
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
	struct runbuild b;	/* the runs (the PowerShell readers' problem words) */
	const struct ec_options *opt;
	struct csvread *dates;	/* culture dates read with csv_time(), or NULL */
	struct buf tmp;		/* decoded XML text */
	struct buf join;	/* an error's literal and server detail */
};

/* Prepare for inp; problems counts the reader's problems against the cap,
 * dates reads culture dates (may be NULL: only "/Date()/" and ISO 8601). */
void runps_init(struct runps *rp, const struct ec_input *inp, uint64_t *problems,
		struct csvread *dates);
void runps_release(struct runps *rp);

/* What a property name means (case ignored). */
enum runps_field runps_field(struct sv name);
/* A property of the run (step false) or of the open step, as text. line is
 * for the problems (a date not understood). Returns a sink's value. */
int runps_set(struct runps *rp, bool step, struct sv name, struct sv value, uint64_t line);

/* The errors of the open step in an XML fragment ("<synchronization-errors>
 * ...", "<ma-discovery-errors>...", "<mv-retry-errors>...": each child
 * element is one error; export-error children are category "export", the
 * others category); the step's errors are then known. */
void runps_errors_xml(struct runps *rp, const char *category, struct sv xml);

/* Set field f of the builder to v, cut at max bytes when max is not 0;
 * decode the XML entities of v on the way when xml. */
void runps_keep(struct runps *rp, enum rb_field f, struct sv v, size_t max, bool xml);
/* A date of the run as text (see above); a problem says when it cannot be
 * read. Returns a sink's value. */
int runps_time(struct runps *rp, struct sv text, struct ec_time *t, uint64_t line);

/* A .NET type name where an object was ("Microsoft.IdentityManagement.
 * PowerShell.ObjectModel.RunStepResult", "System.Collections.ObjectModel.
 * ReadOnlyCollection`1[...]", "{Microsoft...RunStepResult, ...}"): what
 * ConvertTo-Json writes past -Depth, and what Export-Csv and Format-List
 * show for collections and objects. */
bool runps_type_name(struct sv v);

#endif
