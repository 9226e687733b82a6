/* SPDX-License-Identifier: MIT */
/* test_parser_runxml.c - the sync engine's run history as XML: the
 * run-history XML of MIIS_RunHistory.RunDetails() ("runxml": the two corpus
 * samples to the counter, constructed files with errors of every category,
 * encodings, several documents, damage, caps) and PowerShell CLIXML of
 * Get-ADSyncRunProfileResult / Get-ADSyncRunStepResult objects
 * ("runclixml": constructed Export-Clixml files, type name and object
 * references, Nil, dates with zones, the XML held in string properties).
 * Runs are copied by a run-capturing sink of this file around the shared
 * capture sink (which copies events, facts and problems). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/stream.h"
#include "common/timeutil.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

#define RH01 "text/runhistory/poshmon_runhistory_01_line41_DS_DELTAIMPORT_stopped-connectivity+success.xml"
#define RH02 "text/runhistory/poshmon_runhistory_02_line217_DS_DELTASYNC_success.xml"
#define PSNS "xmlns=\"http://schemas.microsoft.com/powershell/2004/04\""

/* ---- a sink that copies runs ------------------------------------------- */

struct cerr {
	char *category, *dn, *type, *code, *detail;
	struct ec_time when;
};

struct cstep {
	int64_t number, error_count;
	char *type, *subtype, *cls, *result, *rcls, *conn, *server;
	struct ec_time start, end;
	size_t nctr;
	char **cname, **cval;
	size_t nerr;
	struct cerr *err;
};

struct crun {
	uint64_t line;
	int64_t run_number;
	char *connector, *connector_id, *profile, *rhid, *user, *result, *rcls;
	struct ec_time start, end;
	size_t nsteps;
	struct cstep *steps;
};

/* The shared capture first: the sink's ctx is both. */
struct rcap {
	struct cap c;
	struct crun *runs;
	size_t nruns;
	size_t stop_at;		/* the run callback returns 9 at this run (1-based) */
};

static char *
dup(struct sv v)
{
	char *s = malloc(v.n + 1);

	cr_assert_not_null(s);
	if (v.n)
		memcpy(s, v.p, v.n);
	s[v.n] = '\0';
	return s;
}

static int
r_run(void *ctx, const struct ec_run *r)
{
	struct rcap *rc = ctx;
	struct crun *o;

	rc->runs = realloc(rc->runs, (rc->nruns + 1) * sizeof(*rc->runs));
	cr_assert_not_null(rc->runs);
	o = &rc->runs[rc->nruns++];
	o->line = r->line;
	o->run_number = r->run_number;
	o->connector = dup(r->connector);
	o->connector_id = dup(r->connector_id);
	o->profile = dup(r->profile);
	o->rhid = dup(r->run_history_id);
	o->user = dup(r->user);
	o->result = dup(r->result);
	o->rcls = dup(sv_cstr(r->result_class));
	o->start = r->start;
	o->end = r->end;
	o->nsteps = r->nsteps;
	o->steps = calloc(r->nsteps + 1, sizeof(*o->steps));
	cr_assert_not_null(o->steps);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct ec_run_step *s = &r->steps[i];
		struct cstep *d = &o->steps[i];

		d->number = s->step_number;
		d->error_count = s->error_count;
		d->type = dup(s->step_type);
		d->subtype = dup(s->step_subtype);
		d->cls = dup(sv_cstr(s->step_class));
		d->result = dup(s->result);
		d->rcls = dup(sv_cstr(s->result_class));
		d->conn = dup(s->connection_result);
		d->server = dup(s->connection_server);
		d->start = s->start;
		d->end = s->end;
		d->nctr = s->ncounters;
		d->cname = calloc(s->ncounters + 1, sizeof(char *));
		d->cval = calloc(s->ncounters + 1, sizeof(char *));
		cr_assert(d->cname && d->cval);
		for (size_t k = 0; k < s->ncounters; k++) {
			d->cname[k] = dup(s->counters[k].name);
			d->cval[k] = dup(s->counters[k].value);
		}
		d->nerr = s->nerrors;
		d->err = calloc(s->nerrors + 1, sizeof(*d->err));
		cr_assert_not_null(d->err);
		for (size_t k = 0; k < s->nerrors; k++) {
			const struct ec_run_error *e = &s->errors[k];

			d->err[k].category = dup(e->category);
			d->err[k].dn = dup(e->dn);
			d->err[k].type = dup(e->error_type);
			d->err[k].code = dup(e->code);
			d->err[k].detail = dup(e->detail);
			d->err[k].when = e->when;
		}
	}
	return rc->stop_at && rc->nruns == rc->stop_at ? 9 : 0;
}

static void
rcap_free(struct rcap *rc)
{
	for (size_t i = 0; i < rc->nruns; i++) {
		struct crun *r = &rc->runs[i];

		for (size_t k = 0; k < r->nsteps; k++) {
			struct cstep *s = &r->steps[k];

			for (size_t j = 0; j < s->nctr; j++) {
				free(s->cname[j]);
				free(s->cval[j]);
			}
			for (size_t j = 0; j < s->nerr; j++) {
				free(s->err[j].category);
				free(s->err[j].dn);
				free(s->err[j].type);
				free(s->err[j].code);
				free(s->err[j].detail);
			}
			free(s->cname);
			free(s->cval);
			free(s->err);
			free(s->type);
			free(s->subtype);
			free(s->cls);
			free(s->result);
			free(s->rcls);
			free(s->conn);
			free(s->server);
		}
		free(r->steps);
		free(r->connector);
		free(r->connector_id);
		free(r->profile);
		free(r->rhid);
		free(r->user);
		free(r->result);
		free(r->rcls);
	}
	free(rc->runs);
	cap_free(&rc->c);
	memset(rc, 0, sizeof(*rc));
}

/* Parse n bytes with format fmt as the walker would (encoding sniffed from
 * the first 64 KiB), at most chunk bytes per read (0: any). */
static int
rparse(struct rcap *rc, const char *fmt, const void *data, size_t n, size_t chunk)
{
	static const struct ec_options opt;
	struct ec_sink sink = cap_sink(&rc->c);
	struct memstream m;
	struct ec_stream s;
	struct ec_input in;

	sink.ctx = rc;
	sink.run = r_run;
	memstream_init(&m, &s, data, n);
	m.chunk = chunk;
	in.in = &s;
	in.enc = enc_sniff(data, n < 65536 ? n : 65536);
	in.name = NULL;
	in.opt = &opt;
	in.sink = &sink;
	return cap_format(fmt)->parse(&in);
}

static int
rparse_str(struct rcap *rc, const char *fmt, const char *text)
{
	return rparse(rc, fmt, text, strlen(text), 0);
}

/* The value of a step's counter, or NULL. */
static const char *
counter(const struct cstep *s, const char *name)
{
	for (size_t i = 0; i < s->nctr; i++) {
		if (!strcmp(s->cname[i], name))
			return s->cval[i];
	}
	return NULL;
}

static int64_t
utc(int y, int mo, int d, int h, int mi, int s, int ms)
{
	struct civil c = { y, mo, d, h, mi, s, ms };

	return civil_to_ms(&c);
}

#define assert_time(t, Y, MO, D, H, MI, S, MS)                                                 \
	do {                                                                                   \
		int64_t want_ = utc(Y, MO, D, H, MI, S, MS);                                   \
		cr_assert_eq((t).q, TQ_EXACT);                                                 \
		cr_assert_eq((t).ms, want_, "%lld != %lld", (long long)(t).ms, (long long)want_); \
	} while (0)

