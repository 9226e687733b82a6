/* SPDX-License-Identifier: MIT */
/* test_parser_runps.c - run history from PowerShell: Get-ADSyncRunProfile-
 * Result and Get-ADSyncRunStepResult through ConvertTo-Json ("runjson"),
 * Export-Csv ("runcsv") and Format-List ("runlist"), and the JSON element
 * reader under them (parser/jsonstream.h): the real ConvertTo-Json, every
 * field, dates, steps, counters, connection XML and errors, type names where
 * objects were, encodings, damage, a million runs streamed in bounded
 * memory, and sniffing. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/stream.h"
#include "common/strview.h"
#include "common/timeutil.h"
#include "parser/jsonstream.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

#define RUNHISTORY "text/cmdlet-output/laparoscope_TestRunHistory_Get-ADSyncRunProfileResult_ConvertTo-Json.json"
#define GLOBALSETTINGS "text/cmdlet-output/laparoscope_Get-LapGlobalSettings_FormatList_ServerConfigurationVersion-2.0.25.1.VERBATIM.txt"

/* ---- a sink that keeps runs --------------------------------------------- */

struct cerr {
	char *category, *dn, *error_type, *code, *detail;
	struct ec_time when;
};

struct cstep {
	int64_t number, error_count;
	char *type, *subtype, *step_class, *result, *result_class;
	char *conn_result, *conn_server;
	struct ec_time start, end;
	size_t ncounters, nerr;
	char **cname, **cvalue;
	struct cerr *err;
};

struct crun {
	uint64_t line;
	char *connector, *connector_id, *profile, *rhid, *user, *result, *result_class;
	int64_t run_number;
	struct ec_time start, end;
	size_t nsteps;
	struct cstep *step;
};

struct rcap {
	struct cap c;		/* problems (and anything else) */
	struct ec_sink base;	/* c's sink */
	bool count_only;	/* only count runs (the million) */
	uint64_t nrun;
	uint64_t sum;		/* of run numbers, when counting */
	struct crun *run;
	size_t cap;
};

static char *
dup_sv(struct sv v)
{
	char *s = malloc(v.n + 1);

	cr_assert_not_null(s);
	if (v.n)
		memcpy(s, v.p, v.n);
	s[v.n] = '\0';
	return s;
}

static int
on_run(void *ctx, const struct ec_run *r)
{
	struct rcap *rc = ctx;
	struct crun *c;

	rc->nrun++;
	rc->sum += (uint64_t)r->run_number;
	if (rc->count_only)
		return 0;
	if (rc->nrun > rc->cap) {
		rc->cap = rc->cap ? 2 * rc->cap : 8;
		rc->run = realloc(rc->run, rc->cap * sizeof(*rc->run));
		cr_assert_not_null(rc->run);
	}
	c = &rc->run[rc->nrun - 1];
	memset(c, 0, sizeof(*c));
	c->line = r->line;
	c->connector = dup_sv(r->connector);
	c->connector_id = dup_sv(r->connector_id);
	c->profile = dup_sv(r->profile);
	c->rhid = dup_sv(r->run_history_id);
	c->user = dup_sv(r->user);
	c->result = dup_sv(r->result);
	c->result_class = dup_sv(sv_cstr(r->result_class));
	c->run_number = r->run_number;
	c->start = r->start;
	c->end = r->end;
	c->nsteps = r->nsteps;
	c->step = calloc(r->nsteps + 1, sizeof(*c->step));
	cr_assert_not_null(c->step);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct ec_run_step *s = &r->steps[i];
		struct cstep *d = &c->step[i];

		d->number = s->step_number;
		d->error_count = s->error_count;
		d->type = dup_sv(s->step_type);
		d->subtype = dup_sv(s->step_subtype);
		d->step_class = dup_sv(sv_cstr(s->step_class));
		d->result = dup_sv(s->result);
		d->result_class = dup_sv(sv_cstr(s->result_class));
		d->conn_result = dup_sv(s->connection_result);
		d->conn_server = dup_sv(s->connection_server);
		d->start = s->start;
		d->end = s->end;
		d->ncounters = s->ncounters;
		d->cname = calloc(s->ncounters + 1, sizeof(char *));
		d->cvalue = calloc(s->ncounters + 1, sizeof(char *));
		cr_assert(d->cname && d->cvalue);
		for (size_t k = 0; k < s->ncounters; k++) {
			d->cname[k] = dup_sv(s->counters[k].name);
			d->cvalue[k] = dup_sv(s->counters[k].value);
		}
		d->nerr = s->nerrors;
		d->err = calloc(s->nerrors + 1, sizeof(*d->err));
		cr_assert_not_null(d->err);
		for (size_t k = 0; k < s->nerrors; k++) {
			const struct ec_run_error *e = &s->errors[k];

			d->err[k].category = dup_sv(e->category);
			d->err[k].dn = dup_sv(e->dn);
			d->err[k].error_type = dup_sv(e->error_type);
			d->err[k].code = dup_sv(e->code);
			d->err[k].detail = dup_sv(e->detail);
			d->err[k].when = e->when;
		}
	}
	return 0;
}

static int
on_problem(void *ctx, const struct ec_problem *p)
{
	struct rcap *rc = ctx;

	return rc->base.problem(rc->base.ctx, p);
}

static int
on_event(void *ctx, const struct ec_event *ev)
{
	(void)ctx;
	(void)ev;
	cr_assert_fail("a run reader handed over an event");
	return 1;
}

static void
rcap_free(struct rcap *r)
{
	for (size_t i = 0; i < r->nrun && !r->count_only; i++) {
		struct crun *c = &r->run[i];

		free(c->connector);
		free(c->connector_id);
		free(c->profile);
		free(c->rhid);
		free(c->user);
		free(c->result);
		free(c->result_class);
		for (size_t k = 0; k < c->nsteps; k++) {
			struct cstep *s = &c->step[k];

			free(s->type);
			free(s->subtype);
			free(s->step_class);
			free(s->result);
			free(s->result_class);
			free(s->conn_result);
			free(s->conn_server);
			for (size_t j = 0; j < s->ncounters; j++) {
				free(s->cname[j]);
				free(s->cvalue[j]);
			}
			free(s->cname);
			free(s->cvalue);
			for (size_t j = 0; j < s->nerr; j++) {
				free(s->err[j].category);
				free(s->err[j].dn);
				free(s->err[j].error_type);
				free(s->err[j].code);
				free(s->err[j].detail);
			}
			free(s->err);
		}
		free(c->step);
	}
	free(r->run);
	cap_free(&r->c);
	memset(r, 0, sizeof(*r));
}

/* Parse with format name from any stream into r. */
static int
parse_stream(struct rcap *r, const char *name, struct ec_stream *s, struct enc_guess enc,
	     const struct ec_options *opt)
{
	static const struct ec_options defaults;
	struct ec_sink sink = { 0 };
	struct ec_input in;

	r->base = cap_sink(&r->c);
	sink.ctx = r;
	sink.run = on_run;
	sink.problem = on_problem;
	sink.event = on_event;
	in.in = s;
	in.enc = enc;
	in.name = NULL;
	in.opt = opt ? opt : &defaults;
	in.sink = &sink;
	return cap_format(name)->parse(&in);
}

/* Parse n bytes (encoding sniffed as the walker does), at most chunk bytes
 * per read (0: any). */
static int
parse_bytes(struct rcap *r, const char *name, const void *data, size_t n, size_t chunk,
	    const struct ec_options *opt)
{
	struct memstream m;
	struct ec_stream s;

	memstream_init(&m, &s, data, n);
	m.chunk = chunk;
	return parse_stream(r, name, &s, enc_sniff(data, n < 65536 ? n : 65536), opt);
}

static int
parse_str(struct rcap *r, const char *name, const char *text)
{
	return parse_bytes(r, name, text, strlen(text), 0, NULL);
}

/* ---- checks ------------------------------------------------------------- */

static void
assert_time(struct ec_time t, const char *want)
{
	char got[32];

	if (!want) {
		cr_assert_eq(t.q, TQ_NONE, "a time where none was expected (q %d)", t.q);
		return;
	}
	cr_assert_eq(t.q, TQ_EXACT, "time quality %d, want exact (%s)", t.q, want);
	ms_to_iso(t.ms, got);
	cr_assert_str_eq(got, want);
}

static const char *
counter_of(const struct cstep *s, const char *name)
{
	for (size_t i = 0; i < s->ncounters; i++) {
		if (!strcmp(s->cname[i], name))
			return s->cvalue[i];
	}
	return NULL;
}

/* UTF-8 text to UTF-16LE with a BOM. */
static unsigned char *
to_utf16le(const char *s, size_t *out_n)
{
	size_t n = strlen(s), k = 0;
	unsigned char *o = malloc(n * 2 + 2);
	const unsigned char *p = (const unsigned char *)s;

	cr_assert_not_null(o);
	o[k++] = 0xFF;
	o[k++] = 0xFE;
	while (*p) {
		unsigned cp;

		if (*p < 0x80) {
			cp = *p++;
		} else if (*p < 0xE0) {
			cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
			p += 2;
		} else {
			cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
			p += 3;
		}
		o[k++] = (unsigned char)(cp & 0xFF);
		o[k++] = (unsigned char)(cp >> 8);
	}
	*out_n = k;
	return o;
}

