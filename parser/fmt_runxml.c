/* SPDX-License-Identifier: MIT */
/* fmt_runxml.c - the sync engine's run-history XML: what
 * MIIS_RunHistory.RunDetails(), ADSyncTools Get-ADSyncToolsRunHistory and
 * the Synchronization Service Manager give, <run-history><run-details>
 * <step-details>... (FORMATS-AND-SIGNATURES.md e.3). A file holds one or
 * more <run-details>, inside <run-history> or bare, and may be several
 * documents one after another.
 *
 * As in fmt_evxml.c, the bytes are decoded to UTF-8 (the bytes decide: the
 * encoding="utf-16" these files declare over UTF-8 bytes is ignored) and fed
 * to expat in chunks inside a synthetic <r> root; every XML declaration, the
 * first and those of concatenated documents, is blanked out first. Each
 * <run-details> becomes one struct ec_run when its end tag is read: its
 * steps in file order (real files list them by descending step number), the
 * run's start and end the first start and last end of its steps, its result
 * that of the step with the highest number (or, when that one is empty, the
 * worst among the steps).
 *
 * Memory is bounded: text per element is capped here, steps, counters,
 * errors and the strings of one run by the run builder (runbuild.h), with a
 * problem when a cap is reached. A file cut off loses the run it ends in; an
 * XML error ends the parse (expat cannot resume), keeping the runs before
 * it. The builder also feeds expat and reads the error entries. */
#include <expat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "parser/parser.h"
#include "parser/runbuild.h"
#include "parser/textutil.h"

#define FIELD_MAX 4096			/* names, dates, results, codes */
#define MAX_DOC_DEPTH 4096		/* elements nested: beyond, the parse stops */

/* ---- the parse ---------------------------------------------------------- */

/* The child of <step-details> being read. */
enum sec { SEC_NONE, SEC_DESC, SEC_CONN, SEC_COUNTERS, SEC_ERRORS, SEC_OTHER };

/* The text of the run and of the step being read (error entries: the
 * builder's). */
enum tgt {
	T_MAID, T_MANAME, T_RUNNUM, T_PROFILE, T_USER, T_START, T_END, T_RESULT, T_SUBTYPE,
	T_CONN, T_SERVER, T_COUNTER, T_NTGT
};

struct rx {
	struct rb_xml xml;		/* the feed; xml.depth counts the open elements */
	struct runbuild b;		/* the run being read: open from <run-details> to its end */

	unsigned run_depth, step_depth, entry_depth;	/* 0 when not open */
	enum sec sec;
	const char *err_cat;		/* SEC_ERRORS: the category of its entries */
	bool outbound;			/* SEC_COUNTERS: outbound-flow-counters */

	struct buf *tgt;		/* where the text of the element being read goes */
	unsigned tgt_depth;
	bool tgt_cut;
	struct buf t[T_NTGT];
	struct buf cname;		/* the counter being read */
	struct buf stype;		/* step-type/@type */
	unsigned stype_depth;		/* of the open <step-type>, else 0 */
	uint64_t step_line;
};

static uint64_t
cur_line(struct rx *x)
{
	return rb_xml_line(&x->xml);
}

static void
capture(struct rx *x, struct buf *b)
{
	x->tgt = b;
	x->tgt_depth = x->xml.depth;
	x->tgt_cut = false;
	buf_reset(b);
}

static struct sv
tsv(struct rx *x, enum tgt t)
{
	return sv_trim(buf_sv(&x->t[t]));
}

static void
begin_run(struct rx *x)
{
	static const enum tgt run_fields[] = { T_MAID, T_MANAME, T_RUNNUM, T_PROFILE, T_USER };

	for (size_t i = 0; i < sizeof(run_fields) / sizeof(run_fields[0]); i++)
		buf_reset(&x->t[run_fields[i]]);
	x->run_depth = x->xml.depth;
	rb_run_begin(&x->b, cur_line(x), rb_xml_offset(&x->xml));
	x->step_depth = x->entry_depth = 0;
	x->tgt = NULL;
}