/* Line (from 1) of the nth (from 1) occurrence of needle in text. */
static uint64_t
line_of(const char *text, const char *needle, int nth)
{
	const char *p = text;
	uint64_t line = 1;

	for (int i = 0; i < nth; i++) {
		p = strstr(i ? p + 1 : p, needle);
		cr_assert_not_null(p, "'%s' not in the text", needle);
	}
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* UTF-8 to UTF-16 (LE or BE, with a byte-order mark if bom); caller frees. */
static unsigned char *
to_utf16(const char *s, bool be, bool bom, size_t *n)
{
	size_t len = strlen(s), k = 0;
	unsigned char *u = malloc(4 * len + 4);

	cr_assert_not_null(u);
	if (bom) {
		u[k++] = be ? 0xFE : 0xFF;
		u[k++] = be ? 0xFF : 0xFE;
	}
	for (size_t i = 0; i < len;) {
		unsigned char b = (unsigned char)s[i++];
		unsigned cp = b, units[2];
		int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3, nu = 1;

		if (extra)
			cp = b & (0x3F >> extra);
		for (int e = 0; e < extra; e++)
			cp = (cp << 6) | ((unsigned char)s[i++] & 0x3F);
		units[0] = cp;
		if (cp >= 0x10000) {
			units[0] = 0xD800 + ((cp - 0x10000) >> 10);
			units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
			nu = 2;
		}
		for (int j = 0; j < nu; j++) {
			u[k++] = (unsigned char)(be ? units[j] >> 8 : units[j] & 0xFF);
			u[k++] = (unsigned char)(be ? units[j] & 0xFF : units[j] >> 8);
		}
	}
	*n = k;
	return u;
}

/* What a format's sniffer says of bytes, as the walker hands them. */
static int
sniff_bytes(const char *fmt, const void *data, size_t n, const struct ec_format **best)
{
	struct ec_sniff s = { 0 };
	struct buf t;
	int score;

	buf_init(&t, (size_t)1 << 24);
	s.raw = data;
	s.raw_len = n;
	s.enc = enc_sniff(data, n);
	if (s.enc.enc == ENC_UTF16LE || s.enc.enc == ENC_UTF16BE)
		utf16_to_utf8(&t, s.raw + s.enc.bom, n - s.enc.bom, s.enc.enc == ENC_UTF16BE);
	else
		buf_add(&t, s.raw + s.enc.bom, n - s.enc.bom);
	s.text = t.data;
	s.text_len = t.len;
	if (best)
		*best = ec_format_sniff(&s);
	score = cap_format(fmt)->sniff(&s);
	buf_release(&t);
	return score;
}

static int
sniff_str(const char *fmt, const char *text, const struct ec_format **best)
{
	return sniff_bytes(fmt, text, strlen(text), best);
}

static char *
corpus_or_skip(const char *rel, size_t *n)
{
	const char *path = corpus_path(rel);
	char *all;

	if (!path)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", rel);
	all = slurp(path, n);
	cr_assert_not_null(all, "cannot read %s", path);
	return all;
}

/* ---- runxml: the corpus ------------------------------------------------- */

static const char *const counters30[] = {
	"stage-no-change", "stage-add", "stage-update", "stage-rename", "stage-delete",
	"stage-delete-add", "stage-failure", "disconnector-filtered",
	"disconnector-joined-no-flow", "disconnector-joined-flow",
	"disconnector-joined-remove-mv", "disconnector-projected-no-flow",
	"disconnector-projected-flow", "disconnector-projected-remove-mv", "disconnector-remains",
	"connector-filtered-remove-mv", "connector-filtered-leave-mv", "connector-flow",
	"connector-flow-remove-mv", "connector-no-flow", "connector-delete-remove-mv",
	"connector-delete-leave-mv", "connector-delete-add-processed", "flow-failure",
	"export-add", "export-update", "export-rename", "export-delete", "export-delete-add",
	"export-failure",
};

/* Every staging, inbound and export counter is there, in file order after
 * the first skip ones. */
static void
assert_counters30(const struct cstep *s, size_t skip)
{
	cr_assert_eq(s->nctr, skip + 30, "%zu counters", s->nctr);
	for (size_t i = 0; i < 30; i++)
		cr_assert_str_eq(s->cname[skip + i], counters30[i]);
}

static void
check_rh01(const struct rcap *rc)
{
	const struct crun *r;
	const struct cstep *s;
	const struct cerr *e;

	cr_assert_eq(rc->c.np, 0, "%zu problems", rc->c.np);
	cr_assert_eq(rc->nruns, 1);
	r = &rc->runs[0];
	cr_assert_eq(r->line, 3);
	cr_assert_str_eq(r->connector, "MOSSAD-company");
	cr_assert_str_eq(r->connector_id, "85098734-66BC-4938-8122-C5F585F463D0");
	cr_assert_str_eq(r->profile, "DS_DELTAIMPORT");
	cr_assert_str_eq(r->user, "domain\\serviceacc");
	cr_assert_str_eq(r->rhid, "");
	cr_assert_eq(r->run_number, 1879);
	cr_assert_str_eq(r->result, "stopped-connectivity");
	cr_assert_str_eq(r->rcls, "stopped");
	assert_time(r->start, 2017, 1, 4, 23, 0, 35, 380);
	assert_time(r->end, 2017, 1, 4, 23, 0, 58, 987);
	cr_assert_eq(r->nsteps, 2);

	s = &r->steps[0];
	cr_assert_eq(s->number, 2);
	cr_assert_str_eq(s->type, "delta-import");
	cr_assert_str_eq(s->subtype, "to-cs");
	cr_assert_str_eq(s->cls, "delta-import");
	cr_assert_str_eq(s->result, "stopped-connectivity");
	cr_assert_str_eq(s->rcls, "stopped");
	assert_time(s->start, 2017, 1, 4, 23, 0, 55, 253);
	assert_time(s->end, 2017, 1, 4, 23, 0, 58, 987);
	cr_assert_str_eq(s->conn, "failed-search");
	cr_assert_str_eq(s->server, "DC01.ab.company.com:389");
	assert_counters30(s, 0);
	for (size_t i = 0; i < s->nctr; i++)
		cr_assert_str_eq(s->cval[i], "0");
	cr_assert_eq(s->error_count, 1);
	cr_assert_eq(s->nerr, 1);
	e = &s->err[0];
	cr_assert_str_eq(e->category, "connection");
	cr_assert_str_eq(e->dn, "");
	cr_assert_str_eq(e->type, "failed-search");
	cr_assert_str_eq(e->code, "8453");
	cr_assert_str_eq(e->detail, "Replication access was denied.\n00002105: LdapErr: DSID-adcv, "
			 "comment: Error processing control, data 0, v1db1");
	assert_time(e->when, 2017, 1, 4, 23, 0, 58, 957);

	s = &r->steps[1];
	cr_assert_eq(s->number, 1);
	cr_assert_str_eq(s->type, "delta-import");
	cr_assert_str_eq(s->subtype, "to-cs");
	cr_assert_str_eq(s->cls, "delta-import");
	cr_assert_str_eq(s->result, "success");
	cr_assert_str_eq(s->rcls, "success");
	assert_time(s->start, 2017, 1, 4, 23, 0, 35, 380);
	assert_time(s->end, 2017, 1, 4, 23, 0, 55, 223);
	cr_assert_str_eq(s->conn, "success");
	cr_assert_str_eq(s->server, "dc.company.com:389");
	cr_assert_str_eq(s->cname[0], "filtered-objects");
	assert_counters30(s, 1);
	cr_assert_str_eq(counter(s, "filtered-objects"), "46");
	cr_assert_str_eq(counter(s, "stage-add"), "3");
	cr_assert_str_eq(counter(s, "stage-update"), "27");
	cr_assert_str_eq(counter(s, "stage-rename"), "2");
	cr_assert_str_eq(counter(s, "stage-no-change"), "0");
	cr_assert_str_eq(counter(s, "export-failure"), "0");
	/* Its connection log has one incident, a success: not an error. */
	cr_assert_eq(s->error_count, 0);
	cr_assert_eq(s->nerr, 0);
}

static void
check_rh02(const struct rcap *rc)
{
	const struct crun *r;
	const struct cstep *s;

	cr_assert_eq(rc->c.np, 0, "%zu problems", rc->c.np);
	cr_assert_eq(rc->nruns, 1);
	r = &rc->runs[0];
	cr_assert_eq(r->line, 3);
	cr_assert_str_eq(r->connector, "MOSSAD-company");
	cr_assert_str_eq(r->connector_id, "12345678-66BC-4938-8122-C5F585F463D0");
	cr_assert_str_eq(r->profile, "DS_DELTASYNC");
	cr_assert_str_eq(r->user, "Domain\\ServiceAccount");
	cr_assert_eq(r->run_number, 1882);
	cr_assert_str_eq(r->result, "success");
	cr_assert_str_eq(r->rcls, "success");
	assert_time(r->start, 2017, 1, 4, 23, 4, 33, 303);
	assert_time(r->end, 2017, 1, 4, 23, 5, 4, 490);
	cr_assert_eq(r->nsteps, 2);

	s = &r->steps[0];
	cr_assert_eq(s->number, 2);
	cr_assert_str_eq(s->type, "apply-rules");
	cr_assert_str_eq(s->subtype, "apply-pending");
	cr_assert_str_eq(s->cls, "delta-sync");
	cr_assert_str_eq(s->result, "success");
	cr_assert_str_eq(s->rcls, "success");
	assert_time(s->start, 2017, 1, 4, 23, 5, 0, 303);
	assert_time(s->end, 2017, 1, 4, 23, 5, 4, 490);
	cr_assert_str_eq(s->conn, "");
	cr_assert_str_eq(s->server, "");
	assert_counters30(s, 0);
	cr_assert_str_eq(counter(s, "disconnector-remains"), "1023");
	cr_assert_str_eq(counter(s, "connector-flow"), "0");
	cr_assert_eq(s->nerr, 0);
	cr_assert_eq(s->error_count, 0);

	s = &r->steps[1];
	cr_assert_eq(s->number, 1);
	cr_assert_str_eq(s->cls, "delta-sync");
	assert_time(s->start, 2017, 1, 4, 23, 4, 33, 303);
	assert_time(s->end, 2017, 1, 4, 23, 4, 59, 977);
	/* The outbound counters come first in this step, named apart from
	 * the inbound ones. */
	cr_assert_str_eq(s->cname[0], "outbound-provisioned-add-flow");
	cr_assert_str_eq(s->cname[1], "outbound-connector-flow");
	assert_counters30(s, 2);
	cr_assert_str_eq(counter(s, "outbound-provisioned-add-flow"), "3");
	cr_assert_str_eq(counter(s, "outbound-connector-flow"), "23");
	cr_assert_str_eq(counter(s, "connector-flow"), "23");
	cr_assert_str_eq(counter(s, "connector-no-flow"), "17");
	cr_assert_str_eq(counter(s, "disconnector-projected-flow"), "3");
	cr_assert_str_eq(counter(s, "disconnector-remains"), "4235");
	cr_assert_str_eq(counter(s, "stage-add"), "0");
}

/* Each corpus sample read whole, a byte at a time and in odd chunks. */
Test(parser_runxml, corpus_samples)
{
	static const struct {
		const char *rel;
		void (*check)(const struct rcap *rc);
	} samples[] = { { RH01, check_rh01 }, { RH02, check_rh02 } };
	static const size_t chunks[] = { 0, 1, 7, 4096 };

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		size_t n;
		char *all = corpus_or_skip(samples[i].rel, &n);

		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			struct rcap rc = { 0 };

			cr_assert_eq(rparse(&rc, "runxml", all, n, chunks[k]), 0);
			dump_problems(&rc.c);
			samples[i].check(&rc);
			rcap_free(&rc);
		}
		free(all);
	}
}

/* The same sample as UTF-16LE and UTF-16BE with a byte-order mark (what
 * RunDetails() gives as a .NET string saved by Out-File). */
Test(parser_runxml, corpus_utf16)
{
	size_t n;
	char *all = corpus_or_skip(RH01, &n);

	for (int be = 0; be < 2; be++) {
		struct rcap rc = { 0 };
		size_t un;
		unsigned char *u = to_utf16(all, be, true, &un);

		cr_assert_eq(rparse(&rc, "runxml", u, un, 3), 0);
		check_rh01(&rc);
		rcap_free(&rc);
		free(u);
	}
	free(all);
}