/* Sniff text (UTF-8) with format name; *best gets the registry's choice. */
static int
sniff_text(const char *name, const char *text, size_t n, const struct ec_format **best)
{
	struct ec_sniff s = { 0 };

	s.raw = (const unsigned char *)text;
	s.raw_len = n;
	s.enc = enc_sniff(s.raw, s.raw_len);
	s.text = text;
	s.text_len = n;
	if (best)
		*best = ec_format_sniff(&s);
	return cap_format(name)->sniff(&s);
}

static int
sniff_str(const char *name, const char *text, const struct ec_format **best)
{
	return sniff_text(name, text, strlen(text), best);
}

/* The same runs (every field compared through the copies). */
static void
assert_same_runs(const struct rcap *a, const struct rcap *b)
{
	cr_assert_eq(a->nrun, b->nrun);
	for (size_t i = 0; i < a->nrun; i++) {
		const struct crun *x = &a->run[i], *y = &b->run[i];

		cr_assert_str_eq(x->rhid, y->rhid);
		cr_assert_str_eq(x->connector, y->connector);
		cr_assert_str_eq(x->profile, y->profile);
		cr_assert_str_eq(x->result, y->result);
		cr_assert_str_eq(x->user, y->user);
		cr_assert_eq(x->run_number, y->run_number);
		cr_assert_eq(x->start.ms, y->start.ms);
		cr_assert_eq(x->end.ms, y->end.ms);
		cr_assert_eq(x->nsteps, y->nsteps);
		for (size_t k = 0; k < x->nsteps; k++) {
			cr_assert_eq(x->step[k].ncounters, y->step[k].ncounters);
			cr_assert_eq(x->step[k].nerr, y->step[k].nerr);
			cr_assert_str_eq(x->step[k].result, y->step[k].result);
			cr_assert_str_eq(x->step[k].conn_result, y->step[k].conn_result);
		}
	}
	cr_assert_eq(a->c.np, b->c.np);
}

/* ==== runjson ============================================================= */

/* The real ConvertTo-Json of Get-ADSyncRunProfileResult, run by run. */
static const struct {
	uint64_t line;
	const char *rhid, *connector_id, *connector, *profile;
	int64_t number;
	const char *result, *result_class, *start, *end;
} corpus_runs[] = {
	{ 2, "81d206e6-392a-4485-9834-4c241723332d", "fffb4a69-4ed6-444d-8b89-73bc16f373dd",
	  "garage.mcardletech.com", "Export", 26147, "no-start-connection", "no-start",
	  "2022-04-08T04:10:53.843Z", "2022-04-08T04:11:14.963Z" },
	{ 18, "c5aba9de-a634-4d64-b4ad-c7ad337faf91", "b891884f-051e-4a83-95af-2544101c9083",
	  "mcardletech.onmicrosoft.com - AAD", "Export", 26148, "success", "success",
	  "2022-04-08T04:10:17.557Z", "2022-04-08T04:10:27.097Z" },
	{ 34, "8a6190d8-9c0a-4dee-a215-88f2ed3914fa", "b891884f-051e-4a83-95af-2544101c9083",
	  "mcardletech.onmicrosoft.com - AAD", "Delta Synchronization", 26147, "success",
	  "success", "2022-04-08T04:09:45.233Z", "2022-04-08T04:09:50.423Z" },
	{ 50, "5fdc0b17-8196-484a-90f4-c5b839f95dd5", "fffb4a69-4ed6-444d-8b89-73bc16f373dd",
	  "garage.mcardletech.com", "Delta Synchronization", 26146, "completed-sync-errors",
	  "completed-errors", "2022-04-08T04:09:10.240Z", "2022-04-08T04:09:19.077Z" },
};

Test(runjson, real_corpus_every_run_every_field)
{
	const char *path = corpus_path(RUNHISTORY);
	const struct ec_format *best;
	struct rcap r = { 0 };
	size_t n;
	char *all;

	if (!path)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", RUNHISTORY);
	all = slurp(path, &n);
	cr_assert_not_null(all);
	cr_assert_eq(sniff_text("runjson", all, n, &best), 90);
	cr_assert_eq(best, cap_format("runjson"));
	cr_assert_eq(sniff_text("runlist", all, n, NULL), 0);
	cr_assert_eq(sniff_text("runcsv", all, n, NULL), 0);
	/* All at once, then a byte at a time. */
	for (size_t chunk = 0; chunk < 2; chunk++) {
		cr_assert_eq(parse_bytes(&r, "runjson", all, n, chunk, NULL), 0);
		dump_problems(&r.c);
		cr_assert_eq(r.c.np, 0);
		cr_assert_eq(r.nrun, sizeof(corpus_runs) / sizeof(corpus_runs[0]));
		for (size_t i = 0; i < r.nrun; i++) {
			const struct crun *c = &r.run[i];

			cr_assert_eq(c->line, corpus_runs[i].line);
			cr_assert_str_eq(c->rhid, corpus_runs[i].rhid);
			cr_assert_str_eq(c->connector_id, corpus_runs[i].connector_id);
			cr_assert_str_eq(c->connector, corpus_runs[i].connector);
			cr_assert_str_eq(c->profile, corpus_runs[i].profile);
			cr_assert_eq(c->run_number, corpus_runs[i].number);
			cr_assert_str_eq(c->user, "NT SERVICE\\ADSync");
			cr_assert_str_eq(c->result, corpus_runs[i].result);
			cr_assert_str_eq(c->result_class, corpus_runs[i].result_class);
			assert_time(c->start, corpus_runs[i].start);
			assert_time(c->end, corpus_runs[i].end);
			cr_assert_eq(c->nsteps, 0);
		}
		rcap_free(&r);
	}
	free(all);
}

/* StartDate as Windows PowerShell 5.1 and PowerShell 7 write it. */
Test(runjson, dates_in_both_powershell_forms)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "\\/Date(1649391053843)\\/", "2022-04-08T04:10:53.843Z" },
		{ "/Date(1649391053843)/", "2022-04-08T04:10:53.843Z" },
		/* The offset of the exporter does not change the UTC ms. */
		{ "\\/Date(1649391053843+0200)\\/", "2022-04-08T04:10:53.843Z" },
		{ "\\/Date(1649391053843-0500)\\/", "2022-04-08T04:10:53.843Z" },
		{ "2022-04-08T06:10:53.8431234+02:00", "2022-04-08T04:10:53.843Z" },
		{ "2022-04-08T04:10:53.843Z", "2022-04-08T04:10:53.843Z" },
		/* Without a zone: UTC, as the engine keeps it. */
		{ "2022-04-08T04:10:53.843", "2022-04-08T04:10:53.843Z" },
		{ "2022-04-08T04:10:53", "2022-04-08T04:10:53.000Z" },
	};
	struct ec_options opt = { 0 };

	/* A --utc-offset does not apply to the engine's UTC. */
	opt.have_offset = true;
	opt.utc_offset_min = 120;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		struct rcap r = { 0 };

		snprintf(text, sizeof(text),
			 "{\"RunHistoryId\": \"x\", \"RunProfileName\": \"Export\", \"Result\": "
			 "\"success\", \"StartDate\": \"%s\", \"EndDate\": {\"value\": \"%s\", "
			 "\"DisplayHint\": 2}}", cases[i].text, cases[i].text);
		cr_assert_eq(parse_bytes(&r, "runjson", text, strlen(text), 0, &opt), 0);
		dump_problems(&r.c);
		cr_assert_eq(r.nrun, 1, "%s", cases[i].text);
		assert_time(r.run[0].start, cases[i].want);
		assert_time(r.run[0].end, cases[i].want);
		cr_assert_eq(r.c.np, 0);
		rcap_free(&r);
	}
	{
		struct rcap r = { 0 };

		cr_assert_eq(parse_str(&r, "runjson", "[{\"RunProfileName\": \"Export\", "
				       "\"StartDate\": \"yesterday\", \"EndDate\": null}]"), 0);
		cr_assert_eq(r.nrun, 1);
		assert_time(r.run[0].start, NULL);
		assert_time(r.run[0].end, NULL);
		cr_assert_eq(r.c.np, 1);
		cr_assert(strstr(r.c.p[0].message, "date 'yesterday' at line 1 not understood"), "%s",
			  r.c.p[0].message);
		rcap_free(&r);
	}
}

/* -Depth 2 writes RunStepResults as type names: no steps, said once. */
Test(runjson, depth_truncated_steps)
{
	static const char text[] =
		"[\n"
		"  {\"RunHistoryId\": \"a\", \"RunProfileName\": \"Delta Import\", \"Result\": \"success\",\n"
		"   \"RunStepResults\": \"System.Collections.ObjectModel.ReadOnlyCollection`1"
		"[Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResult]\"},\n"
		"  {\"RunHistoryId\": \"b\", \"RunProfileName\": \"Export\", \"Result\": \"success\",\n"
		"   \"RunStepResults\": [\"Microsoft.IdentityManagement.PowerShell.ObjectModel."
		"RunStepResult\", \"Microsoft.IdentityManagement.PowerShell.ObjectModel."
		"RunStepResult\"]},\n"
		"  {\"RunHistoryId\": \"c\", \"RunProfileName\": \"Export\", \"Result\": \"success\",\n"
		"   \"RunStepResults\": []}\n"
		"]\n";
	struct rcap r = { 0 };

	cr_assert_eq(parse_str(&r, "runjson", text), 0);
	cr_assert_eq(r.nrun, 3);
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(r.run[i].nsteps, 0);
	cr_assert_eq(r.c.np, 1);
	cr_assert(strstr(r.c.p[0].message, "-Depth too small: steps not in the export"), "%s",
		  r.c.p[0].message);
	cr_assert_eq(r.c.p[0].line, 2);
	rcap_free(&r);
}