static void
begin_step(struct rx *x, const XML_Char **atts)
{
	static const enum tgt step_fields[] = { T_START, T_END, T_RESULT, T_SUBTYPE, T_CONN,
						T_SERVER };
	const char *n = rb_attr(atts, "step-number");
	int64_t number = -1;

	for (size_t i = 0; i < sizeof(step_fields) / sizeof(step_fields[0]); i++)
		buf_reset(&x->t[step_fields[i]]);
	buf_reset(&x->stype);
	x->stype_depth = 0;
	x->step_depth = x->xml.depth;
	x->step_line = cur_line(x);
	rb_step_begin(&x->b, x->step_line);
	rb_errors_known(&x->b);
	if (n && !rb_read_i64(sv_cstr(n), &number)) {
		number = -1;
		rb_xml_problem(&x->xml, x->step_line, rb_xml_offset(&x->xml), 0, "step-number "
			       "'%.40s' at line %" PRIu64 " is not a number", n, x->step_line);
	}
	rb_step_number(&x->b, number);
	x->sec = SEC_NONE;
}

static struct ec_time
step_time(struct rx *x, enum tgt t, const char *what)
{
	struct ec_time tm = { 0, -1, TQ_NONE };
	struct sv v = tsv(x, t);

	if (v.n && !rb_read_time(v, &tm)) {
		rb_xml_problem(&x->xml, x->step_line, UINT64_MAX, 0, "%s '%.40s' of the step at "
			       "line %" PRIu64 " not understood: left out", what, x->t[t].data,
			       x->step_line);
	}
	return tm;
}

static void
end_step(struct rx *x)
{
	struct runbuild *b = &x->b;

	rb_time(b, RB_STEP_START, step_time(x, T_START, "start-date"));
	rb_time(b, RB_STEP_END, step_time(x, T_END, "end-date"));
	rb_set(b, RB_STEP_TYPE, buf_sv(&x->stype));
	rb_set(b, RB_STEP_SUBTYPE, tsv(x, T_SUBTYPE));
	rb_set(b, RB_STEP_RESULT, tsv(x, T_RESULT));
	rb_set(b, RB_CONNECTION_RESULT, tsv(x, T_CONN));
	rb_set(b, RB_CONNECTION_SERVER, tsv(x, T_SERVER));
	rb_step_end(b);
}

static void
end_run(struct rx *x)
{
	struct runbuild *b = &x->b;
	int64_t n = -1;
	int rc;

	if ((rc = rb_report(b)) != 0)
		rb_xml_stop(&x->xml, rc);
	if (tsv(x, T_RUNNUM).n && !rb_read_i64(tsv(x, T_RUNNUM), &n)) {
		n = -1;
		rb_xml_problem(&x->xml, b->line, b->offset, 0, "run-number '%.40s' of the run at "
			       "line %" PRIu64 " is not a number", x->t[T_RUNNUM].data, b->line);
	}
	if (x->xml.stopped) {
		rb_run_discard(b);
		return;
	}
	rb_set(b, RB_CONNECTOR, tsv(x, T_MANAME));
	rb_set(b, RB_CONNECTOR_ID, rb_strip_braces(tsv(x, T_MAID)));
	rb_set(b, RB_PROFILE, tsv(x, T_PROFILE));
	rb_set(b, RB_USER, tsv(x, T_USER));
	rb_run_number(b, n);
	if ((rc = rb_run_end(b)) != 0)
		rb_xml_stop(&x->xml, rc);
}

/* The text of a counter leaf that ended. */
static void
end_counter(struct rx *x)
{
	char name[160];
	int rc;

	snprintf(name, sizeof(name), "%s%s", x->outbound ? "outbound-" : "", x->cname.data);
	rc = rb_counter_text(&x->b, sv_cstr(name), buf_sv(&x->t[T_COUNTER]), cur_line(x),
			     rb_xml_offset(&x->xml));
	if (rc)
		rb_xml_stop(&x->xml, rc);
}