Test(parser_runxml, corpus_sniffed_and_ingestable)
{
	const char *rels[] = { RH01, RH02 };

	for (size_t i = 0; i < 2; i++) {
		const struct ec_format *best;
		size_t n;
		char *all = corpus_or_skip(rels[i], &n);

		cr_assert_eq(sniff_bytes("runxml", all, n, &best), 90);
		cr_assert_eq(best, cap_format("runxml"));
		cr_assert_eq(sniff_bytes("runclixml", all, n, NULL), 0);
		free(all);
	}
}

/* ---- runxml: constructed files ----------------------------------------- */

static const char two_runs[] =
	"<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n"
	"<run-history>\r\n"
	" <run-details>\r\n"
	"  <ma-id>{FB0D00E1-4E0B-44DA-AF5F-62D4D99B2FBC}</ma-id>\r\n"
	"  <ma-name>contoso.com</ma-name>\r\n"
	"  <run-number>2590</run-number>\r\n"
	"  <run-profile-name>Export</run-profile-name>\r\n"
	"  <security-id>NT SERVICE\\ADSync</security-id>\r\n"
	"  <step-details step-number=\"1\" step-id=\"{E0446E50-FF59-4691-9EC0-F9BD3D564F4A}\">\r\n"
	"   <start-date>2017-01-04 23:05:05.367</start-date>\r\n"
	"   <end-date>2017-01-04 23:06:06.677</end-date>\r\n"
	"   <step-result>completed-export-errors</step-result>\r\n"
	"   <step-description><step-type type=\"export\">\r\n    </step-type>"
	"<partition>default</partition><custom-data><run-config><input-file /><timeout>0</timeout>"
	"</run-config></custom-data></step-description>\r\n"
	"   <current-export-step-counter>0</current-export-step-counter>\r\n"
	"   <ma-connection>\r\n   </ma-connection>\r\n"
	"   <ma-discovery-errors><ma-object-error dn=\"CN=Dup,OU=X,DC=contoso,DC=com\">"
	"<error-type>duplicate-object</error-type>"
	"<date-occurred>2017-01-04 23:05:06.100</date-occurred></ma-object-error>"
	"</ma-discovery-errors>\r\n"
	"   <synchronization-errors><export-error cs-guid=\"{12345678-DF83-E611-8CE8-00505689546C}\""
	" dn=\"CN=Jane Doe,OU=Users,DC=contoso,DC=com\">\r\n"
	"     <date-occurred>2017-01-04 23:06:02.006</date-occurred>\r\n"
	"     <first-occurred>2016-09-26 12:02:16.987</first-occurred>\r\n"
	"     <retry-count>77</retry-count>\r\n"
	"     <error-type>ma-extension-error</error-type>\r\n"
	"     <cd-error>\r\n"
	"      <error-code>0x80230703</error-code><error-literal>System.Reflection."
	"TargetInvocationException: Exception ---&gt; System.UriFormatException: Invalid URI\r\n"
	"       at System.Uri.CreateThis(String uri)\r\n"
	"    </error-literal>\r\n"
	"     </cd-error>\r\n"
	"    </export-error>\r\n"
	"    <import-error dn=\"CN=Joe,OU=Users,DC=contoso,DC=com\">"
	"<date-occurred>2017-01-04 23:05:30.000</date-occurred>"
	"<error-type>sync-rule-flow-provisioning-failed</error-type>"
	"<extension-error-info><call-stack>at Foo.Bar()</call-stack></extension-error-info>"
	"</import-error>\r\n"
	"   </synchronization-errors>\r\n"
	"   <mv-retry-errors><mv-retry-error><error-type>retry</error-type></mv-retry-error>"
	"</mv-retry-errors>\r\n"
	"   <export-counters>\r\n"
	"    <export-add detail=\"true\">3</export-add>\r\n"
	"    <export-update detail=\"true\">23</export-update>\r\n"
	"    <export-failure detail=\"true\">1</export-failure>\r\n"
	"   </export-counters>\r\n"
	"  </step-details>\r\n"
	" </run-details>\r\n"
	" <run-details>\r\n"
	"  <ma-id>{B891884F-051E-4A83-95AF-2544101C9083}</ma-id>\r\n"
	"  <ma-name>contoso.onmicrosoft.com - AAD</ma-name>\r\n"
	"  <run-number>7</run-number>\r\n"
	"  <run-profile-name>Full Import</run-profile-name>\r\n"
	"  <security-id>NT SERVICE\\ADSync</security-id>\r\n"
	"  <step-details step-number=\"1\">\r\n"
	"   <start-date>2017-01-05 01:00:00.000</start-date>\r\n"
	"   <end-date>2017-01-05 01:02:03.456</end-date>\r\n"
	"   <step-result>success</step-result>\r\n"
	"   <step-description><step-type type=\"full-import\"><import-subtype>to-cs"
	"</import-subtype></step-type></step-description>\r\n"
	"   <staging-counters><stage-add detail=\"true\">12</stage-add></staging-counters>\r\n"
	"  </step-details>\r\n"
	" </run-details>\r\n"
	"</run-history>\r\n";

static void
check_two_runs(const struct rcap *rc, size_t nruns)
{
	const struct crun *r;
	const struct cstep *s;
	const struct cerr *e;

	cr_assert_geq(rc->nruns, nruns);
	r = &rc->runs[0];
	cr_assert_eq(r->line, 3);
	cr_assert_str_eq(r->connector, "contoso.com");
	cr_assert_str_eq(r->connector_id, "FB0D00E1-4E0B-44DA-AF5F-62D4D99B2FBC");
	cr_assert_str_eq(r->profile, "Export");
	cr_assert_str_eq(r->user, "NT SERVICE\\ADSync");
	cr_assert_eq(r->run_number, 2590);
	cr_assert_str_eq(r->result, "completed-export-errors");
	cr_assert_str_eq(r->rcls, "completed-errors");
	assert_time(r->start, 2017, 1, 4, 23, 5, 5, 367);
	assert_time(r->end, 2017, 1, 4, 23, 6, 6, 677);
	cr_assert_eq(r->nsteps, 1);
	s = &r->steps[0];
	cr_assert_str_eq(s->type, "export");
	cr_assert_str_eq(s->subtype, "");
	cr_assert_str_eq(s->cls, "export");
	cr_assert_str_eq(s->rcls, "completed-errors");
	cr_assert_str_eq(s->conn, "");
	cr_assert_eq(s->nctr, 3);
	cr_assert_str_eq(counter(s, "export-add"), "3");
	cr_assert_str_eq(counter(s, "export-update"), "23");
	cr_assert_str_eq(counter(s, "export-failure"), "1");
	cr_assert_null(counter(s, "current-export-step-counter"));
	cr_assert_eq(s->error_count, 4);
	cr_assert_eq(s->nerr, 4);

	e = &s->err[0];
	cr_assert_str_eq(e->category, "discovery");
	cr_assert_str_eq(e->dn, "CN=Dup,OU=X,DC=contoso,DC=com");
	cr_assert_str_eq(e->type, "duplicate-object");
	cr_assert_str_eq(e->code, "");
	assert_time(e->when, 2017, 1, 4, 23, 5, 6, 100);

	e = &s->err[1];
	cr_assert_str_eq(e->category, "export");
	cr_assert_str_eq(e->dn, "CN=Jane Doe,OU=Users,DC=contoso,DC=com");
	cr_assert_str_eq(e->type, "ma-extension-error");
	cr_assert_str_eq(e->code, "0x80230703");
	cr_assert_str_eq(e->detail, "System.Reflection.TargetInvocationException: Exception ---> "
			 "System.UriFormatException: Invalid URI\n       at System.Uri.CreateThis"
			 "(String uri)");
	assert_time(e->when, 2017, 1, 4, 23, 6, 2, 6);

	e = &s->err[2];
	cr_assert_str_eq(e->category, "sync");
	cr_assert_str_eq(e->dn, "CN=Joe,OU=Users,DC=contoso,DC=com");
	cr_assert_str_eq(e->type, "sync-rule-flow-provisioning-failed");
	cr_assert_str_eq(e->detail, "at Foo.Bar()");
	assert_time(e->when, 2017, 1, 4, 23, 5, 30, 0);

	e = &s->err[3];
	cr_assert_str_eq(e->category, "mv-retry");
	cr_assert_str_eq(e->dn, "");
	cr_assert_str_eq(e->type, "retry");
	cr_assert_eq(e->when.q, TQ_NONE);

	if (nruns < 2)
		return;
	r = &rc->runs[1];
	cr_assert_eq(r->line, line_of(two_runs, "<run-details>", 2));
	cr_assert_str_eq(r->connector, "contoso.onmicrosoft.com - AAD");
	cr_assert_str_eq(r->connector_id, "B891884F-051E-4A83-95AF-2544101C9083");
	cr_assert_str_eq(r->profile, "Full Import");
	cr_assert_eq(r->run_number, 7);
	cr_assert_str_eq(r->result, "success");
	assert_time(r->start, 2017, 1, 5, 1, 0, 0, 0);
	assert_time(r->end, 2017, 1, 5, 1, 2, 3, 456);
	cr_assert_eq(r->nsteps, 1);
	cr_assert_str_eq(r->steps[0].cls, "full-import");
	cr_assert_str_eq(counter(&r->steps[0], "stage-add"), "12");
	cr_assert_eq(r->steps[0].error_count, 0);
}

Test(parser_runxml, two_runs_all_error_categories)
{
	static const size_t chunks[] = { 0, 1, 2, 5, 64 };

	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct rcap rc = { 0 };

		cr_assert_eq(rparse(&rc, "runxml", two_runs, strlen(two_runs), chunks[k]), 0);
		dump_problems(&rc.c);
		cr_assert_eq(rc.c.np, 0);
		cr_assert_eq(rc.nruns, 2);
		check_two_runs(&rc, 2);
		rcap_free(&rc);
	}
}