#define CONN_XML \
	"<connection-result>failed-connection</connection-result><server>10.2.3.4:389</server>" \
	"<connection-log><incident><connection-result>success</connection-result>" \
	"<date>2022-04-08 20:13:31.177</date><server>10.2.3.4:389</server></incident>" \
	"<incident><connection-result>failed-connection</connection-result>" \
	"<date>2022-04-08 20:13:52.177</date><server>10.2.3.4:389</server><cd-error>" \
	"<error-code>0x51</error-code><error-literal>Server Down</error-literal></cd-error>" \
	"</incident></connection-log>"

#define SYNC_XML \
	"<synchronization-errors><import-error cs-guid=\\\"{1C2D}\\\" dn=\\\"CN=Ann &amp; Bob," \
	"OU=Users,DC=contoso,DC=com\\\"><date-occurred>2022-04-08 20:14:01.100</date-occurred>" \
	"<first-occurred>2022-04-01 10:00:00.000</first-occurred><retry-count>3</retry-count>" \
	"<error-type>ma-extension-error</error-type><algorithm-step>import-flow</algorithm-step>" \
	"<extension-error-info><extension-name>Microsoft.Sync</extension-name><call-stack>" \
	"System.InvalidOperationException: bad &lt;value&gt;</call-stack></extension-error-info>" \
	"</import-error><export-error cs-guid=\\\"{9F}\\\" dn=\\\"CN=Carl,DC=contoso,DC=com\\\">" \
	"<date-occurred>2022-04-08 20:14:02.200</date-occurred><error-type>permission-issue" \
	"</error-type><cd-error><error-code>0x80070005</error-code><error-literal>Access is " \
	"denied.</error-literal><server-error-detail>00000005: SecErr: DSID-03152857" \
	"</server-error-detail></cd-error></export-error></synchronization-errors>"

/* A run with its steps (-RunStepDetails, -Depth 5): counters, the connection
 * XML, the errors objects. */
Test(runjson, steps_counters_connection_and_errors)
{
	static const char text[] =
		"{\r\n"
		"  \"RunHistoryId\": \"5fdc0b17-8196-484a-90f4-c5b839f95dd5\",\r\n"
		"  \"ConnectorName\": \"garage.mcardletech.com\",\r\n"
		"  \"RunProfileName\": \"Delta Import\",\r\n"
		"  \"RunNumber\": 26146,\r\n"
		"  \"Result\": \"stopped-connectivity\",\r\n"
		"  \"StartDate\": \"\\/Date(1649448811163)\\/\",\r\n"
		"  \"EndDate\": \"\\/Date(1649448832223)\\/\",\r\n"
		"  \"RunStepResults\": [\r\n"
		"    {\r\n"
		"      \"RunHistoryId\": \"5fdc0b17-8196-484a-90f4-c5b839f95dd5\",\r\n"
		"      \"StepHistoryId\": \"0d16be50-fb6a-4cdc-b528-59b41d3f41a3\",\r\n"
		"      \"StepNumber\": 1, \"StepResult\": \"stopped-connectivity\",\r\n"
		"      \"StartDate\": \"\\/Date(1649448811163)\\/\", \"EndDate\": \"\\/Date(1649448832223)\\/\",\r\n"
		"      \"StageNoChange\": 0, \"StageAdd\": 3, \"StageDeleteAdd\": 1, \"StageFailure\": 0,\r\n"
		"      \"DisconnectorJoinedRemoveMv\": 2, \"ConnectorFlow\": 23,\r\n"
		"      \"ConnectorDeleteAddProcessed\": 4, \"FlowFailure\": 0, \"ExportFailure\": 0,\r\n"
		"      \"CurrentExportBatchNumber\": 0, \"StepFileName\": \"\",\r\n"
		"      \"ConnectorId\": \"fffb4a69-4ed6-444d-8b89-73bc16f373dd\",\r\n"
		"      \"ConnectorConnectionInformationXml\": \"" CONN_XML "\",\r\n"
		"      \"ConnectorCountersXml\": \"<counters/>\",\r\n"
		"      \"StepXml\": \"<step-description><step-type type=\\\"delta-import\\\">"
		"<import-subtype>to-cs</import-subtype></step-type></step-description>\",\r\n"
		"      \"ConnectorDiscoveryErrors\": {\"ConnectorDiscoveryErrorsXml\": null,\r\n"
		"        \"ConnectorDiscoveryErrorsList\": [{\"ObjectDn\": \"CN=Dora,DC=contoso,DC=com\",\r\n"
		"          \"ErrorType\": \"staging-error\", \"DateOccurred\": \"2022-04-08T20:13:40.5\",\r\n"
		"          \"CdError\": \"<cd-error><error-code>8453</error-code><error-literal>"
		"Replication access was denied.</error-literal></cd-error>\"}]},\r\n"
		"      \"SyncErrors\": {\"SyncErrorsCompressed\": null, \"SyncErrorsXml\": \"" SYNC_XML "\",\r\n"
		"        \"SyncErrorsList\": \"System.Collections.Generic.List`1[...]\"},\r\n"
		"      \"MvRetryErrors\": null\r\n"
		"    },\r\n"
		"    {\"StepNumber\": 2, \"StepResult\": \"success\", \"StageAdd\": 7,\r\n"
		"     \"SyncErrors\": {\"SyncErrorsXml\": \"<synchronization-errors/>\"},\r\n"
		"     \"ConnectorConnectionInformationXml\": \"<connection-result>success"
		"</connection-result><server>dc1.contoso.com:389</server>\"}\r\n"
		"  ]\r\n"
		"}\r\n";
	const struct cstep *s;
	struct rcap r = { 0 };

	cr_assert_eq(sniff_str("runjson", text, NULL), 90);
	cr_assert_eq(parse_str(&r, "runjson", text), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.c.np, 0);
	cr_assert_eq(r.nrun, 1);
	cr_assert_str_eq(r.run[0].result_class, "stopped");
	cr_assert_eq(r.run[0].nsteps, 2);
	s = &r.run[0].step[0];
	cr_assert_eq(s->number, 1);
	cr_assert_str_eq(s->result, "stopped-connectivity");
	cr_assert_str_eq(s->result_class, "stopped");
	cr_assert_str_eq(s->type, "delta-import");
	cr_assert_str_eq(s->subtype, "to-cs");
	cr_assert_str_eq(s->step_class, "delta-import");
	assert_time(s->start, "2022-04-08T20:13:31.163Z");
	assert_time(s->end, "2022-04-08T20:13:52.223Z");
	/* The counters in kebab-case, nothing else (ConnectorId is not one). */
	cr_assert_eq(s->ncounters, 9);
	cr_assert_str_eq(counter_of(s, "stage-no-change"), "0");
	cr_assert_str_eq(counter_of(s, "stage-add"), "3");
	cr_assert_str_eq(counter_of(s, "stage-delete-add"), "1");
	cr_assert_str_eq(counter_of(s, "disconnector-joined-remove-mv"), "2");
	cr_assert_str_eq(counter_of(s, "connector-flow"), "23");
	cr_assert_str_eq(counter_of(s, "connector-delete-add-processed"), "4");
	cr_assert_str_eq(counter_of(s, "flow-failure"), "0");
	cr_assert_str_eq(counter_of(s, "export-failure"), "0");
	cr_assert_null(counter_of(s, "current-export-batch-number"));
	/* The connection, its failed incident, the discovery and sync errors. */
	cr_assert_str_eq(s->conn_result, "failed-connection");
	cr_assert_str_eq(s->conn_server, "10.2.3.4:389");
	cr_assert_eq(s->nerr, 4);
	cr_assert_eq(s->error_count, 4);
	cr_assert_str_eq(s->err[0].category, "connection");
	cr_assert_str_eq(s->err[0].error_type, "failed-connection");
	cr_assert_str_eq(s->err[0].code, "0x51");
	cr_assert_str_eq(s->err[0].detail, "Server Down");
	cr_assert_str_eq(s->err[0].dn, "");
	assert_time(s->err[0].when, "2022-04-08T20:13:52.177Z");
	cr_assert_str_eq(s->err[1].category, "discovery");
	cr_assert_str_eq(s->err[1].dn, "CN=Dora,DC=contoso,DC=com");
	cr_assert_str_eq(s->err[1].error_type, "staging-error");
	cr_assert_str_eq(s->err[1].code, "8453");
	cr_assert_str_eq(s->err[1].detail, "Replication access was denied.");
	assert_time(s->err[1].when, "2022-04-08T20:13:40.500Z");
	cr_assert_str_eq(s->err[2].category, "sync");
	cr_assert_str_eq(s->err[2].dn, "CN=Ann & Bob,OU=Users,DC=contoso,DC=com");
	cr_assert_str_eq(s->err[2].error_type, "ma-extension-error");
	cr_assert_str_eq(s->err[2].code, "");
	cr_assert_str_eq(s->err[2].detail, "System.InvalidOperationException: bad <value>");
	assert_time(s->err[2].when, "2022-04-08T20:14:01.100Z");
	cr_assert_str_eq(s->err[3].category, "export");
	cr_assert_str_eq(s->err[3].dn, "CN=Carl,DC=contoso,DC=com");
	cr_assert_str_eq(s->err[3].error_type, "permission-issue");
	cr_assert_str_eq(s->err[3].code, "0x80070005");
	cr_assert_str_eq(s->err[3].detail, "Access is denied.\n00000005: SecErr: DSID-03152857");
	assert_time(s->err[3].when, "2022-04-08T20:14:02.200Z");
	/* Step 2: no step type, so its kind is the profile's; errors known, none. */
	s = &r.run[0].step[1];
	cr_assert_eq(s->number, 2);
	cr_assert_str_eq(s->type, "");
	cr_assert_str_eq(s->step_class, "delta-import");
	cr_assert_str_eq(s->result_class, "success");
	cr_assert_str_eq(counter_of(s, "stage-add"), "7");
	cr_assert_eq(s->ncounters, 1);
	cr_assert_str_eq(s->conn_result, "success");
	cr_assert_str_eq(s->conn_server, "dc1.contoso.com:389");
	cr_assert_eq(s->nerr, 0);
	cr_assert_eq(s->error_count, 0);
	assert_time(s->start, NULL);
	rcap_free(&r);
}

