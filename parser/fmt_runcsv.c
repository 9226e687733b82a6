/* SPDX-License-Identifier: MIT */
/* fmt_runcsv.c - `Get-ADSyncRunProfileResult | Export-Csv` and
 * `Get-ADSyncRunStepResult | Export-Csv` (FAS e.1, e.2).
 *
 * Windows PowerShell 5.1 writes "#TYPE Microsoft.IdentityManagement.
 * PowerShell.ObjectModel.RunProfileResult" (or RunStepResult) first unless
 * -NoTypeInformation is given, quotes every field, writes ASCII unless told
 * otherwise (UTF-8 and UTF-16 are read too, through the line reader).
 * Columns are found by name, so a Select-Object of some of them reads as
 * well: the jpazureid collector (Get-AADCDiagData.ps1) writes RunNumber,
 * RunHistoryId, ConnectorName, RunProfileName, Result, StartDate, EndDate;
 * its WMI fallback MIIS_RunHistory's RunNumber, MaName, RunProfile,
 * RunStatus, RunStartTime, RunEndTime. Rows of runs make runs; rows of
 * steps (StepNumber, StepResult, the counters, ConnectorConnectionInformation-
 * Xml, StepXml) become steps of the run row before them with the same
 * RunHistoryId, or of a run of their own. Export-Csv writes objects and
 * collections as their type names: RunStepResults (the steps are not in a
 * CSV of runs: said once per file) and SyncErrors, ConnectorDiscoveryErrors
 * and MvRetryErrors of steps (their errors are unknown).
 *
 * Dates are the sync engine's DateTime values, which are UTC, written
 * without conversion in the exporter's culture ("4/8/2022 8:13:31 PM",
 * "08.04.2022 20:13:31", ISO ...): read with csv_time() and taken as UTC
 * (TQ_EXACT), whatever --utc-offset says. A #TYPE line or the header found
 * again later (exports joined into one file) is skipped. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/parser.h"
#include "parser/runps.h"
#include "parser/textutil.h"

#define TYPE_PREFIX "Microsoft.IdentityManagement.PowerShell.ObjectModel."

struct runcsv_state {
	struct csvread cr;
	struct runps rp;
	size_t ncols;		/* columns in the header */
	enum runps_field *field;	/* what each column is */
	struct buf names;	/* the header's names, NUL after each */
	size_t *name_off;	/* where each starts in names */
	bool steps;		/* rows are steps (no run column) */
	int rhid_col;		/* the RunHistoryId column, -1 if none */
	bool told_steps;	/* RunStepResults was a type name */
	uint64_t skipped;
};

static struct sv
col_name(const struct runcsv_state *st, size_t i)
{
	return sv_cstr(st->names.data + st->name_off[i]);
}

/* Find what each column is; false if the header has nothing of a run or a
 * step. */
static bool
header(struct runcsv_state *st)
{
	struct csvread *cr = &st->cr;
	bool run = false, step = false;

	st->ncols = cr->nfields;
	st->field = xcalloc(st->ncols ? st->ncols : 1, sizeof(*st->field));
	st->name_off = xcalloc(st->ncols ? st->ncols : 1, sizeof(*st->name_off));
	st->rhid_col = -1;
	for (size_t i = 0; i < cr->nfields; i++) {
		struct sv name = sv_trim(cr->field[i]);
		enum runps_field f = runps_field(name);

		st->name_off[i] = st->names.len;
		buf_addsv(&st->names, name);
		buf_addc(&st->names, '\0');
		st->field[i] = f;
		if (f == RP_RUN_HISTORY_ID && st->rhid_col < 0)
			st->rhid_col = (int)i;
		run |= f == RP_PROFILE || f == RP_CONNECTOR_NAME || f == RP_RESULT ||
		       f == RP_RUN_NUMBER || f == RP_RUN_STEP_RESULTS;
		step |= f == RP_STEP_NUMBER || f == RP_STEP_RESULT || f == RP_STEP_HISTORY_ID;
	}
	if (st->names.truncated)
		return false;
	st->steps = !run && step;
	return run || step;
}

/* The row names its columns where the header does. */
static bool
repeated_header(const struct runcsv_state *st)
{
	for (size_t i = 0; i < st->ncols && i < st->cr.nfields; i++) {
		if (st->field[i] != RP_OTHER)
			return csv_name_eq(st->cr.field[i], st->names.data + st->name_off[i]);
	}
	return false;
}