/* The bytes decide, whatever the declaration says: UTF-8 with and without
 * a byte-order mark, UTF-16LE and BE with and without one, all declaring
 * utf-16. */
Test(parser_runxml, encodings)
{
	static const struct {
		int kind;	/* 0 UTF-8, 1 UTF-16LE, 2 UTF-16BE */
		bool bom;
	} cases[] = { { 0, false }, { 0, true }, { 1, true }, { 1, false }, { 2, true },
		      { 2, false } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rcap rc = { 0 };
		unsigned char *u;
		size_t n;

		if (cases[i].kind == 0) {
			n = strlen(two_runs) + (cases[i].bom ? 3 : 0);
			u = malloc(n);
			cr_assert_not_null(u);
			memcpy(u, "\xEF\xBB\xBF", cases[i].bom ? 3 : 0);
			memcpy(u + (cases[i].bom ? 3 : 0), two_runs, strlen(two_runs));
		} else {
			u = to_utf16(two_runs, cases[i].kind == 2, cases[i].bom, &n);
		}
		cr_assert_eq(sniff_bytes("runxml", u, n, NULL), 90, "case %zu", i);
		cr_assert_eq(rparse(&rc, "runxml", u, n, i % 2 ? 1 : 0), 0, "case %zu", i);
		dump_problems(&rc.c);
		cr_assert_eq(rc.c.np, 0, "case %zu", i);
		cr_assert_eq(rc.nruns, 2, "case %zu", i);
		check_two_runs(&rc, 2);
		rcap_free(&rc);
		free(u);
	}
}

/* Several documents one after another (each with its declaration), and a
 * bare <run-details> without <run-history>. */
Test(parser_runxml, concatenated_and_bare)
{
	static const char bare[] =
		"<run-details><ma-name>A</ma-name><run-number>1</run-number>"
		"<run-profile-name>Delta Synchronization</run-profile-name>"
		"<step-details step-number=\"1\"><step-result>success</step-result>"
		"<step-description><step-type type=\"apply-rules\"><apply-rules-subtype>"
		"reevaluate-flow-connectors</apply-rules-subtype></step-type></step-description>"
		"</step-details></run-details>\n";
	struct buf b;
	struct rcap rc = { 0 };

	buf_init(&b, (size_t)1 << 20);
	buf_adds(&b, two_runs);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-16\"?>\n");
	buf_adds(&b, bare);
	buf_adds(&b, two_runs);
	cr_assert_eq(rparse(&rc, "runxml", b.data, b.len, 3), 0);
	dump_problems(&rc.c);
	cr_assert_eq(rc.c.np, 0);
	cr_assert_eq(rc.nruns, 5);
	check_two_runs(&rc, 2);
	cr_assert_str_eq(rc.runs[2].connector, "A");
	cr_assert_eq(rc.runs[2].line, line_of(b.data, "<run-details>", 3));
	cr_assert_str_eq(rc.runs[2].steps[0].cls, "full-sync");
	cr_assert_str_eq(rc.runs[2].steps[0].subtype, "reevaluate-flow-connectors");
	cr_assert_str_eq(rc.runs[3].connector, "contoso.com");
	cr_assert_eq(rc.runs[3].line, line_of(b.data, "<run-details>", 4));
	cr_assert_str_eq(rc.runs[4].profile, "Full Import");
	rcap_free(&rc);

	cr_assert_eq(rparse_str(&rc, "runxml", bare), 0);
	cr_assert_eq(rc.nruns, 1);
	cr_assert_eq(sniff_str("runxml", bare, NULL), 90);
	rcap_free(&rc);
	buf_release(&b);
}

/* Cut inside the second run: the first is kept, the second reported. */
Test(parser_runxml, truncated)
{
	const char *cut = strstr(strstr(two_runs, "contoso.onmicrosoft.com"), "<step-details");
	size_t n = (size_t)(cut - two_runs) + 20;
	uint64_t line = line_of(two_runs, "<run-details>", 2);
	char want[160];
	const struct cprob *p;
	struct rcap rc = { 0 };

	for (size_t chunk = 0; chunk < 3; chunk++) {
		cr_assert_eq(rparse(&rc, "runxml", two_runs, n, chunk), 0);
		cr_assert_eq(rc.nruns, 1);
		check_two_runs(&rc, 1);
		snprintf(want, sizeof(want), "the file ends inside the run-details starting at line "
			 "%llu (0 steps read): cut off; that run is not stored", (unsigned long long)line);
		p = find_problem(&rc.c, want);
		cr_assert_not_null(p, "no problem '%s'", want);
		cr_assert_eq(p->line, line);
		cr_assert_eq(p->records, 1);
		cr_assert_eq(rc.c.np, 1);
		rcap_free(&rc);
	}

	/* Cut between the runs: nothing lost but the root's end tag. */
	n = (size_t)(strstr(two_runs, " <run-details>\r\n  <ma-id>{B8") - two_runs);
	cr_assert_eq(rparse(&rc, "runxml", two_runs, n, 0), 0);
	cr_assert_eq(rc.nruns, 1);
	cr_assert_not_null(find_problem(&rc.c, "ends before the end tag of its root element"));
	rcap_free(&rc);
}

/* An XML error: line, column and byte offset; the runs before it kept. */
Test(parser_runxml, malformed)
{
	char *bad = strdup(two_runs);
	char *at = strstr(strstr(bad, "contoso.onmicrosoft.com"), "</ma-name>");
	uint64_t line = line_of(two_runs, "contoso.onmicrosoft.com", 1);
	uint64_t off, col;
	char want[200];
	const char *nl;
	const struct cprob *p;
	struct rcap rc = { 0 };

	cr_assert_not_null(bad);
	memcpy(at, "</ma-nam>", 9);
	at[9] = ' ';
	/* expat points at the name in the end tag. */
	off = (uint64_t)(at - bad) + 2;
	for (nl = at; nl > bad && nl[-1] != '\n'; nl--)
		;
	col = (uint64_t)(at - nl) + 3;
	for (size_t chunk = 0; chunk < 2; chunk++) {
		cr_assert_eq(rparse(&rc, "runxml", bad, strlen(bad), chunk), 0);
		cr_assert_eq(rc.nruns, 1);
		check_two_runs(&rc, 1);
		snprintf(want, sizeof(want), "xml error at line %llu, column %llu, byte offset %llu: "
			 "mismatched tag: the rest of the file is not read (the run-details starting "
			 "at line %llu is lost)", (unsigned long long)line, (unsigned long long)col,
			 (unsigned long long)off,
			 (unsigned long long)line_of(two_runs, "<run-details>", 2));
		dump_problems(&rc.c);
		p = find_problem(&rc.c, want);
		cr_assert_not_null(p, "no problem '%s'", want);
		cr_assert_eq(p->line, line);
		cr_assert_eq(p->offset, off);
		cr_assert_eq(p->records, 1);
		rcap_free(&rc);
	}
	free(bad);

	/* Not XML at all. */
	cr_assert_eq(rparse_str(&rc, "runxml", "<run-history><run-details></run-history>"), 0);
	cr_assert_eq(rc.nruns, 0);
	cr_assert_not_null(find_problem(&rc.c, "mismatched tag"));
	rcap_free(&rc);
	cr_assert_eq(rparse_str(&rc, "runxml", "<run-history></run-history>"), 0);
	cr_assert_not_null(find_problem(&rc.c, "no <run-details> element found"));
	rcap_free(&rc);
}

/* Results: kept as written; the run's is that of its highest step, or the
 * worst when that one is empty. */