/* Get-ADSyncRunStepResult | ConvertTo-Json: step objects without a run
 * object; and steps after the run they belong to. */
Test(runjson, lone_run_step_results)
{
	static const char one[] =
		"{\"RunHistoryId\": \"5FDC0B17-8196-484A-90F4-C5B839F95DD5\", \"StepHistoryId\": \"s1\",\n"
		" \"StepNumber\": 1, \"StepResult\": \"completed-export-errors\", \"ExportFailure\": 2,\n"
		" \"StartDate\": \"\\/Date(1649448811163)\\/\", \"EndDate\": \"\\/Date(1649448832223)\\/\",\n"
		" \"SyncErrors\": \"Microsoft.IdentityManagement.PowerShell.ObjectModel."
		"RunStepResultSyncErrors\"}\n";
	static const char grouped[] =
		"[{\"RunHistoryId\": \"r1\", \"ConnectorName\": \"contoso.com\", \"RunProfileName\": "
		"\"Full Synchronization\", \"Result\": \"success\", \"RunStepResults\": null},\n"
		" {\"RunHistoryId\": \"R1\", \"StepNumber\": 1, \"StepResult\": \"success\"},\n"
		" {\"RunHistoryId\": \"r1\", \"StepNumber\": 2, \"StepResult\": \"success\"},\n"
		" {\"RunHistoryId\": \"r2\", \"StepNumber\": 1, \"StepResult\": \"completed-export-errors\", "
		"\"StartDate\": \"2022-04-08T10:00:00Z\", \"EndDate\": \"2022-04-08T10:05:00Z\"},\n"
		" {\"RunHistoryId\": \"r2\", \"StepNumber\": 2, \"StepResult\": null, "
		"\"StartDate\": \"2022-04-08T09:00:00Z\", \"EndDate\": \"2022-04-08T09:30:00Z\"},\n"
		" {\"Name\": \"something else\"},\n"
		" {\"RunHistoryId\": \"r3\", \"RunProfileName\": \"Export\", \"Result\": null, "
		"\"IsRunComplete\": false, \"RunStepResults\": null}]\n";
	struct rcap r = { 0 };

	cr_assert_eq(sniff_str("runjson", one, NULL), 90);
	cr_assert_eq(parse_str(&r, "runjson", one), 0);
	cr_assert_eq(r.nrun, 1);
	cr_assert_eq(r.run[0].line, 1);
	cr_assert_str_eq(r.run[0].rhid, "5FDC0B17-8196-484A-90F4-C5B839F95DD5");
	cr_assert_str_eq(r.run[0].connector, "");
	/* The run's result is its step's. */
	cr_assert_str_eq(r.run[0].result, "completed-export-errors");
	cr_assert_str_eq(r.run[0].result_class, "completed-errors");
	cr_assert_eq(r.run[0].run_number, -1);
	/* The run's times are its step's. */
	assert_time(r.run[0].start, "2022-04-08T20:13:31.163Z");
	assert_time(r.run[0].end, "2022-04-08T20:13:52.223Z");
	cr_assert_eq(r.run[0].nsteps, 1);
	cr_assert_str_eq(r.run[0].step[0].result_class, "completed-errors");
	cr_assert_str_eq(r.run[0].step[0].step_class, "unknown");
	cr_assert_str_eq(counter_of(&r.run[0].step[0], "export-failure"), "2");
	/* SyncErrors cut at -Depth: the errors are unknown, said once. */
	cr_assert_eq(r.run[0].step[0].error_count, -1);
	cr_assert_eq(r.c.np, 1);
	cr_assert(strstr(r.c.p[0].message, "-Depth too small: step errors not in the export"),
		  "%s", r.c.p[0].message);
	rcap_free(&r);

	cr_assert_eq(parse_str(&r, "runjson", grouped), 0);
	cr_assert_eq(r.nrun, 3);
	cr_assert_str_eq(r.run[0].connector, "contoso.com");
	cr_assert_eq(r.run[0].nsteps, 2);
	cr_assert_str_eq(r.run[0].step[1].step_class, "full-sync");
	cr_assert_str_eq(r.run[1].rhid, "r2");
	cr_assert_eq(r.run[1].line, 4);
	cr_assert_eq(r.run[1].nsteps, 2);
	assert_time(r.run[1].start, "2022-04-08T09:00:00.000Z");
	assert_time(r.run[1].end, "2022-04-08T10:05:00.000Z");
	/* The last step has no result: the worst of them. */
	cr_assert_str_eq(r.run[1].result, "completed-export-errors");
	/* No result, no steps, not complete. */
	cr_assert_str_eq(r.run[2].result, "in-progress");
	cr_assert_str_eq(r.run[2].result_class, "in-progress");
	cr_assert_eq(r.c.np, 1);
	cr_assert(strstr(r.c.p[0].message, "object at line 6 is neither a run"), "%s",
		  r.c.p[0].message);
	rcap_free(&r);
}

Test(runjson, unknown_result_kept_and_utf16)
{
	static const char text[] =
		"[{\"RunHistoryId\": \"a\", \"ConnectorName\": \"Caf\xC3\xA9 AD\", \"RunProfileName\": "
		"\"Export\", \"Result\": \"completed-something-new\", \"RunNumber\": 5},\n"
		" {\"RunHistoryId\": \"b\", \"ConnectorName\": \"x\", \"RunProfileName\": \"Export\", "
		"\"Result\": \"brand-new-value\", \"RunNumber\": \"6\"}]";
	struct rcap r = { 0 }, u = { 0 };
	unsigned char *w;
	size_t n;

	cr_assert_eq(parse_str(&r, "runjson", text), 0);
	cr_assert_eq(r.nrun, 2);
	cr_assert_str_eq(r.run[0].result, "completed-something-new");
	cr_assert_str_eq(r.run[0].result_class, "unknown");
	cr_assert_str_eq(r.run[1].result, "brand-new-value");
	cr_assert_str_eq(r.run[1].result_class, "unknown");
	cr_assert_eq(r.run[1].run_number, 6);
	cr_assert_eq(r.c.np, 0);
	/* Windows PowerShell 5.1 redirected with '>': UTF-16LE, read 3 bytes at a time. */
	w = to_utf16le(text, &n);
	cr_assert_eq(parse_bytes(&u, "runjson", w, n, 3, NULL), 0);
	assert_same_runs(&r, &u);
	cr_assert_str_eq(u.run[0].connector, "Caf\xC3\xA9 AD");
	free(w);
	rcap_free(&u);
	rcap_free(&r);
}

Test(runjson, truncated_keeps_earlier_runs)
{
	const char *path = corpus_path(RUNHISTORY);
	struct rcap r = { 0 };
	size_t n;
	char *all;

	if (!path)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", RUNHISTORY);
	all = slurp(path, &n);
	cr_assert_not_null(all);
	/* Cut in the middle of the third run. */
	{
		char *third = strstr(all, "8a6190d8");

		cr_assert_not_null(third);
		cr_assert_eq(parse_bytes(&r, "runjson", all, (size_t)(third - all) + 20, 0, NULL), 0);
	}
	cr_assert_eq(r.nrun, 2);
	cr_assert_str_eq(r.run[1].rhid, "c5aba9de-a634-4d64-b4ad-c7ad337faf91");
	cr_assert_eq(r.c.np, 1);
	cr_assert(strstr(r.c.p[0].message, "the input ends inside the object starting at line 34"),
		  "%s", r.c.p[0].message);
	rcap_free(&r);
	/* Invalid JSON in one run: that run alone is lost. */
	{
		char *bad = strdup(all), *p;

		cr_assert_not_null(bad);
		p = strstr(bad, "\"IsRunComplete\": true");
		cr_assert_not_null(p);
		memcpy(p + strlen("\"IsRunComplete\": "), "tru ", 4);
		cr_assert_eq(parse_bytes(&r, "runjson", bad, n, 0, NULL), 0);
		cr_assert_eq(r.nrun, 3);
		cr_assert_eq(r.c.np, 1);
		cr_assert(strstr(r.c.p[0].message, "object at line 2 is not valid JSON"), "%s",
			  r.c.p[0].message);
		free(bad);
	}
	rcap_free(&r);
	free(all);
}