static void
step_child(struct rx *x, struct sv n)
{
	x->outbound = false;
	x->err_cat = NULL;
	if (sv_eq(n, "start-date")) {
		x->sec = SEC_NONE;
		capture(x, &x->t[T_START]);
	} else if (sv_eq(n, "end-date")) {
		x->sec = SEC_NONE;
		capture(x, &x->t[T_END]);
	} else if (sv_eq(n, "step-result")) {
		x->sec = SEC_NONE;
		capture(x, &x->t[T_RESULT]);
	} else if (sv_eq(n, "step-description")) {
		x->sec = SEC_DESC;
	} else if (sv_eq(n, "ma-connection")) {
		x->sec = SEC_CONN;
	} else if (sv_eq(n, "staging-counters") || sv_eq(n, "inbound-flow-counters") ||
		   sv_eq(n, "export-counters") || sv_eq(n, "ma-discovery-counters")) {
		x->sec = SEC_COUNTERS;
	} else if (sv_eq(n, "outbound-flow-counters")) {
		x->sec = SEC_COUNTERS;
		x->outbound = true;
	} else if ((x->err_cat = rb_errors_category(n, NULL)) != NULL) {
		x->sec = SEC_ERRORS;
	} else {
		x->sec = SEC_OTHER;
	}
}

static void
begin_entry(struct rx *x, const char *category, const XML_Char **atts)
{
	x->entry_depth = x->xml.depth;
	rb_entry_begin(&x->xml, category, atts);
}

static void XMLCALL
on_start(void *ctx, const XML_Char *name, const XML_Char **atts)
{
	struct rx *x = ctx;
	struct sv n = rb_local_name(name);
	unsigned rel;
	struct buf *t;

	x->xml.depth++;
	if (x->xml.stopped)
		return;
	if (x->xml.depth > MAX_DOC_DEPTH) {
		rb_xml_problem(&x->xml, cur_line(x), rb_xml_offset(&x->xml), x->run_depth ? 1 : 0,
			       "elements nested deeper than %u: the rest of the file is not read",
			       MAX_DOC_DEPTH);
		rb_xml_stop(&x->xml, 0);
		return;
	}
	/* A start inside a captured element: that one was not a leaf. */
	x->tgt = NULL;
	if (!x->run_depth) {
		if (sv_eq(n, "run-details"))
			begin_run(x);
		return;
	}
	if (!x->step_depth) {
		if (x->xml.depth != x->run_depth + 1)
			return;
		if (sv_eq(n, "ma-id"))
			capture(x, &x->t[T_MAID]);
		else if (sv_eq(n, "ma-name"))
			capture(x, &x->t[T_MANAME]);
		else if (sv_eq(n, "run-number"))
			capture(x, &x->t[T_RUNNUM]);
		else if (sv_eq(n, "run-profile-name"))
			capture(x, &x->t[T_PROFILE]);
		else if (sv_eq(n, "security-id"))
			capture(x, &x->t[T_USER]);
		else if (sv_eq(n, "step-details"))
			begin_step(x, atts);
		return;
	}
	rel = x->xml.depth - x->step_depth;
	if (rel == 1) {
		step_child(x, n);
		return;
	}
	if (x->entry_depth) {
		if ((t = rb_entry_child(&x->xml, n)) != NULL)
			capture(x, t);
		return;
	}
	switch (x->sec) {
	case SEC_DESC:
		if (rel == 2 && sv_eq(n, "step-type")) {
			rb_set_buf(&x->stype, sv_cstr(rb_attr(atts, "type")));
			x->stype_depth = x->xml.depth;
		} else if (x->stype_depth && x->xml.depth == x->stype_depth + 1 &&
			   !x->t[T_SUBTYPE].len) {
			capture(x, &x->t[T_SUBTYPE]);
		}
		break;
	case SEC_CONN:
		if (rel == 2 && sv_eq(n, "connection-result"))
			capture(x, &x->t[T_CONN]);
		else if (rel == 2 && sv_eq(n, "server"))
			capture(x, &x->t[T_SERVER]);
		else if (sv_eq(n, "incident"))
			begin_entry(x, "connection", atts);
		break;
	case SEC_COUNTERS:
		rb_set_buf(&x->cname, n);
		capture(x, &x->t[T_COUNTER]);
		break;
	case SEC_ERRORS:
		if (rel == 2)
			begin_entry(x, sv_eq(n, "export-error") ? "export" : x->err_cat, atts);
		break;
	default:
		break;
	}
}