static int
row(struct runcsv_state *st)
{
	struct csvread *cr = &st->cr;
	struct runps *rp = &st->rp;
	int rc;

	if (cr->nfields == 1 && sv_starts(sv_trim(cr->field[0]), "#TYPE"))
		return 0;
	if (repeated_header(st))
		return 0;
	if (cr->nfields != st->ncols) {
		st->skipped++;
		return csv_problemf(cr, "row at line %" PRIu64 " has %zu columns, the header %zu: "
				    "skipped", cr->line, cr->nfields, st->ncols);
	}
	if (st->steps)
		rc = rb_step_object(&rp->b, cr->line, st->rhid_col >= 0 ? cr->field[st->rhid_col]
								  : SV_NULL);
	else
		rc = rb_run_begin(&rp->b, cr->line, UINT64_MAX);
	if (rc)
		return rc;
	for (size_t i = 0; i < cr->nfields; i++) {
		struct sv v = cr->field[i];

		if (st->field[i] == RP_OTHER)
			continue;
		if (st->field[i] == RP_RUN_STEP_RESULTS) {
			if (!st->steps && !st->told_steps && runps_type_name(v)) {
				st->told_steps = true;
				if ((rc = csv_problemf(cr, "RunStepResults is a type name in CSV: the "
						       "steps are not in the export (run at line "
						       "%" PRIu64 ")", cr->line)) != 0)
					return rc;
			}
			continue;
		}
		if ((rc = runps_set(rp, st->steps, col_name(st, i), v, cr->line)) != 0)
			return rc;
	}
	return 0;
}

static int
run(struct runcsv_state *st)
{
	struct csvread *cr = &st->cr;
	int r, rc;

	r = csv_next(cr);
	if (r == 1 && cr->nfields == 1 && sv_starts(sv_trim(cr->field[0]), "#TYPE"))
		r = csv_next(cr);
	if (r == 1) {
		if (!header(st)) {
			while ((r = csv_next(cr)) == 1)
				st->skipped++;
			if (r == 2)
				return cr->stop;
			if ((rc = ec_problemf(cr->sink, 1, 0, st->skipped, 0,
					      "no column of Get-ADSyncRunProfileResult or "
					      "Get-ADSyncRunStepResult (RunProfileName, Result, "
					      "StepNumber ...) in the header: nothing read")) != 0)
				return rc;
			return csv_finish(cr, r);
		}
		while ((r = csv_next(cr)) == 1) {
			if ((rc = row(st)) != 0)
				return rc;
		}
	}
	if (r == 2)
		return cr->stop;
	/* The last run (after a read error too: what was read is kept). */
	if ((rc = rb_run_end(&st->rp.b)) != 0)
		return rc;
	return csv_finish(cr, r);
}

static int
runcsv_parse(const struct ec_input *inp)
{
	struct runcsv_state *st = xcalloc(1, sizeof(*st));
	int rc;

	csv_init(&st->cr, inp, ",;\t");
	runps_init(&st->rp, inp, &st->cr.problems, &st->cr);
	buf_init(&st->names, (size_t)1 << 20);
	rc = run(st);
	runps_release(&st->rp);
	csv_release(&st->cr);
	buf_release(&st->names);
	free(st->field);
	free(st->name_off);
	free(st);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------- */

/* A header naming the columns of runs or of steps. */
static int
runcsv_header(struct sv line)
{
	const char *p = line.p, *end = line.p + line.n;
	bool profile = false, number = false, result = false, start = false;
	bool wmi_profile = false, wmi_status = false, wmi_start = false;
	bool step_number = false, step_result = false, rhid = false;

	while (p <= end) {
		const char *q = p;
		struct sv name;

		while (q < end && *q != ',' && *q != ';' && *q != '\t')
			q++;
		name = sv_trim(sv_make(p, (size_t)(q - p)));
		if (name.n >= 2 && name.p[0] == '"' && name.p[name.n - 1] == '"')
			name = sv_make(name.p + 1, name.n - 2);
		profile |= sv_eq(name, "RunProfileName");
		number |= sv_eq(name, "RunNumber");
		result |= sv_eq(name, "Result");
		start |= sv_eq(name, "StartDate");
		wmi_profile |= sv_eq(name, "RunProfile");
		wmi_status |= sv_eq(name, "RunStatus");
		wmi_start |= sv_eq(name, "RunStartTime");
		step_number |= sv_eq(name, "StepNumber");
		step_result |= sv_eq(name, "StepResult");
		rhid |= sv_eq(name, "RunHistoryId");
		p = q + 1;
	}
	if ((profile || number) && result && start)
		return 90;
	if (number && wmi_profile && wmi_status && wmi_start)
		return 90;
	if (step_number && step_result && rhid)
		return 90;
	return 0;
}

static int
runcsv_judge(void *ctx, struct sv line, int seen)
{
	(void)ctx;
	if (seen == 1 && sv_starts(line, "#TYPE ")) {
		if (sv_find(line, TYPE_PREFIX "RunProfileResult") >= 0 ||
		    sv_find(line, TYPE_PREFIX "RunStepResult") >= 0)
			return 90;
		return -1;
	}
	return runcsv_header(line) ? 90 : -1;
}

static int
runcsv_sniff(const struct ec_sniff *s)
{
	int v = text_sniff_lines(s, 2, runcsv_judge, NULL);

	return v > 0 ? v : 0;
}

const struct ec_format fmt_runcsv = {
	.name = "runcsv",
	.title = "Get-ADSyncRunProfileResult or Get-ADSyncRunStepResult | Export-Csv",
	.identifies = "#TYPE ...ObjectModel.RunProfileResult or RunStepResult, or a header "
		      "naming RunProfileName or RunNumber with Result and StartDate (or "
		      "StepNumber, StepResult and RunHistoryId)",
	.binary = false,
	.sniff = runcsv_sniff,
	.parse = runcsv_parse,
};