Test(parser_runxml, results)
{
	static const struct {
		const char *steps;	/* step-number:result pairs */
		const char *run, *run_cls, *first_cls;
	} cases[] = {
		{ "<s n='1' r='frobnicated-weirdly'/>", "frobnicated-weirdly", "unknown", "unknown" },
		{ "<s n='2' r='success'/><s n='1' r='stopped-server-down'/>", "success", "success",
		  "success" },
		{ "<s n='1' r='success'/><s n='2' r='completed-sync-errors'/>",
		  "completed-sync-errors", "completed-errors", "success" },
		{ "<s n='2' r=''/><s n='1' r='no-start-connection'/><s n='3' r='success'/>", "success",
		  "success", "unknown" },
		{ "<s n='3' r=''/><s n='1' r='completed-no-objects'/><s n='2' r='stopped-error-limit'/>",
		  "stopped-error-limit", "stopped", "unknown" },
		{ "<s n='2' r='  '/><s n='1' r='Completed-Export-Warnings'/>",
		  "Completed-Export-Warnings", "completed-warnings", "unknown" },
		{ "", "", "unknown", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		struct rcap rc = { 0 };
		const char *p = cases[i].steps;

		buf_init(&b, 1 << 16);
		buf_adds(&b, "<run-details><ma-name>X</ma-name>");
		while ((p = strstr(p, "<s n='")) != NULL) {
			const char *r = strstr(p, "r='") + 3;

			buf_addf(&b, "<step-details step-number=\"%c\"><step-result>%.*s</step-result>"
				 "</step-details>", p[6], (int)(strchr(r, '\'') - r), r);
			p++;
		}
		buf_adds(&b, "</run-details>");
		cr_assert_eq(rparse_str(&rc, "runxml", b.data), 0);
		cr_assert_eq(rc.c.np, 0, "case %zu", i);
		cr_assert_eq(rc.nruns, 1);
		cr_assert_str_eq(rc.runs[0].result, cases[i].run, "case %zu", i);
		cr_assert_str_eq(rc.runs[0].rcls, cases[i].run_cls, "case %zu", i);
		if (cases[i].first_cls)
			cr_assert_str_eq(rc.runs[0].steps[0].rcls, cases[i].first_cls, "case %zu", i);
		else
			cr_assert_eq(rc.runs[0].nsteps, 0);
		cr_assert_eq(rc.runs[0].start.q, TQ_NONE);
		cr_assert_eq(rc.runs[0].run_number, -1);
		rcap_free(&rc);
		buf_release(&b);
	}
}

/* Values that are not what they should be: left out with a problem. */
Test(parser_runxml, bad_values)
{
	static const char text[] =
		"<run-details><run-number>12a</run-number>\n"
		"<step-details step-number=\"x\">\n"
		"<start-date>yesterday</start-date><end-date>2017-02-30 10:00:00.000</end-date>\n"
		"<staging-counters><stage-add>3</stage-add><stage-update>many</stage-update>"
		"<stage-delete>-1</stage-delete></staging-counters>\n"
		"<outbound-flow-counters ma=\"A\"><connector-flow>2</connector-flow></outbound-flow-counters>"
		"<outbound-flow-counters ma=\"B\"><connector-flow>5</connector-flow></outbound-flow-counters>"
		"<ma-connection><connection-log><incident><connection-result>dropped-connection"
		"</connection-result><date>soon</date></incident></connection-log></ma-connection>\n"
		"<unknown-thing><nested>1</nested></unknown-thing>\n"
		"</step-details></run-details>";
	struct rcap rc = { 0 };
	const struct cstep *s;

	cr_assert_eq(rparse_str(&rc, "runxml", text), 0);
	dump_problems(&rc.c);
	cr_assert_eq(rc.nruns, 1);
	cr_assert_eq(rc.runs[0].run_number, -1);
	s = &rc.runs[0].steps[0];
	cr_assert_eq(s->number, -1);
	cr_assert_eq(s->start.q, TQ_NONE);
	cr_assert_eq(s->end.q, TQ_NONE);
	cr_assert_eq(s->nctr, 3);
	cr_assert_str_eq(counter(s, "stage-add"), "3");
	cr_assert_str_eq(counter(s, "stage-delete"), "-1");
	cr_assert_null(counter(s, "stage-update"));
	cr_assert_str_eq(counter(s, "outbound-connector-flow"), "7");
	cr_assert_eq(s->nerr, 1);
	cr_assert_str_eq(s->err[0].type, "dropped-connection");
	cr_assert_eq(s->err[0].when.q, TQ_NONE);
	cr_assert_not_null(find_problem(&rc.c, "run-number '12a' of the run at line 1 is not a number"));
	cr_assert_not_null(find_problem(&rc.c, "step-number 'x' at line 2 is not a number"));
	cr_assert_not_null(find_problem(&rc.c, "start-date 'yesterday' of the step at line 2"));
	cr_assert_not_null(find_problem(&rc.c, "end-date '2017-02-30 10:00:00.000'"));
	cr_assert_not_null(find_problem(&rc.c, "counter stage-update 'many' at line 4 is not a number"));
	cr_assert_not_null(find_problem(&rc.c, "error date 'soon'"));
	cr_assert_eq(rc.c.np, 6);
	rcap_free(&rc);
}

/* Caps: 1500 steps keep 1000, 250 errors in a step keep 200 (all counted),
 * a 100 KiB error text is cut at 64 KiB. Memory stays bounded. */
Test(parser_runxml, caps)
{
	struct buf b;
	struct rcap rc = { 0 };
	const struct cstep *s;

	buf_init(&b, (size_t)64 << 20);
	buf_adds(&b, "<run-history><run-details><ma-name>big</ma-name>\n");
	buf_adds(&b, "<step-details step-number=\"9999\"><step-result>completed-sync-errors"
		 "</step-result><synchronization-errors>");
	for (int i = 0; i < 250; i++)
		buf_addf(&b, "<import-error dn=\"CN=u%d\"><error-type>t</error-type></import-error>", i);
	buf_adds(&b, "</synchronization-errors></step-details>\n");
	for (int i = 1; i < 1500; i++)
		buf_addf(&b, "<step-details step-number=\"%d\"><step-result>success</step-result>"
			 "<start-date>2020-01-01 00:00:%02d.000</start-date>"
			 "<staging-counters><stage-add>%d</stage-add></staging-counters>"
			 "</step-details>\n", i, i % 60, i);
	buf_adds(&b, "</run-details></run-history>\n");

	cr_assert_eq(rparse(&rc, "runxml", b.data, b.len, 0), 0);
	dump_problems(&rc.c);
	cr_assert_eq(rc.nruns, 1);
	cr_assert_eq(rc.runs[0].nsteps, 1000);
	cr_assert_str_eq(rc.runs[0].result, "completed-sync-errors");
	s = &rc.runs[0].steps[0];
	cr_assert_eq(s->error_count, 250);
	cr_assert_eq(s->nerr, 200);
	cr_assert_str_eq(s->err[199].dn, "CN=u199");
	cr_assert_str_eq(counter(&rc.runs[0].steps[999], "stage-add"), "999");
	/* The run's start is from all its steps, kept or not. */
	assert_time(rc.runs[0].start, 2020, 1, 1, 0, 0, 0, 0);
	cr_assert_not_null(find_problem(&rc.c, "has 250 errors: 50 of them are not kept"));
	cr_assert_not_null(find_problem(&rc.c, "has 1500 steps: only the first 1000 are kept"));
	cr_assert_eq(count_problems(&rc.c, "bytes at line"), 0);
	rcap_free(&rc);

	/* The error text over 64 KiB: cut. */
	buf_reset(&b);
	buf_adds(&b, "<run-details><step-details><synchronization-errors><export-error dn=\"CN=x\">"
		 "<cd-error><error-literal>");
	for (int i = 0; i < 100 * 1024; i++)
		buf_addc(&b, 'y');
	buf_adds(&b, "</error-literal></cd-error></export-error></synchronization-errors>"
		 "</step-details></run-details>");
	cr_assert_eq(rparse(&rc, "runxml", b.data, b.len, 1000), 0);
	cr_assert_eq(rc.nruns, 1);
	cr_assert_eq(strlen(rc.runs[0].steps[0].err[0].detail), 64 * 1024);
	cr_assert_not_null(find_problem(&rc.c, "text over 65536 bytes at line 1: cut"));
	rcap_free(&rc);
	buf_release(&b);
}

/* A sink that stops: the parser returns its value at once. */
Test(parser_runxml, sink_stops)
{
	struct rcap rc = { 0 };

	rc.stop_at = 1;
	cr_assert_eq(rparse_str(&rc, "runxml", two_runs), 9);
	cr_assert_eq(rc.nruns, 1);
	rcap_free(&rc);
	rc.stop_at = 1;
	cr_assert_eq(rparse(&rc, "runxml", two_runs, strlen(two_runs), 1), 9);
	cr_assert_eq(rc.nruns, 1);
	rcap_free(&rc);
}

/* ---- sniffing ----------------------------------------------------------- */

Test(parser_runxml, sniff)
{
	static const struct {
		const char *text;
		int runxml, runclixml;
	} cases[] = {
		{ "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n    <run-history>\r\n", 90, 0 },
		{ "  \n<run-history>", 90, 0 },
		{ "<run-details>\n<ma-id>{x}</ma-id>", 90, 0 },
		{ "<?xml version=\"1.0\"?><!-- saved --><run-details >", 90, 0 },
		{ "<run-historyx>", 0, 0 },
		{ "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>", 0, 0 },
		{ "text <run-history>", 0, 0 },
		{ "<?xml version=\"1.0\"", 0, 0 },
		{ "<Objs Version=\"1.1.0.1\" " PSNS "><Obj RefId=\"0\"><TN RefId=\"0\"><T>Microsoft."
		  "IdentityManagement.PowerShell.ObjectModel.RunProfileResult</T>", 0, 90 },
		{ "\xEF\xBB\xBF<Objs Version=\"1.1.0.1\" " PSNS "><Obj RefId=\"0\"><TN RefId=\"0\"><T>"
		  "Deserialized.Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResult</T>",
		  0, 90 },
		{ "<Objs Version=\"1.1.0.1\" " PSNS "><Obj RefId=\"0\"><TN RefId=\"0\"><T>System.String"
		  "</T>", 0, 0 },
		{ "<Objs Version=\"1.1.0.1\" xmlns=\"urn:other\"><T>RunProfileResult</T>", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(sniff_str("runxml", cases[i].text, NULL), cases[i].runxml, "case %zu", i);
		cr_assert_eq(sniff_str("runclixml", cases[i].text, NULL), cases[i].runclixml,
			     "case %zu", i);
	}
}

/* ---- runclixml ---------------------------------------------------------- */

#define STEP_TN                                                                                \
	"<TN RefId=\"2\"><T>Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResult</T>" \
	"<T>System.Object</T></TN>"

/* Counters of a step, StageNoChange .. ExportFailure, with one value set. */
#define COUNTERS(add, upd)                                                                     \
	"<I32 N=\"StageNoChange\">0</I32><I32 N=\"StageAdd\">" add "</I32>"                    \
	"<I32 N=\"StageUpdate\">" upd "</I32><I32 N=\"StageFailure\">0</I32>"                   \
	"<I32 N=\"DisconnectorFiltered\">4</I32><I32 N=\"DisconnectorProjectedFlow\">2</I32>"    \
	"<I32 N=\"ConnectorFlow\">11</I32><I32 N=\"ConnectorDeleteAddProcessed\">0</I32>"        \
	"<I32 N=\"FlowFailure\">0</I32><I32 N=\"ExportAdd\">0</I32>"                             \
	"<I32 N=\"ExportDeleteAdd\">0</I32><I32 N=\"ExportFailure\">1</I32>"

/* An Export-Clixml of three runs and a step alone (in pieces: C11 string
 * literals are kept under 4095 bytes). */
static const char *const clixml_parts[] = {
	"<Objs Version=\"1.1.0.1\" " PSNS ">\r\n"
	"  <Obj RefId=\"0\">\r\n"
	"    <TN RefId=\"0\">\r\n"
	"      <T>Microsoft.IdentityManagement.PowerShell.ObjectModel.RunProfileResult</T>\r\n"
	"      <T>System.Object</T>\r\n"
	"    </TN>\r\n"
	"    <ToString>Microsoft.IdentityManagement.PowerShell.ObjectModel.RunProfileResult</ToString>\r\n"
	"    <Props>\r\n"
	"      <G N=\"RunHistoryId\">81d206e6-392a-4485-9834-4c241723332d</G>\r\n"
	"      <G N=\"ConnectorId\">fffb4a69-4ed6-444d-8b89-73bc16f373dd</G>\r\n"
	"      <S N=\"ConnectorName\">garage.mcardletech.com</S>\r\n"
	"      <G N=\"RunProfileId\">e73df090-c632-4a61-961a-87ae047570c8</G>\r\n"
	"      <S N=\"RunProfileName\">Delta Import</S>\r\n"
	"      <I32 N=\"RunNumber\">26147</I32>\r\n"
	"      <S N=\"Username\">NT SERVICE\\ADSync</S>\r\n"
	"      <B N=\"IsRunComplete\">true</B>\r\n"
	"      <S N=\"Result\">stopped-connectivity</S>\r\n"
	"      <I32 N=\"CurrentStepNumber\">1</I32>\r\n"
	"      <I32 N=\"TotalSteps\">1</I32>\r\n"
	"      <DT N=\"StartDate\">2022-04-08T20:13:31.163Z</DT>\r\n"
	"      <DT N=\"EndDate\">2022-04-08T20:13:52.2Z</DT>\r\n"
	"      <Obj N=\"RunStepResults\" RefId=\"1\">\r\n"
	"        <TN RefId=\"1\">\r\n"
	"          <T>System.Collections.ObjectModel.ReadOnlyCollection`1[[Microsoft.Identity"
	"Management.PowerShell.ObjectModel.RunStepResult, Microsoft.IdentityManagement.PowerShell."
	"ObjectModel, Version=1.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]</T>\r\n"
	"          <T>System.Object</T>\r\n"
	"        </TN>\r\n"
	"        <LST>\r\n"
	"          <Obj RefId=\"2\">\r\n"
	"            " STEP_TN "\r\n"
	"            <Props>\r\n"
	"              <G N=\"RunHistoryId\">81d206e6-392a-4485-9834-4c241723332d</G>\r\n"
	"              <G N=\"StepHistoryId\">0d16be50-fb6a-4cdc-b528-59b41d3f41a3</G>\r\n"
	"              <I32 N=\"StepNumber\">1</I32>\r\n"
	"              <S N=\"StepResult\">stopped-connectivity</S>\r\n"
	"              <DT N=\"StartDate\">2022-04-08T20:13:31.1700000Z</DT>\r\n"
	"              <DT N=\"EndDate\">2022-04-08T22:13:52.19+02:00</DT>\r\n"
	"              " COUNTERS("5", "27") "\r\n"
	"              <I32 N=\"CurrentExportBatchNumber\">0</I32>\r\n"
	"              <Nil N=\"StepFileName\" />\r\n"
	"              <S N=\"ConnectorConnectionInformationXml\">&lt;connection-result&gt;failed-"
	"connection&lt;/connection-result&gt;&lt;server&gt;10.2.3.4:389&lt;/server&gt;&lt;"
	"connection-log&gt;&lt;incident&gt;&lt;connection-result&gt;success&lt;/connection-result"
	"&gt;&lt;date&gt;2022-04-08 20:13:40.100&lt;/date&gt;&lt;/incident&gt;&lt;incident&gt;&lt;"
	"connection-result&gt;failed-connection&lt;/connection-result&gt;&lt;date&gt;2022-04-08 "
	"20:13:52.177&lt;/date&gt;&lt;server&gt;10.2.3.4:389&lt;/server&gt;&lt;cd-error&gt;&lt;"
	"error-code&gt;0x51&lt;/error-code&gt;&lt;error-literal&gt;Server Down&lt;/error-literal"
	"&gt;&lt;/cd-error&gt;&lt;/incident&gt;&lt;/connection-log&gt;</S>\r\n"
	"              <S N=\"StepXml\">&lt;step-description&gt;_x000D__x000A_  &lt;step-type ",
	"type=\"delta-import\"&gt;_x000D__x000A_    &lt;import-subtype&gt;to-cs&lt;/import-"
	"subtype&gt;_x000D__x000A_  &lt;/step-type&gt;_x000D__x000A_  &lt;partition&gt;DC=garage,"
	"DC=mcardletech,DC=com&lt;/partition&gt;_x000D__x000A_&lt;/step-description&gt;</S>\r\n"
	"              <S N=\"ConnectorCountersXml\">&lt;filtered-objects&gt;3&lt;/filtered-objects&gt;</S>\r\n"
	"              <Obj N=\"SyncErrors\" RefId=\"3\">\r\n"
	"                <TN RefId=\"3\"><T>Microsoft.IdentityManagement.PowerShell.ObjectModel."
	"SyncErrors</T><T>System.Object</T></TN>\r\n"
	"                <Props><Nil N=\"SyncErrorsCompressed\" /><S N=\"SyncErrorsXml\"></S>"
	"<Nil N=\"SyncErrorsList\" /></Props>\r\n"
	"              </Obj>\r\n"
	"              <Obj N=\"ConnectorDiscoveryErrors\" RefId=\"4\">\r\n"
	"                <TN RefId=\"4\"><T>Microsoft.IdentityManagement.PowerShell.ObjectModel."
	"ConnectorDiscoveryErrors</T><T>System.Object</T></TN>\r\n"
	"                <Props><Nil N=\"ConnectorDiscoveryErrorsXml\" /></Props>\r\n"
	"              </Obj>\r\n"
	"            </Props>\r\n"
	"          </Obj>\r\n"
	"        </LST>\r\n"
	"      </Obj>\r\n"
	"    </Props>\r\n"
	"  </Obj>\r\n"
	"  <Obj RefId=\"5\">\r\n"
	"    <TNRef RefId=\"0\" />\r\n"
	"    <Props>\r\n"
	"      <G N=\"RunHistoryId\">1a2b3c4d-0000-4485-9834-4c241723332d</G>\r\n"
	"      <G N=\"ConnectorId\">b891884f-051e-4a83-95af-2544101c9083</G>\r\n"
	"      <S N=\"ConnectorName\">mcardletech.onmicrosoft.com - AAD</S>\r\n"
	"      <S N=\"RunProfileName\">Export</S>\r\n"
	"      <I32 N=\"RunNumber\">812</I32>\r\n"
	"      <S N=\"Username\">NT SERVICE\\ADSync</S>\r\n"
	"      <B N=\"IsRunComplete\">true</B>\r\n"
	"      <Nil N=\"Result\" />\r\n"
	"      <DT N=\"StartDate\">2022-04-08T22:43:31.5+02:00</DT>\r\n"
	"      <Nil N=\"EndDate\" />\r\n"
	"      <Obj N=\"RunStepResults\" RefId=\"6\">\r\n"
	"        <TNRef RefId=\"1\" />\r\n"
	"        <LST>\r\n"
	"          <Obj RefId=\"7\">\r\n"
	"            <TNRef RefId=\"2\" />\r\n"
	"            <Props>\r\n"
	"              <I32 N=\"StepNumber\">1</I32>\r\n"
	"              <S N=\"StepResult\">completed-export-errors</S>\r\n"
	"              <DT N=\"StartDate\">2022-04-08T20:43:31.51Z</DT>\r\n"
	"              <DT N=\"EndDate\">2022-04-08T20:44:02.123Z</DT>\r\n"
	"              " COUNTERS("0", "0") "\r\n"
	"              <Nil N=\"ConnectorConnectionInformationXml\" />\r\n"
	"              <S N=\"StepXml\">&lt;step-description&gt;&lt;step-type type=\"export\"&gt;"
	"&lt;/step-type&gt;&lt;/step-description&gt;</S>\r\n"
	"              <Obj N=\"SyncErrors\" RefId=\"8\">\r\n"
	"                <TNRef RefId=\"3\" />\r\n"
	"                <Props><S N=\"SyncErrorsXml\">&lt;?xml version=\"1.0\" encoding=\"utf-16\"?"
	"&gt;_x000D__x000A_&lt;synchronization-errors&gt;&lt;export-"
	"error cs-guid=\"{12345678-DF83-E611-8CE8-00505689546C}\" dn=\"CN=Jane Doe,OU=Users,DC="
	"garage,DC=com\"&gt;&lt;date-occurred&gt;2022-04-08 20:44:01.006&lt;/date-occurred&gt;"
	"&lt;error-type&gt;AttributeValueMustBeUnique&lt;/error-type&gt;&lt;cd-error&gt;&lt;",
	"error-code&gt;0x8023134a&lt;/error-code&gt;&lt;error-literal&gt;Unable to update this "
	"object_x000D__x000A_proxyAddresses SMTP:jane_x005F_doe@garage.com_xZZ_ conflicts"
	"&lt;/error-literal&gt;&lt;/cd-error&gt;&lt;/export-error&gt;&lt;/synchronization-errors"
	"&gt;</S></Props>\r\n"
	"              </Obj>\r\n"
	"            </Props>\r\n"
	"          </Obj>\r\n"
	"          <Ref RefId=\"2\" />\r\n"
	"        </LST>\r\n"
	"      </Obj>\r\n"
	"    </Props>\r\n"
	"  </Obj>\r\n"
	"  <Obj RefId=\"9\">\r\n"
	"    <TNRef RefId=\"0\" />\r\n"
	"    <Props>\r\n"
	"      <G N=\"RunHistoryId\">99999999-0000-4485-9834-4c241723332d</G>\r\n"
	"      <S N=\"ConnectorName\">garage.mcardletech.com</S>\r\n"
	"      <S N=\"RunProfileName\">Full Synchronization</S>\r\n"
	"      <I32 N=\"RunNumber\">26148</I32>\r\n"
	"      <B N=\"IsRunComplete\">false</B>\r\n"
	"      <Nil N=\"Result\" />\r\n"
	"      <DT N=\"StartDate\">2022-04-09T00:00:00-05:30</DT>\r\n"
	"      <Nil N=\"EndDate\" />\r\n"
	"      <Nil N=\"RunStepResults\" />\r\n"
	"    </Props>\r\n"
	"  </Obj>\r\n"
	"  <Obj RefId=\"10\">\r\n"
	"    <TNRef RefId=\"2\" />\r\n"
	"    <Props>\r\n"
	"      <G N=\"RunHistoryId\">77777777-0000-4485-9834-4c241723332d</G>\r\n"
	"      <G N=\"StepHistoryId\">88888888-0000-4485-9834-4c241723332d</G>\r\n"
	"      <I32 N=\"StepNumber\">3</I32>\r\n"
	"      <S N=\"StepResult\">completed-no-objects</S>\r\n"
	"      <DT N=\"StartDate\">2022-04-10T08:00:00.25+02:00</DT>\r\n"
	"      <DT N=\"EndDate\">2022-04-10T06:00:01Z</DT>\r\n"
	"      <I32 N=\"StageAdd\">0</I32>\r\n"
	"      <I64 N=\"ExportUpdate\">4294967296</I64>\r\n"
	"      <S N=\"StepXml\">&lt;step-description&gt;&lt;step-type type=\"apply-rules\"&gt;&lt;"
	"apply-rules-subtype&gt;apply-pending&lt;/apply-rules-subtype&gt;&lt;/step-type&gt;&lt;/"
	"step-description&gt;</S>\r\n"
	"    </Props>\r\n"
	"  </Obj>\r\n"
	"  <S>a stray string</S>\r\n"
	"</Objs>",
};

static char clixml[16384];

/* clixml_parts joined, once. */
static void
clixml_init(void)
{
	size_t n = 0;

	if (clixml[0])
		return;
	for (size_t i = 0; i < sizeof(clixml_parts) / sizeof(clixml_parts[0]); i++) {
		size_t k = strlen(clixml_parts[i]);

		cr_assert_lt(n + k, sizeof(clixml));
		memcpy(clixml + n, clixml_parts[i], k);
		n += k;
	}
	clixml[n] = '\0';
}

static void
check_clixml(const struct rcap *rc)
{
	const struct crun *r;
	const struct cstep *s;
	const struct cerr *e;
	static const char *const names[] = {
		"stage-no-change", "stage-add", "stage-update", "stage-failure",
		"disconnector-filtered", "disconnector-projected-flow", "connector-flow",
		"connector-delete-add-processed", "flow-failure", "export-add", "export-delete-add",
		"export-failure",
	};

	cr_assert_eq(rc->c.np, 0, "%zu problems", rc->c.np);
	cr_assert_eq(rc->nruns, 4);

	r = &rc->runs[0];
	cr_assert_eq(r->line, 2);
	cr_assert_str_eq(r->rhid, "81d206e6-392a-4485-9834-4c241723332d");
	cr_assert_str_eq(r->connector_id, "fffb4a69-4ed6-444d-8b89-73bc16f373dd");
	cr_assert_str_eq(r->connector, "garage.mcardletech.com");
	cr_assert_str_eq(r->profile, "Delta Import");
	cr_assert_eq(r->run_number, 26147);
	cr_assert_str_eq(r->user, "NT SERVICE\\ADSync");
	cr_assert_str_eq(r->result, "stopped-connectivity");
	cr_assert_str_eq(r->rcls, "stopped");
	assert_time(r->start, 2022, 4, 8, 20, 13, 31, 163);
	assert_time(r->end, 2022, 4, 8, 20, 13, 52, 200);
	cr_assert_eq(r->nsteps, 1);
	s = &r->steps[0];
	cr_assert_eq(s->number, 1);
	cr_assert_str_eq(s->result, "stopped-connectivity");
	cr_assert_str_eq(s->type, "delta-import");
	cr_assert_str_eq(s->subtype, "to-cs");
	cr_assert_str_eq(s->cls, "delta-import");
	assert_time(s->start, 2022, 4, 8, 20, 13, 31, 170);
	assert_time(s->end, 2022, 4, 8, 20, 13, 52, 190);
	cr_assert_eq(s->nctr, 12);
	for (size_t i = 0; i < 12; i++)
		cr_assert_str_eq(s->cname[i], names[i]);
	cr_assert_str_eq(counter(s, "stage-add"), "5");
	cr_assert_str_eq(counter(s, "stage-update"), "27");
	cr_assert_str_eq(counter(s, "connector-flow"), "11");
	cr_assert_str_eq(counter(s, "export-failure"), "1");
	cr_assert_str_eq(s->conn, "failed-connection");
	cr_assert_str_eq(s->server, "10.2.3.4:389");
	cr_assert_eq(s->error_count, 1);
	cr_assert_eq(s->nerr, 1);
	e = &s->err[0];
	cr_assert_str_eq(e->category, "connection");
	cr_assert_str_eq(e->type, "failed-connection");
	cr_assert_str_eq(e->code, "0x51");
	cr_assert_str_eq(e->detail, "Server Down");
	assert_time(e->when, 2022, 4, 8, 20, 13, 52, 177);

	r = &rc->runs[1];
	cr_assert_eq(r->line, line_of(clixml, "<Obj RefId=\"5\">", 1));
	cr_assert_str_eq(r->connector, "mcardletech.onmicrosoft.com - AAD");
	cr_assert_str_eq(r->profile, "Export");
	cr_assert_eq(r->run_number, 812);
	/* Result Nil: the last step's; EndDate Nil: the steps' last end. */
	cr_assert_str_eq(r->result, "completed-export-errors");
	cr_assert_str_eq(r->rcls, "completed-errors");
	assert_time(r->start, 2022, 4, 8, 20, 43, 31, 500);
	assert_time(r->end, 2022, 4, 8, 20, 44, 2, 123);
	cr_assert_eq(r->nsteps, 2);
	s = &r->steps[0];
	cr_assert_str_eq(s->cls, "export");
	cr_assert_str_eq(s->conn, "");
	cr_assert_eq(s->nerr, 1);
	e = &s->err[0];
	cr_assert_str_eq(e->category, "export");
	cr_assert_str_eq(e->dn, "CN=Jane Doe,OU=Users,DC=garage,DC=com");
	cr_assert_str_eq(e->type, "AttributeValueMustBeUnique");
	cr_assert_str_eq(e->code, "0x8023134a");
	/* _x000D__x000A_ is a CRLF, which the XML it is in reads as LF. */
	cr_assert_str_eq(e->detail, "Unable to update this object\nproxyAddresses "
			 "SMTP:jane_doe@garage.com_xZZ_ conflicts");
	assert_time(e->when, 2022, 4, 8, 20, 44, 1, 6);
	/* The <Ref> to the first run's step: a copy of it. */
	s = &r->steps[1];
	cr_assert_eq(s->number, 1);
	cr_assert_str_eq(s->result, "stopped-connectivity");
	cr_assert_str_eq(s->subtype, "to-cs");
	cr_assert_str_eq(s->cls, "delta-import");
	cr_assert_str_eq(counter(s, "stage-update"), "27");
	cr_assert_str_eq(s->server, "10.2.3.4:389");
	cr_assert_eq(s->nerr, 1);
	cr_assert_str_eq(s->err[0].code, "0x51");

	r = &rc->runs[2];
	cr_assert_str_eq(r->profile, "Full Synchronization");
	cr_assert_str_eq(r->connector_id, "");
	cr_assert_str_eq(r->user, "");
	cr_assert_str_eq(r->result, "in-progress");
	cr_assert_str_eq(r->rcls, "in-progress");
	assert_time(r->start, 2022, 4, 9, 5, 30, 0, 0);
	cr_assert_eq(r->end.q, TQ_NONE);
	cr_assert_eq(r->nsteps, 0);

	/* A RunStepResult alone (its type by a <TNRef> to a nested TN). */
	r = &rc->runs[3];
	cr_assert_str_eq(r->rhid, "77777777-0000-4485-9834-4c241723332d");
	cr_assert_str_eq(r->connector, "");
	cr_assert_str_eq(r->profile, "");
	cr_assert_eq(r->run_number, -1);
	cr_assert_str_eq(r->result, "completed-no-objects");
	cr_assert_str_eq(r->rcls, "completed-no-objects");
	assert_time(r->start, 2022, 4, 10, 6, 0, 0, 250);
	assert_time(r->end, 2022, 4, 10, 6, 0, 1, 0);
	cr_assert_eq(r->nsteps, 1);
	s = &r->steps[0];
	cr_assert_eq(s->number, 3);
	cr_assert_str_eq(s->type, "apply-rules");
	cr_assert_str_eq(s->subtype, "apply-pending");
	cr_assert_str_eq(s->cls, "delta-sync");
	cr_assert_eq(s->nctr, 2);
	cr_assert_str_eq(counter(s, "export-update"), "4294967296");
	cr_assert_eq(s->error_count, 0);
}

Test(parser_runxml, clixml_export)
{
	static const size_t chunks[] = { 0, 1, 3, 100 };
	const struct ec_format *best;

	clixml_init();
	cr_assert_eq(sniff_str("runclixml", clixml, &best), 90);
	cr_assert_eq(best, cap_format("runclixml"));
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct rcap rc = { 0 };

		cr_assert_eq(rparse(&rc, "runclixml", clixml, strlen(clixml), chunks[k]), 0);
		dump_problems(&rc.c);
		check_clixml(&rc);
		rcap_free(&rc);
	}
}

/* Windows PowerShell 5.1's Export-Clixml writes UTF-16LE with a mark. */
Test(parser_runxml, clixml_utf16)
{
	size_t n;
	unsigned char *u;
	const struct ec_format *best;
	struct rcap rc = { 0 };

	clixml_init();
	u = to_utf16(clixml, false, true, &n);
	cr_assert_eq(sniff_bytes("runclixml", u, n, &best), 90);
	cr_assert_eq(best, cap_format("runclixml"));
	cr_assert_eq(rparse(&rc, "runclixml", u, n, 5), 0);
	check_clixml(&rc);
	rcap_free(&rc);
	free(u);
}

/* Deserialized type names, properties in <MS>, a type known only from the
 * properties, values written as objects, steps too deep to be written,
 * other objects. */
Test(parser_runxml, clixml_shapes)
{
	static const char text[] =
		"<Objs Version=\"1.1.0.1\" " PSNS ">\n"
		"<Obj RefId=\"0\"><TN RefId=\"0\"><T>Deserialized.Microsoft.IdentityManagement."
		"PowerShell.ObjectModel.RunProfileResult</T><T>Deserialized.System.Object</T></TN>"
		"<MS><S N=\"ConnectorName\">A</S>"
		"<Obj N=\"Result\" RefId=\"1\"><TN RefId=\"1\"><T>Some.Enum</T><T>System.Enum</T></TN>"
		"<ToString>success</ToString><I32>0</I32></Obj>"
		"<Obj N=\"RunStepResults\" RefId=\"2\"><TN RefId=\"2\"><T>System.Object[]</T></TN><LST>"
		"<S>Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResult</S>"
		"<S>Microsoft.IdentityManagement.PowerShell.ObjectModel.RunStepResult</S>"
		"</LST></Obj></MS></Obj>\n"
		"<Obj RefId=\"3\"><TN RefId=\"3\"><T>Selected.Microsoft.IdentityManagement."
		"PowerShell.ObjectModel.RunProfileResult</T></TN><MS><S N=\"RunProfileName\">Export"
		"</S><I32 N=\"RunNumber\">x1</I32></MS></Obj>\n"
		"<Obj RefId=\"4\"><MS><S N=\"ConnectorName\">B</S><S N=\"Result\">success</S></MS></Obj>\n"
		"<Obj RefId=\"5\"><MS><I32 N=\"StepNumber\">2</I32><S N=\"StepResult\">success</S>"
		"<I32 N=\"StageAdd\">three</I32></MS></Obj>\n"
		"<Obj RefId=\"6\"><TN RefId=\"6\"><T>System.IO.FileInfo</T></TN><ToString>x</ToString>"
		"</Obj>\n"
		"<Ref RefId=\"0\" />\n"
		"</Objs>\n";
	struct rcap rc = { 0 };

	cr_assert_eq(rparse_str(&rc, "runclixml", text), 0);
	dump_problems(&rc.c);
	cr_assert_eq(rc.nruns, 4);
	cr_assert_str_eq(rc.runs[0].connector, "A");
	cr_assert_str_eq(rc.runs[0].result, "success");
	cr_assert_eq(rc.runs[0].nsteps, 0);
	cr_assert_str_eq(rc.runs[1].profile, "Export");
	cr_assert_eq(rc.runs[1].run_number, -1);
	cr_assert_str_eq(rc.runs[2].connector, "B");
	cr_assert_eq(rc.runs[3].nsteps, 1);
	cr_assert_eq(rc.runs[3].steps[0].number, 2);
	cr_assert_eq(rc.runs[3].steps[0].nctr, 0);
	cr_assert_not_null(find_problem(&rc.c, "the RunStepResults of the run at line 2 are written "
					"as type names only (Export-Clixml -Depth too small): 2 steps"));
	cr_assert_not_null(find_problem(&rc.c, "RunNumber 'x1' at line 3 is not a number"));
	cr_assert_not_null(find_problem(&rc.c, "counter stage-add 'three' at line 5"));
	cr_assert_not_null(find_problem(&rc.c, "1 objects that are neither"));
	cr_assert_eq(rc.c.np, 4);
	rcap_free(&rc);
}

/* Damage: cut off, not well-formed (outside and inside an XML property). */
Test(parser_runxml, clixml_damage)
{
	const char *cut;
	uint64_t line;
	char want[160], *bad;
	struct rcap rc = { 0 };

	clixml_init();
	cut = strstr(clixml, "<Obj RefId=\"7\">");
	line = line_of(clixml, "<Obj RefId=\"5\">", 1);
	cr_assert_eq(rparse(&rc, "runclixml", clixml, (size_t)(cut - clixml), 1), 0);
	cr_assert_eq(rc.nruns, 1);
	cr_assert_eq(rc.runs[0].run_number, 26147);
	snprintf(want, sizeof(want), "the file ends inside the object starting at line %llu",
		 (unsigned long long)line);
	cr_assert_not_null(find_problem(&rc.c, want), "no '%s'", want);
	cr_assert_eq(find_problem(&rc.c, want)->records, 1);
	rcap_free(&rc);

	bad = strdup(clixml);
	cr_assert_not_null(bad);
	memcpy(strstr(bad, "<I32 N=\"RunNumber\">812</I32>") + 24, "I31", 3);
	cr_assert_eq(rparse_str(&rc, "runclixml", bad), 0);
	cr_assert_eq(rc.nruns, 1);
	snprintf(want, sizeof(want), "xml error at line %llu, column ",
		 (unsigned long long)line_of(clixml, "<I32 N=\"RunNumber\">812", 1));
	cr_assert_not_null(find_problem(&rc.c, want));
	cr_assert_not_null(find_problem(&rc.c, "mismatched tag"));
	cr_assert_not_null(find_problem(&rc.c, "is lost"));
	rcap_free(&rc);
	free(bad);

	/* The connection XML broken: what it held before the break is kept. */
	bad = strdup(clixml);
	cr_assert_not_null(bad);
	memcpy(strstr(bad, "&lt;/connection-log&gt;") + 6, "XXXXXXXX", 8);
	cr_assert_eq(rparse_str(&rc, "runclixml", bad), 0);
	cr_assert_eq(rc.nruns, 4);
	cr_assert_str_eq(rc.runs[0].steps[0].conn, "failed-connection");
	cr_assert_not_null(find_problem(&rc.c, "ConnectorConnectionInformationXml near line"));
	cr_assert_not_null(find_problem(&rc.c, "is not well-formed XML"));
	rcap_free(&rc);
	free(bad);

	cr_assert_eq(rparse_str(&rc, "runclixml", "<Objs " PSNS "></Objs>"), 0);
	cr_assert_not_null(find_problem(&rc.c, "no RunProfileResult or RunStepResult object found"));
	rcap_free(&rc);
}

/* Every prefix of the constructed files parses without harm: the runs
 * before the cut, never more, and a problem unless the cut is at the end. */
Test(parser_runxml, every_prefix)
{
	static const struct {
		const char *fmt;
		size_t nruns;
	} cases[] = { { "runxml", 2 }, { "runclixml", 4 } };

	clixml_init();
	for (size_t c = 0; c < 2; c++) {
		const char *text = c ? clixml : two_runs;
		size_t len = strlen(text);
		size_t last = 0;

		for (size_t n = 0; n <= len; n++) {
			struct rcap rc = { 0 };

			cr_assert_eq(rparse(&rc, cases[c].fmt, text, n, 0), 0);
			cr_assert_geq(rc.nruns, last, "%s at %zu", cases[c].fmt, n);
			cr_assert_leq(rc.nruns, cases[c].nruns);
			if (n + 2 < len)
				cr_assert_geq(rc.c.np, 1, "%s at %zu", cases[c].fmt, n);
			last = rc.nruns;
			rcap_free(&rc);
		}
		cr_assert_eq(last, cases[c].nruns);
	}
}

/* Export-Clixml -InputObject $runs: one top-level collection whose items
 * are the runs; a step written past -Depth as an object without properties
 * is not a step. */
Test(parser_runxml, clixml_collection)
{
	static const char text[] =
		"<Objs Version=\"1.1.0.1\" " PSNS ">\n"
		"  <Obj RefId=\"0\">\n"
		"    <TN RefId=\"0\"><T>System.Object[]</T><T>System.Array</T><T>System.Object</T></TN>\n"
		"    <LST>\n"
		"      <Obj RefId=\"1\">\n"
		"        <TN RefId=\"1\"><T>Microsoft.IdentityManagement.PowerShell.ObjectModel."
		"RunProfileResult</T><T>System.Object</T></TN>\n"
		"        <Props><S N=\"ConnectorName\">A</S><S N=\"Result\">success</S>\n"
		"          <Obj N=\"RunStepResults\" RefId=\"2\"><TN RefId=\"2\"><T>System.Object[]</T>"
		"</TN><LST>\n"
		"            <Obj RefId=\"3\"><TN RefId=\"3\"><T>Microsoft.IdentityManagement."
		"PowerShell.ObjectModel.RunStepResult</T></TN><ToString>Microsoft.IdentityManagement."
		"PowerShell.ObjectModel.RunStepResult</ToString></Obj>\n"
		"          </LST></Obj>\n"
		"        </Props>\n"
		"      </Obj>\n"
		"      <Obj RefId=\"4\"><TNRef RefId=\"1\" /><Props><S N=\"ConnectorName\">B</S>"
		"<S N=\"Result\">completed-no-objects</S></Props></Obj>\n"
		"      <Ref RefId=\"4\" />\n"
		"    </LST>\n"
		"  </Obj>\n"
		"</Objs>\n";
	struct rcap rc = { 0 };

	cr_assert_eq(sniff_str("runclixml", text, NULL), 90);
	cr_assert_eq(rparse_str(&rc, "runclixml", text), 0);
	dump_problems(&rc.c);
	cr_assert_eq(rc.nruns, 2);
	cr_assert_str_eq(rc.runs[0].connector, "A");
	cr_assert_eq(rc.runs[0].line, 5);
	cr_assert_eq(rc.runs[0].nsteps, 0);
	cr_assert_str_eq(rc.runs[1].connector, "B");
	cr_assert_str_eq(rc.runs[1].rcls, "completed-no-objects");
	cr_assert_not_null(find_problem(&rc.c, "written as type names only"));
	cr_assert_eq(rc.c.np, 1);
	rcap_free(&rc);
}