static void XMLCALL
on_end(void *ctx, const XML_Char *name)
{
	struct rx *x = ctx;
	unsigned depth = x->xml.depth--;

	(void)name;
	if (x->xml.stopped || !x->run_depth)
		return;
	if (x->tgt && depth == x->tgt_depth) {
		if (x->tgt == &x->t[T_COUNTER])
			end_counter(x);
		x->tgt = NULL;
	}
	if (x->xml.stopped)
		return;
	if (x->entry_depth && depth == x->entry_depth) {
		x->entry_depth = 0;
		rb_entry_end(&x->xml, "at");
	} else if (x->step_depth && depth == x->step_depth) {
		x->step_depth = 0;
		end_step(x);
	} else if (depth == x->run_depth) {
		x->run_depth = 0;
		end_run(x);
	} else if (x->step_depth && depth == x->step_depth + 1) {
		x->sec = SEC_NONE;
	} else if (depth == x->stype_depth) {
		x->stype_depth = 0;
	}
}

static void XMLCALL
on_text(void *ctx, const XML_Char *s, int len)
{
	struct rx *x = ctx;
	struct buf *b = x->tgt;

	if (!b || x->xml.stopped || len <= 0)
		return;
	if (!buf_add(b, s, (size_t)len) && !x->tgt_cut) {
		x->tgt_cut = true;
		text_drop_partial_utf8(b);
		rb_xml_problem(&x->xml, cur_line(x), rb_xml_offset(&x->xml), 0, "text over %zu "
			       "bytes at line %" PRIu64 ": cut", b->max, cur_line(x));
	}
}

/* At the end of a whole file. */
static int
tail(void *ctx)
{
	struct rx *x = ctx;

	if (x->b.runs == 0 && !x->b.open)
		return ec_problemf(x->xml.sink, 0, UINT64_MAX, 0, 0, "no <run-details> element found");
	return 0;
}

static int
runxml_parse(const struct ec_input *inp)
{
	struct rx *x = xcalloc(1, sizeof(*x));
	int rc;

	for (int i = 0; i < T_NTGT; i++)
		buf_init(&x->t[i], FIELD_MAX);
	buf_init(&x->cname, FIELD_MAX);
	buf_init(&x->stype, FIELD_MAX);
	rb_xml_init(&x->xml, inp, &x->b, "run-details", x, on_start, on_end, on_text, tail);
	rb_init(&x->b, inp->sink, &x->xml.problems, RB_XML);
	rc = rb_xml_parse(&x->xml);
	for (int i = 0; i < T_NTGT; i++)
		buf_release(&x->t[i]);
	buf_release(&x->cname);
	buf_release(&x->stype);
	rb_release(&x->b);
	rb_xml_release(&x->xml);
	free(x);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------- */

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && rb_is_ws(*p))
		p++;
	return p;
}

static bool
starts_with_elem(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	return (size_t)(end - p) > n + 1 && p[0] == '<' && memcmp(p + 1, name, n) == 0 &&
	       (p[n + 1] == '>' || p[n + 1] == '/' || rb_is_ws(p[n + 1]));
}

/* 90 when the first element is <run-history> or <run-details>, after an
 * optional XML declaration, comments and white space. */
static int
runxml_sniff(const struct ec_sniff *s)
{
	const char *p = s->text, *end;

	if (!p)
		return 0;
	end = p + s->text_len;
	if (s->text_len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	for (;;) {
		const char *q;

		p = skip_ws(p, end);
		if ((size_t)(end - p) >= 5 && memcmp(p, "<?xml", 5) == 0) {
			q = p + 5;
			while (q + 1 < end && !(q[0] == '?' && q[1] == '>'))
				q++;
			if (q + 1 >= end)
				return 0;
			p = q + 2;
		} else if ((size_t)(end - p) >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = p + 4;
			while (q + 2 < end && memcmp(q, "-->", 3) != 0)
				q++;
			if (q + 2 >= end)
				return 0;
			p = q + 3;
		} else {
			break;
		}
	}
	return starts_with_elem(p, end, "run-history") || starts_with_elem(p, end, "run-details")
		       ? 90 : 0;
}

const struct ec_format fmt_runxml = {
	.name = "runxml",
	.title = "Sync engine run-history XML (MIIS_RunHistory.RunDetails(), "
		 "Get-ADSyncToolsRunHistory, Synchronization Service Manager)",
	.identifies = "<run-history> or <run-details> as the first element, after an optional "
		      "<?xml ...?>",
	.binary = false,
	.sniff = runxml_sniff,
	.parse = runxml_parse,
};