/* More steps and errors than a run keeps (the run builder's limits, one set
 * for every run-history reader: 1000 steps a run, 200 errors kept a step);
 * an incident that failed without a cd-error. */
Test(runjson, bounds_of_a_run)
{
	struct buf t;
	struct rcap r = { 0 };
	const struct cstep *s;

	buf_init(&t, (size_t)4 << 20);
	buf_adds(&t, "{\"RunHistoryId\": \"big\", \"RunProfileName\": \"Full Import\", "
		 "\"Result\": \"completed-sync-errors\", \"RunStepResults\": [\n");
	for (int i = 1; i <= 1006; i++) {
		buf_addf(&t, "%s{\"StepNumber\": %d, \"StepResult\": \"success\"", i > 1 ? ",\n" : "",
			 i);
		if (i == 1) {
			buf_adds(&t, ", \"ConnectorConnectionInformationXml\": \"<connection-result>"
				 "dropped-connection</connection-result><connection-log><incident>"
				 "<connection-result>dropped-connection</connection-result><date>"
				 "2022-04-08 20:00:00.000</date></incident></connection-log>\", "
				 "\"SyncErrors\": {\"SyncErrorsXml\": \"<synchronization-errors>");
			for (int k = 0; k < 300; k++)
				buf_addf(&t, "<import-error dn=\\\"CN=u%d\\\"><error-type>e</error-type>"
					 "</import-error>", k);
			buf_adds(&t, "</synchronization-errors>\"}");
		}
		buf_adds(&t, "}");
	}
	buf_adds(&t, "]}\n");
	cr_assert_eq(parse_bytes(&r, "runjson", t.data, t.len, 0, NULL), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.nrun, 1);
	cr_assert_eq(r.run[0].nsteps, 1000);
	s = &r.run[0].step[0];
	cr_assert_str_eq(s->conn_result, "dropped-connection");
	cr_assert_eq(s->error_count, 301);
	cr_assert_eq(s->nerr, 200);
	cr_assert_str_eq(s->err[0].category, "connection");
	cr_assert_str_eq(s->err[0].error_type, "dropped-connection");
	cr_assert_str_eq(s->err[0].code, "");
	assert_time(s->err[0].when, "2022-04-08T20:00:00.000Z");
	cr_assert_str_eq(s->err[1].dn, "CN=u0");
	cr_assert_str_eq(s->err[199].dn, "CN=u198");
	cr_assert_eq(r.run[0].step[999].number, 1000);
	cr_assert_str_eq(r.run[0].step[999].step_class, "full-import");
	cr_assert_eq(r.c.np, 2);
	cr_assert(find_problem(&r.c, "run at line 1 has more than 1000 steps: 6 dropped"));
	cr_assert(find_problem(&r.c, "the run at line 1 has 301 errors: 101 of them are not kept"));
	rcap_free(&r);
	buf_release(&t);
}

/* ---- a million runs, streamed ------------------------------------------- */

/* A million; 200,000 under AddressSanitizer, whose allocator makes each of
 * cJSON's allocations (a dozen per run) slow: 2 x 1,000,000 runs took 10 s
 * there, 2.6 s without it. */
#if defined(__SANITIZE_ADDRESS__)
#define MANY 200000u
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MANY 200000u
#endif
#endif
#ifndef MANY
#define MANY 1000000u
#endif

/* A stream that writes "[\n{run},\n{run}...\n]\n" as it is read. */
struct gen {
	uint64_t i, n;
	char obj[512];
	size_t len, pos;
	bool head, done;
	uint64_t bytes;
};

/* Append text, or v in decimal zero-padded to width (0: as needed). */
static void
put(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	memcpy(g->obj + g->len, s, n);
	g->len += n;
}

static void
put_u64(struct gen *g, uint64_t v, int width)
{
	char d[24];
	int k = 0;

	do {
		d[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || k < width);
	while (k)
		g->obj[g->len++] = d[--k];
}

/* The next piece of the text in g->obj. */
static bool
gen_next(struct gen *g)
{
	g->len = g->pos = 0;
	if (!g->head) {
		g->head = true;
		put(g, "[\n");
	} else if (g->i < g->n) {
		uint64_t ms = UINT64_C(1649391053843) + ++g->i * 1000;

		put(g, "  {\"RunHistoryId\": \"00000000-0000-0000-0000-");
		put_u64(g, g->i, 12);
		put(g, "\", \"ConnectorName\": \"c");
		put_u64(g, g->i % 7, 0);
		put(g, "\", \"RunProfileName\": \"Delta Import\", \"RunNumber\": ");
		put_u64(g, g->i, 0);
		put(g, ", \"Result\": \"success\", \"StartDate\": \"\\/Date(");
		put_u64(g, ms, 0);
		put(g, ")\\/\", \"EndDate\": \"\\/Date(");
		put_u64(g, ms + 500, 0);
		put(g, ")\\/\", \"RunStepResults\": null}");
		put(g, g->i < g->n ? ",\n" : "\n");
	} else if (!g->done) {
		g->done = true;
		put(g, "]\n");
	} else {
		return false;
	}
	return true;
}

static long
gen_read(void *ctx, void *p, size_t n)
{
	struct gen *g = ctx;
	char *out = p;
	size_t k = 0;

	while (k < n) {
		size_t take;

		if (g->pos == g->len && !gen_next(g))
			break;
		take = g->len - g->pos < n - k ? g->len - g->pos : n - k;
		memcpy(out + k, g->obj + g->pos, take);
		g->pos += take;
		k += take;
	}
	g->bytes += k;
	return (long)k;
}

static int
count_element(void *ctx, const struct js_element *el)
{
	uint64_t *n = ctx;

	(void)el;
	(*n)++;
	return 0;
}

Test(runjson, a_million_runs_in_bounded_memory, .timeout = 120)
{
	struct gen g = { 0 };
	struct ec_stream s = { gen_read, NULL, &g };
	struct ec_options opt = { 0 };
	struct enc_guess utf8 = { ENC_UTF8, 0 };
	struct ec_sink sink = { 0 };
	struct ec_input in = { 0 };
	struct jsonstream js;
	struct rcap r = { 0 };
	uint64_t seen = 0;

	/* The element reader alone: one element at a time in a small buffer. */
	g.n = MANY;
	sink.problem = NULL;
	in.in = &s;
	in.enc = utf8;
	in.opt = &opt;
	in.sink = &sink;
	js_init(&js, &in);
	cr_assert_eq(js_finish(&js, js_read(&js, count_element, &seen)), 0);
	cr_assert_eq(seen, MANY);
	cr_assert_eq(js.elements, MANY);
	cr_assert_lt(js.peak, 400, "the largest element took %zu bytes", js.peak);
	cr_assert_leq(js.obj.cap, 512, "the element buffer grew to %zu bytes", js.obj.cap);
	cr_assert_eq(js.conv.cap, 0);
	cr_assert_gt(g.bytes, (uint64_t)MANY * 250);
	js_release(&js);

	/* The format, with records capped at 1 KiB: every run, no problem. */
	memset(&g, 0, sizeof(g));
	g.n = MANY;
	opt.max_record = 1024;
	r.count_only = true;
	cr_assert_eq(parse_stream(&r, "runjson", &s, utf8, &opt), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.c.np, 0);
	cr_assert_eq(r.nrun, MANY);
	cr_assert_eq(r.sum, (uint64_t)MANY * (MANY + 1) / 2);
	rcap_free(&r);
}

/* ---- jsonstream alone ------------------------------------------------- */

struct elems {
	size_t n;
	uint64_t line[8], offset[8];
};

static int
keep_element(void *ctx, const struct js_element *el)
{
	struct elems *e = ctx;

	if (e->n < 8) {
		e->line[e->n] = el->line;
		e->offset[e->n] = el->offset;
	}
	e->n++;
	cr_assert(cJSON_IsObject(el->json));
	cr_assert_eq(el->text[0], '{');
	return e->n == 5 ? 42 : 0;
}

Test(jsonstream, appended_values_damage_and_stop)
{
	static const char text[] =
		"{\"a\": 1}\n"			/* one object */
		"[{\"b\": [1, {\"c\": \"]}\"}]}, 3, {\"d\": tru}]\n"	/* an array */
		"junk\n"
		"[{\"e\": \"\\\"}\"}]\n"
		"{\"f\": 1}{\"g\": 2}{\"h\": 3}\n";
	struct memstream m;
	struct ec_stream s;
	struct ec_input in = { 0 };
	struct ec_options opt = { 0 };
	struct cap c = { 0 };
	struct ec_sink sink = cap_sink(&c);
	struct jsonstream js;
	struct elems e = { 0 };

	memstream_init(&m, &s, text, strlen(text));
	in.in = &s;
	in.enc = enc_sniff((const unsigned char *)text, strlen(text));
	in.opt = &opt;
	in.sink = &sink;
	js_init(&js, &in);
	/* The callback stops the read at the fifth object. */
	cr_assert_eq(js_finish(&js, js_read(&js, keep_element, &e)), 42);
	cr_assert_eq(e.n, 5);
	cr_assert_eq(e.line[0], 1);
	cr_assert_eq(e.offset[0], 0);
	cr_assert_eq(e.line[1], 2);
	cr_assert_eq(e.offset[1], 10);
	cr_assert_eq(e.line[2], 4);
	cr_assert_eq(e.line[3], 5);
	cr_assert_eq(e.line[4], 5);
	cr_assert_eq(e.offset[4], strlen(text) - strlen("{\"h\": 3}\n") - strlen("{\"g\": 2}"));
	cr_assert_eq(c.np, 3);
	cr_assert_str_eq(c.p[0].message, "element at line 2 is not an object: skipped");
	cr_assert(strstr(c.p[1].message, "object at line 2 is not valid JSON"), "%s",
		  c.p[1].message);
	cr_assert(strstr(c.p[2].message, "text outside the JSON arrays and objects at line 3"),
		  "%s", c.p[2].message);
	js_release(&js);
	cap_free(&c);
}

/* ==== runcsv ============================================================== */

#define RP_HEADER \
	"\"RunHistoryId\",\"ConnectorId\",\"ConnectorName\",\"RunProfileId\",\"RunProfileName\"," \
	"\"RunNumber\",\"Username\",\"IsRunComplete\",\"Result\",\"CurrentStepNumber\"," \
	"\"TotalSteps\",\"StartDate\",\"EndDate\",\"RunStepResults\"\r\n"
#define RSR_TYPE \
	"\"System.Collections.ObjectModel.ReadOnlyCollection`1[Microsoft.IdentityManagement." \
	"PowerShell.ObjectModel.RunStepResult]\""

/* Windows PowerShell 5.1, en-US: #TYPE, every field quoted. */
static const char csv_ps51[] =
	"#TYPE Microsoft.IdentityManagement.PowerShell.ObjectModel.RunProfileResult\r\n"
	RP_HEADER
	"\"81d206e6-392a-4485-9834-4c241723332d\",\"fffb4a69-4ed6-444d-8b89-73bc16f373dd\","
	"\"garage.mcardletech.com\",\"e73df090-c632-4a61-961a-87ae047570c8\",\"Export\",\"26147\","
	"\"NT SERVICE\\ADSync\",\"True\",\"no-start-connection\",\"1\",\"1\",\"4/8/2022 4:10:53 AM\","
	"\"4/8/2022 4:11:14 AM\"," RSR_TYPE "\r\n"
	"\"c5aba9de-a634-4d64-b4ad-c7ad337faf91\",\"b891884f-051e-4a83-95af-2544101c9083\","
	"\"mcardletech.onmicrosoft.com - AAD\",\"50b0cfe9-7f16-44ec-b539-e9c4b996a900\",\"Export\","
	"\"26148\",\"NT SERVICE\\ADSync\",\"True\",\"success\",\"1\",\"1\",\"4/8/2022 4:10:17 AM\","
	"\"4/8/2022 4:10:27 AM\"," RSR_TYPE "\r\n"
	"\"5fdc0b17-8196-484a-90f4-c5b839f95dd5\",\"fffb4a69-4ed6-444d-8b89-73bc16f373dd\","
	"\"garage.mcardletech.com\",\"95e87e52-858f-4963-a857-8a63191e30d8\","
	"\"Delta Synchronization\",\"26146\",\"NT SERVICE\\ADSync\",\"True\","
	"\"completed-sync-errors\",\"1\",\"1\",\"4/8/2022 4:09:10 AM\",\"4/8/2022 4:09:19 PM\","
	"\"\"\r\n";

Test(runcsv, ps51_with_type_line)
{
	const struct ec_format *best;
	struct rcap r = { 0 };
	struct ec_options opt = { 0 };

	cr_assert_eq(sniff_str("runcsv", csv_ps51, &best), 90);
	cr_assert_eq(best, cap_format("runcsv"));
	cr_assert_eq(sniff_str("pscsv", csv_ps51, NULL), 0);
	/* --utc-offset does not move the engine's UTC dates. */
	opt.have_offset = true;
	opt.utc_offset_min = -300;
	cr_assert_eq(parse_bytes(&r, "runcsv", csv_ps51, strlen(csv_ps51), 0, &opt), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.nrun, 3);
	cr_assert_eq(r.run[0].line, 3);
	cr_assert_str_eq(r.run[0].rhid, "81d206e6-392a-4485-9834-4c241723332d");
	cr_assert_str_eq(r.run[0].connector_id, "fffb4a69-4ed6-444d-8b89-73bc16f373dd");
	cr_assert_str_eq(r.run[0].connector, "garage.mcardletech.com");
	cr_assert_str_eq(r.run[0].profile, "Export");
	cr_assert_eq(r.run[0].run_number, 26147);
	cr_assert_str_eq(r.run[0].user, "NT SERVICE\\ADSync");
	cr_assert_str_eq(r.run[0].result_class, "no-start");
	assert_time(r.run[0].start, "2022-04-08T04:10:53.000Z");
	assert_time(r.run[0].end, "2022-04-08T04:11:14.000Z");
	cr_assert_eq(r.run[0].nsteps, 0);
	cr_assert_str_eq(r.run[1].result_class, "success");
	cr_assert_str_eq(r.run[2].result, "completed-sync-errors");
	cr_assert_str_eq(r.run[2].result_class, "completed-errors");
	assert_time(r.run[2].end, "2022-04-08T16:09:19.000Z");
	/* Month or day first (said once), and the steps that are type names. */
	cr_assert_eq(r.c.np, 2);
	cr_assert(find_problem(&r.c, "could be month/day or day/month"));
	cr_assert_eq(count_problems(&r.c, "RunStepResults is a type name in CSV"), 1);
	rcap_free(&r);
}

Test(runcsv, without_type_line_culture_and_utf16)
{
	/* PowerShell 7 -UseCulture in de-DE: no #TYPE, ';', day first. */
	static const char de[] =
		"RunHistoryId;ConnectorName;RunProfileName;RunNumber;Result;StartDate;EndDate\n"
		"a1;contoso.com;Delta Import;12;success;08.04.2022 20:13:31;08.04.2022 20:13:52\n"
		"a2;contoso.com;Delta Import;13;completed-warnings;13.04.2022 20:13:31;"
		"13.04.2022 20:14:00\n";
	struct rcap r = { 0 }, u = { 0 };
	unsigned char *w;
	size_t n;

	cr_assert_eq(sniff_str("runcsv", de, NULL), 90);
	cr_assert_eq(parse_str(&r, "runcsv", de), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.nrun, 2);
	assert_time(r.run[0].start, "2022-04-08T20:13:31.000Z");
	assert_time(r.run[1].end, "2022-04-13T20:14:00.000Z");
	cr_assert_str_eq(r.run[1].result_class, "completed-warnings");
	cr_assert_eq(r.run[1].run_number, 13);
	/* UTF-16LE (Export-Csv -Encoding Unicode), a byte at a time. */
	w = to_utf16le(de, &n);
	cr_assert_eq(parse_bytes(&u, "runcsv", w, n, 1, NULL), 0);
	assert_same_runs(&r, &u);
	free(w);
	rcap_free(&u);
	rcap_free(&r);

	w = to_utf16le(csv_ps51, &n);
	cr_assert_eq(parse_str(&r, "runcsv", csv_ps51), 0);
	cr_assert_eq(parse_bytes(&u, "runcsv", w, n, 7, NULL), 0);
	assert_same_runs(&r, &u);
	free(w);
	rcap_free(&u);
	rcap_free(&r);
}

/* The jpazureid collector: Select-Object RunNumber,RunHistoryId,ConnectorName,
 * RunProfileName,Result,StartDate,EndDate | Export-Csv -NoTypeInformation
 * (here in ja-JP), with a quoted multi-line field, a quote not closed in a
 * row and one not closed at the end. */
Test(runcsv, collector_csv_and_damage)
{
	static const char text[] =
		"\"RunNumber\",\"RunHistoryId\",\"ConnectorName\",\"RunProfileName\",\"Result\","
		"\"StartDate\",\"EndDate\"\r\n"
		"\"26147\",\"81d206e6\",\"garage.mcardletech.com\",\"Export\",\"no-start-connection\","
		"\"2022/04/08 4:10:53\",\"2022/04/08 4:11:14\"\r\n"
		"\"26148\",\"c5aba9de\",\"two\r\nlines\",\"Export\",\"success\","
		"\"2022/04/08 4:10:17\",\"2022/04/08 4:10:27\"\r\n"
		"\"26149\",\"d0\",\"broken,\"Export\",\"success\",\"2022/04/08 5:00:00\","
		"\"2022/04/08 5:00:01\"\r\n"
		"\"26150\",\"e1\",\"contoso.com\",\"Export\",\"some-new-result\","
		"\"2022/04/08 6:00:00\",\"2022/04/08 6:00:01\"\r\n"
		"\"26151\",\"f2\",\"cut";
	struct rcap r = { 0 };

	cr_assert_eq(sniff_str("runcsv", text, NULL), 90);
	cr_assert_eq(parse_str(&r, "runcsv", text), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.nrun, 3);
	cr_assert_eq(r.run[0].run_number, 26147);
	cr_assert_str_eq(r.run[0].rhid, "81d206e6");
	cr_assert_str_eq(r.run[0].result_class, "no-start");
	assert_time(r.run[0].start, "2022-04-08T04:10:53.000Z");
	cr_assert_str_eq(r.run[0].connector_id, "");
	cr_assert_str_eq(r.run[0].user, "");
	cr_assert_str_eq(r.run[1].connector, "two\nlines");
	cr_assert_eq(r.run[1].line, 3);
	/* The row with the stray quote is reported and skipped, the next read. */
	cr_assert_eq(r.run[2].run_number, 26150);
	cr_assert_eq(r.run[2].line, 6);
	cr_assert_str_eq(r.run[2].result, "some-new-result");
	cr_assert_str_eq(r.run[2].result_class, "unknown");
	cr_assert(find_problem(&r.c, "row at line 5 has 6 columns, the header 7: skipped"));
	cr_assert(find_problem(&r.c, "quote not doubled inside a quoted field of the record "
				     "starting at line 5"));
	cr_assert(find_problem(&r.c, "the input ends inside a quoted field of the record starting "
				     "at line 7"));
	cr_assert(find_problem(&r.c, "row at line 7 has 3 columns"));
	rcap_free(&r);
}

/* Get-ADSyncRunStepResult | Export-Csv: steps, grouped by RunHistoryId. */
Test(runcsv, step_results)
{
	static const char text[] =
		"#TYPE Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResult\r\n"
		"\"RunHistoryId\",\"StepHistoryId\",\"StepNumber\",\"StepResult\",\"StartDate\","
		"\"EndDate\",\"StageNoChange\",\"StageAdd\",\"ConnectorFlow\",\"ExportFailure\","
		"\"ConnectorConnectionInformationXml\",\"SyncErrors\",\"StepXml\"\r\n"
		"\"r1\",\"s2\",\"2\",\"success\",\"2022-04-08 20:13:31Z\",\"2022-04-08 20:13:40Z\","
		"\"0\",\"5\",\"1\",\"0\",\"\",\"Microsoft.IdentityManagement.PowerShell.ObjectModel."
		"RunStepResultSyncErrors\",\"<step-description><step-type type=\"\"apply-rules\"\">"
		"<apply-rules-subtype>apply-pending</apply-rules-subtype></step-type>"
		"</step-description>\"\r\n"
		"\"r1\",\"s1\",\"1\",\"stopped-server-down\",\"4/8/2022 8:13:00 PM\","
		"\"4/8/2022 8:13:30 PM\",\"0\",\"0\",\"0\",\"0\",\"" CONN_XML "\",\"\",\"\"\r\n"
		"\"r9\",\"s9\",\"1\",\"success\",\"\",\"\",\"1\",\"2\",\"3\",\"4\",\"\",\"\",\"\"\r\n";
	struct rcap r = { 0 };
	const struct cstep *s;

	cr_assert_eq(sniff_str("runcsv", text, NULL), 90);
	cr_assert_eq(parse_str(&r, "runcsv", text), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.nrun, 2);
	cr_assert_str_eq(r.run[0].rhid, "r1");
	cr_assert_eq(r.run[0].line, 3);
	cr_assert_eq(r.run[0].nsteps, 2);
	assert_time(r.run[0].start, "2022-04-08T20:13:00.000Z");
	assert_time(r.run[0].end, "2022-04-08T20:13:40.000Z");
	s = &r.run[0].step[0];
	cr_assert_eq(s->number, 2);
	cr_assert_str_eq(s->type, "apply-rules");
	cr_assert_str_eq(s->subtype, "apply-pending");
	cr_assert_str_eq(s->step_class, "delta-sync");
	cr_assert_eq(s->ncounters, 4);
	cr_assert_str_eq(counter_of(s, "stage-add"), "5");
	cr_assert_str_eq(counter_of(s, "connector-flow"), "1");
	cr_assert_eq(s->error_count, -1);
	s = &r.run[0].step[1];
	cr_assert_str_eq(s->result_class, "stopped");
	cr_assert_str_eq(s->conn_result, "failed-connection");
	cr_assert_eq(s->nerr, 1);
	cr_assert_str_eq(s->err[0].code, "0x51");
	cr_assert_str_eq(r.run[1].rhid, "r9");
	cr_assert_str_eq(counter_of(&r.run[1].step[0], "export-failure"), "4");
	assert_time(r.run[1].start, NULL);
	rcap_free(&r);
}

/* ==== runlist ============================================================= */

/* Get-ADSyncRunProfileResult | fl, then Get-ADSyncRunStepResult | fl, in an
 * 80-column console: Format-List word-wraps (indented) and the console cuts
 * lines in the middle of words (not indented). */
static const char fl_text[] =
	"PS C:\\> Get-ADSyncRunProfileResult -RunHistoryId 5fdc0b17-8196-484a-90f4-c5b839f95dd5 | fl\r\n"
	"\r\n"
	"\r\n"
	"RunHistoryId      : 5fdc0b17-8196-484a-90f4-c5b839f95dd5\r\n"
	"ConnectorId       : fffb4a69-4ed6-444d-8b89-73bc16f373dd\r\n"
	"ConnectorName     : garage.mcardletech.com\r\n"
	"RunProfileId      : 95e87e52-858f-4963-a857-8a63191e30d8\r\n"
	"RunProfileName    : Delta Import (garage.mcardletech.com, all partitions,\r\n"
	"                    nightly window)\r\n"
	"RunNumber         : 26146\r\n"
	"Username          : NT SERVICE\\ADSync\r\n"
	"IsRunComplete     : True\r\n"
	"Result            : stopped-connectivity\r\n"
	"CurrentStepNumber : 1\r\n"
	"TotalSteps        : 1\r\n"
	"StartDate         : 4/8/2022 8:13:31 PM\r\n"
	"EndDate           : 4/8/2022 8:13:52 PM\r\n"
	"RunStepResults    : {Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStep\r\n"
	"                    Result}\r\n"
	"\r\n"
	"\r\n"
	"\r\n"
	"PS C:\\> Get-ADSyncRunStepResult -RunHistoryId 5fdc0b17-8196-484a-90f4-c5b839f95dd5 | fl\r\n"
	"\r\n"
	"\r\n"
	"RunHistoryId                      : 5fdc0b17-8196-484a-90f4-c5b839f95dd5\r\n"
	"StepHistoryId                     : 0d16be50-fb6a-4cdc-b528-59b41d3f41a3\r\n"
	"StepNumber                        : 1\r\n"
	"StepResult                        : stopped-connectivity\r\n"
	"StartDate                         : 2022-04-08T20:13:31.163\r\n"
	"EndDate                           : 2022-04-08T20:13:52.223\r\n"
	"StageNoChange                     : 0\r\n"
	"StageAdd                          : 3\r\n"
	"StageUpdate                       : 0\r\n"
	"StageFailure                      : 0\r\n"
	"ConnectorFlow                     : 23\r\n"
	"FlowFailure                       : 0\r\n"
	"ExportAdd                         : 0\r\n"
	"ExportFailure                     : 0\r\n"
	"CurrentExportBatchNumber          : 0\r\n"
	"StepFileName                      : \r\n"
	"ConnectorConnectionInformationXml : <connection-result>failed-connection</connec\r\n"
	"tion-result><server>10.2.3.4:389</server><connection-log><incident><connection-r\r\n"
	"esult>failed-connection</connection-result><date>2022-04-08 20:13:52.177</date><\r\n"
	"server>10.2.3.4:389</server><cd-error><error-code>0x51</error-code><error-litera\r\n"
	"l>Server Down</error-literal></cd-error></incident></connection-log>\r\n"
	"ConnectorDiscoveryErrors          : Microsoft.IdentityManagement.PowerShell.Obje\r\n"
	"ctModel.RunStepResultConnectorDiscoveryErrors\r\n"
	"SyncErrors                        : Microsoft.IdentityManagement.PowerShell.Obje\r\n"
	"ctModel.RunStepResultSyncErrors\r\n"
	"StepXml                           : <step-description><step-type\r\n"
	"                                    type=\"delta-import\"><import-subtype>to-cs</i\r\n"
	"                                    mport-subtype></step-type><partition>DC=gara\r\n"
	"                                    ge,DC=mcardletech,DC=com</partition></step-d\r\n"
	"                                    escription>\r\n"
	"\r\n"
	"RunHistoryId : 11111111-2222-3333-4444-555555555555\r\n"
	"StepNumber   : 1\r\n"
	"StepResult   : success\r\n"
	"StartDate    : 2022-04-08T21:00:00\r\n"
	"\r\n";

Test(runlist, wrapped_values_and_steps_attached)
{
	const struct ec_format *best;
	const struct cstep *s;
	struct rcap r = { 0 };

	cr_assert_eq(sniff_str("runlist", fl_text, &best), 90);
	cr_assert_eq(best, cap_format("runlist"));
	cr_assert_eq(parse_str(&r, "runlist", fl_text), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.nrun, 2);
	cr_assert_eq(r.run[0].line, 4);
	cr_assert_str_eq(r.run[0].rhid, "5fdc0b17-8196-484a-90f4-c5b839f95dd5");
	cr_assert_str_eq(r.run[0].connector_id, "fffb4a69-4ed6-444d-8b89-73bc16f373dd");
	cr_assert_str_eq(r.run[0].connector, "garage.mcardletech.com");
	/* Word-wrapped by Format-List: joined with the space it dropped. */
	cr_assert_str_eq(r.run[0].profile,
			 "Delta Import (garage.mcardletech.com, all partitions, nightly window)");
	cr_assert_eq(r.run[0].run_number, 26146);
	cr_assert_str_eq(r.run[0].user, "NT SERVICE\\ADSync");
	cr_assert_str_eq(r.run[0].result_class, "stopped");
	assert_time(r.run[0].start, "2022-04-08T20:13:31.000Z");
	assert_time(r.run[0].end, "2022-04-08T20:13:52.000Z");
	cr_assert_eq(r.run[0].nsteps, 1);
	s = &r.run[0].step[0];
	cr_assert_eq(s->number, 1);
	cr_assert_str_eq(s->result, "stopped-connectivity");
	assert_time(s->start, "2022-04-08T20:13:31.163Z");
	assert_time(s->end, "2022-04-08T20:13:52.223Z");
	cr_assert_eq(s->ncounters, 8);
	cr_assert_str_eq(counter_of(s, "stage-add"), "3");
	cr_assert_str_eq(counter_of(s, "connector-flow"), "23");
	/* Cut mid-word by the console: joined as it was. */
	cr_assert_str_eq(s->conn_result, "failed-connection");
	cr_assert_str_eq(s->conn_server, "10.2.3.4:389");
	cr_assert_eq(s->nerr, 1);
	cr_assert_str_eq(s->err[0].category, "connection");
	cr_assert_str_eq(s->err[0].error_type, "failed-connection");
	cr_assert_str_eq(s->err[0].code, "0x51");
	cr_assert_str_eq(s->err[0].detail, "Server Down");
	assert_time(s->err[0].when, "2022-04-08T20:13:52.177Z");
	cr_assert_eq(s->error_count, -1);
	/* Word-wrapped XML (a space back in the tag) and a cut inside a name. */
	cr_assert_str_eq(s->type, "delta-import");
	cr_assert_str_eq(s->subtype, "to-cs");
	cr_assert_str_eq(s->step_class, "delta-import");
	/* A step of another run: a run of its own. */
	cr_assert_str_eq(r.run[1].rhid, "11111111-2222-3333-4444-555555555555");
	cr_assert_eq(r.run[1].line, 57);
	cr_assert_eq(r.run[1].nsteps, 1);
	cr_assert_str_eq(r.run[1].result_class, "success");
	assert_time(r.run[1].start, "2022-04-08T21:00:00.000Z");
	/* Only the month/day question of "4/8/2022". */
	cr_assert_eq(r.c.np, 1);
	cr_assert(find_problem(&r.c, "could be month/day or day/month"));
	rcap_free(&r);
}

/* The jpazureid collector's Get-ADSyncRunStepResult.txt (Out-File, UTF-16LE):
 * step blocks, the steps' SyncErrorsXml, a line of '='; and a run whose
 * steps are not in the text. */
Test(runlist, collector_step_file_with_errors_xml)
{
	static const char text[] =
		"\r\n"
		"\r\n"
		"RunHistoryId  : aaaa\r\n"
		"StepHistoryId : s1\r\n"
		"StepNumber    : 1\r\n"
		"StepResult    : completed-sync-errors\r\n"
		"StartDate     : 2022/04/08 20:13:31\r\n"
		"EndDate       : 2022/04/08 20:13:40\r\n"
		"SyncErrors    : Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResultSyncErrors\r\n"
		"\r\n"
		"\r\n"
		"<synchronization-errors><import-error cs-guid=\"{1}\" dn=\"CN=Ann,DC=contoso,DC=com\">\r\n"
		"  <date-occurred>2022-04-08 20:13:35.000</date-occurred>\r\n"
		"  <error-type>ma-extension-error</error-type>\r\n"
		"  <extension-error-info><call-stack>boom</call-stack></extension-error-info>\r\n"
		"</import-error></synchronization-errors>\r\n"
		"==============================\r\n"
		"\r\n"
		"RunHistoryId      : bbbb\r\n"
		"ConnectorName     : contoso.com\r\n"
		"RunProfileName    : Export\r\n"
		"Result            : mystery\r\n"
		"RunStepResults    : {Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResult}\r\n"
		"\r\n";
	struct rcap r = { 0 };
	unsigned char *w;
	size_t n;

	cr_assert_eq(sniff_str("runlist", text, NULL), 90);
	w = to_utf16le(text, &n);
	cr_assert_eq(parse_bytes(&r, "runlist", w, n, 5, NULL), 0);
	dump_problems(&r.c);
	cr_assert_eq(r.nrun, 2);
	cr_assert_str_eq(r.run[0].rhid, "aaaa");
	cr_assert_eq(r.run[0].nsteps, 1);
	assert_time(r.run[0].start, "2022-04-08T20:13:31.000Z");
	cr_assert_eq(r.run[0].step[0].error_count, 1);
	cr_assert_eq(r.run[0].step[0].nerr, 1);
	cr_assert_str_eq(r.run[0].step[0].err[0].category, "sync");
	cr_assert_str_eq(r.run[0].step[0].err[0].dn, "CN=Ann,DC=contoso,DC=com");
	cr_assert_str_eq(r.run[0].step[0].err[0].error_type, "ma-extension-error");
	cr_assert_str_eq(r.run[0].step[0].err[0].detail, "boom");
	assert_time(r.run[0].step[0].err[0].when, "2022-04-08T20:13:35.000Z");
	cr_assert_str_eq(r.run[1].result, "mystery");
	cr_assert_str_eq(r.run[1].result_class, "unknown");
	cr_assert_eq(r.run[1].nsteps, 0);
	cr_assert_eq(r.c.np, 1);
	cr_assert(find_problem(&r.c, "RunStepResults shows type names in Format-List"));
	free(w);
	rcap_free(&r);
}

/* ==== sniffing ============================================================ */

Test(sniff, each_shape_to_its_reader)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[{\"RunHistoryId\": \"x\", \"Result\": \"success\"}]", "runjson" },
		{ "\xEF\xBB\xBF  {\r\n \"RunProfileName\": \"Export\"}", "runjson" },
		{ "{\"StepHistoryId\": \"s\", \"RunHistoryId\": \"x\", \"StepNumber\": 1}", "runjson" },
		{ "\"RunNumber\",\"RunHistoryId\",\"ConnectorName\",\"RunProfileName\",\"Result\","
		  "\"StartDate\",\"EndDate\"\r\n", "runcsv" },
		{ "#TYPE Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResult\r\n"
		  "\"a\"\r\n", "runcsv" },
		{ "RunNumber,MaName,RunProfile,RunStatus,RunStartTime,RunEndTime,PSComputerName\n",
		  "runcsv" },
		{ "RunHistoryId  : x\nStepHistoryId : y\nStepNumber    : 1\n", "runlist" },
	};
	static const char *const not_runs[] = {
		"[{\"ProviderName\": \"ADSync\", \"RunHistoryId\": \"x\", \"Id\": 6100}]",
		"{\"Name\": \"RunHistoryId\"}",
		"RunHistoryId : x\nSomething : y\n",
		"Message,Id,ProviderName,TimeCreated\n",
		"#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\n\"Message\"\n",
		"RunNumber,Result\n",
	};
	static const char *const ours[] = { "runjson", "runcsv", "runlist" };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ec_format *best;

		cr_assert_eq(sniff_str(cases[i].want, cases[i].text, &best), 90, "%s", cases[i].text);
		cr_assert_eq(best, cap_format(cases[i].want), "%s", cases[i].text);
		for (size_t k = 0; k < 3; k++) {
			if (strcmp(ours[k], cases[i].want))
				cr_assert_eq(sniff_str(ours[k], cases[i].text, NULL), 0, "%s: %s",
					     ours[k], cases[i].text);
		}
	}
	for (size_t i = 0; i < sizeof(not_runs) / sizeof(not_runs[0]); i++) {
		for (size_t k = 0; k < 3; k++)
			cr_assert_eq(sniff_str(ours[k], not_runs[i], NULL), 0, "%s: %s", ours[k],
				     not_runs[i]);
	}
}

/* The global settings in Format-List belong to another reader. */
Test(sniff, global_settings_format_list_is_not_a_run)
{
	const char *path = corpus_path(GLOBALSETTINGS);
	const struct ec_format *best;
	size_t n;
	char *all;

	if (!path)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", GLOBALSETTINGS);
	all = slurp(path, &n);
	cr_assert_not_null(all);
	cr_assert_eq(sniff_text("runlist", all, n, &best), 0);
	cr_assert_neq(best, cap_format("runlist"));
	cr_assert_eq(sniff_text("runjson", all, n, NULL), 0);
	cr_assert_eq(sniff_text("runcsv", all, n, NULL), 0);
	free(all);
}
