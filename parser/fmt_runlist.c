/* SPDX-License-Identifier: MIT */
/* fmt_runlist.c - Format-List text of run history copied from a console or
 * written by Out-File: `Get-ADSyncRunProfileResult | Format-List` and
 * `Get-ADSyncRunStepResult | fl` (FAS e.2).
 *
 * An object is a block of "Name : Value" lines; blocks are separated by
 * blank lines. Names are padded to the longest one of the block, so the
 * colons line up: a property line has a name, spaces, a colon at that
 * column, then a space and the value. Values longer than the console go on
 * on the next lines, without a "Name :" prefix:
 *   - Format-List wraps them itself at the console width, at a space when
 *     there is one (the space is dropped) and indents the next line to the
 *     value column;
 *   - the console hard-wraps lines longer than itself, even in the middle of
 *     a word, without indenting.
 * The width is taken as the length (in console cells) of the longest line of
 * the block, commonly 120 or 80. A continuation is joined to the line before
 * it without a space when that line fills the width (a cut), else with a
 * space (a word wrap), except in XML values, where nothing is put between a
 * '>' and a '<' (the XML's own line breaks). The indentation Format-List adds
 * is removed.
 *
 * A block with RunProfileName, ConnectorName, Result or RunNumber is a run.
 * Its RunStepResults shows type names ("{Microsoft.IdentityManagement.
 * PowerShell.ObjectModel.RunStepResult, ...}"), not the steps: steps come
 * from the blocks with StepNumber, StepResult or StepHistoryId (RunStepResult
 * objects) that follow a run block with the same RunHistoryId, or make a run
 * of their own (runps.h). Lines of XML outside the blocks' properties, as the
 * jpazureid collector writes the SyncErrorsXml of the steps after them
 * (`.SyncErrors.SyncErrorsXml | Out-File`), are the errors of the last step
 * read; a line of '=' ends a run. Other blocks (prompts, headers, other
 * objects) are skipped.
 *
 * Dates are the engine's UTC values as DateTime.ToString() shows them in the
 * exporter's culture ("4/8/2022 8:13:31 PM") or ISO-like without a zone
 * ("2022-04-08T20:13:31.163"): read as UTC (TQ_EXACT). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/parser.h"
#include "parser/runps.h"
#include "parser/textutil.h"

#define MAX_BLOCK_LINES 65536	/* lines kept per block */
#define MAX_PROPS 4096		/* properties read per block */

struct bline {
	size_t off, len;	/* the line in block, trailing spaces removed */
	size_t cells;		/* its width on a console */
	uint64_t lineno;
};

struct prop {
	struct sv name;		/* in block */
	size_t off, len;	/* the joined value in val */
	bool xml;		/* the value is XML */
	uint64_t lineno;
};

struct runlist_state {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct linereader lr;
	struct csvread dates;	/* for csv_time() alone (never csv_init()ed); its
				 * problems count is the reader's */
	struct runps rp;

	/* the block being read */
	struct buf block;	/* its lines, bounded by max_record */
	struct bline *line;
	size_t nlines, cap;
	uint64_t block_line, block_offset;
	uint64_t cut_lines;	/* lines past the bounds, not kept */
	struct buf val;		/* the joined values */
	struct prop prop[MAX_PROPS];
	size_t nprops;

	bool type_steps;	/* the open run showed RunStepResults as type names */
	uint64_t type_steps_line;
	bool told_steps;
};

/* ---- lines -------------------------------------------------------------- */

/* Console cells of UTF-8 text: East Asian wide characters take two. */
static size_t
cells(struct sv v)
{
	size_t n = 0;

	for (size_t i = 0; i < v.n;) {
		unsigned char c = (unsigned char)v.p[i];
		unsigned cp = c;
		size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

		if (i + k > v.n)
			k = v.n - i;
		if (k == 3)
			cp = (unsigned)(c & 0x0F) << 12 | (unsigned)(v.p[i + 1] & 0x3F) << 6 |
			     (unsigned)(v.p[i + 2] & 0x3F);
		else if (k == 4)
			cp = 0x10000;
		n += (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
		     (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
		     (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
		     (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x10000 ? 2 : 1;
		i += k;
	}
	return n;
}

static struct sv
bline_sv(const struct runlist_state *st, size_t i)
{
	return sv_make(st->block.data + st->line[i].off, st->line[i].len);
}

static bool
ident_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* "Name<spaces>: value" or "Name<spaces>:": the colon's column, else -1. */
static long
prop_colon(struct sv l)
{
	size_t i = 0, name_end;

	if (!l.n || !((l.p[0] >= 'A' && l.p[0] <= 'Z') || (l.p[0] >= 'a' && l.p[0] <= 'z') ||
		      l.p[0] == '_'))
		return -1;
	while (i < l.n && ident_char(l.p[i]))
		i++;
	name_end = i;
	while (i < l.n && l.p[i] == ' ')
		i++;
	if (i == name_end || i >= l.n || l.p[i] != ':' || (i + 1 < l.n && l.p[i + 1] != ' '))
		return -1;
	return (long)i;
}

/* A line of '=' (three or more): the jpazureid collector's separator. */
static bool
separator(struct sv l)
{
	l = sv_trim(l);
	if (l.n < 3)
		return false;
	for (size_t i = 0; i < l.n; i++) {
		if (l.p[i] != '=')
			return false;
	}
	return true;
}

/* ---- blocks ------------------------------------------------------------- */

/* The block's properties, continuation lines joined. */
static void
properties(struct runlist_state *st, size_t first, long colon)
{
	size_t width = 0, valcol = (size_t)colon + 2;
	struct prop *pr = NULL;

	for (size_t i = first; i < st->nlines; i++) {
		if (st->line[i].cells > width)
			width = st->line[i].cells;
	}
	buf_reset(&st->val);
	st->nprops = 0;
	for (size_t i = first; i < st->nlines; i++) {
		struct sv l = bline_sv(st, i);

		if (prop_colon(l) == colon) {
			struct sv v = (size_t)colon + 1 < l.n ? sv_make(l.p + colon + 1, l.n - (size_t)colon - 1)
							      : SV_NULL;

			if (st->nprops >= MAX_PROPS) {
				pr = NULL;
				continue;
			}
			pr = &st->prop[st->nprops++];
			pr->name = sv_trim(sv_make(l.p, (size_t)colon));
			if (v.n && v.p[0] == ' ')
				v = sv_make(v.p + 1, v.n - 1);
			pr->off = st->val.len;
			buf_addsv(&st->val, v);
			pr->len = st->val.len - pr->off;
			pr->xml = v.n && v.p[0] == '<';
			pr->lineno = st->line[i].lineno;
			continue;
		}
		if (!pr)
			continue;
		{
			bool full = st->line[i - 1].cells >= width;
			size_t sp = 0;

			while (sp < l.n && l.p[sp] == ' ')
				sp++;
			/* Format-List's own indentation goes; a cut line is joined as it is. */
			if (sp >= valcol)
				l = sv_make(l.p + valcol, l.n - valcol);
			else if (!full)
				l = sv_make(l.p + sp, l.n - sp);
			if (!full) {
				char last = st->val.len > pr->off ? st->val.data[st->val.len - 1] : 0;
				struct sv t = sv_trim(l);

				if (!(pr->xml && (last == '>' || (t.n && t.p[0] == '<'))) && pr->len)
					buf_addc(&st->val, ' ');
				l = t;
			}
			buf_addsv(&st->val, l);
			pr->len = st->val.len - pr->off;
		}
	}
}

static struct sv
prop_value(const struct runlist_state *st, const struct prop *p)
{
	return sv_make(st->val.data + p->off, p->len);
}

static int
type_steps_check(struct runlist_state *st)
{
	if (!st->type_steps)
		return 0;
	st->type_steps = false;
	if (st->told_steps)
		return 0;
	st->told_steps = true;
	return rb_problemf(&st->rp.b, st->type_steps_line, UINT64_MAX,
			   "RunStepResults shows type names in Format-List: the steps are not in "
			   "the text (run at line %" PRIu64 ")", st->type_steps_line);
}

/* A block of XML lines: the errors of the last step read. */
static void
xml_block(struct runlist_state *st)
{
	struct runps *rp = &st->rp;
	struct sv first = sv_trim(bline_sv(st, 0));
	const char *category = sv_starts(first, "<ma-discovery-errors") ? "discovery" :
			       sv_starts(first, "<mv-retry-errors") ? "mv-retry" : "sync";

	if (!rb_in_step(&rp->b))
		return;
	buf_reset(&st->val);
	for (size_t i = 0; i < st->nlines; i++) {
		buf_addsv(&st->val, bline_sv(st, i));
		buf_addc(&st->val, '\n');
	}
	runps_errors_xml(rp, category, buf_sv(&st->val));
}

static int
block(struct runlist_state *st)
{
	struct runps *rp = &st->rp;
	size_t first = 0;
	long colon = -1;
	bool run = false, step = false;
	struct sv rhid = SV_NULL;
	int rc;

	if (!st->nlines)
		return 0;
	if (st->cut_lines &&
	    (rc = rb_problemf(&rp->b, st->block_line, st->block_offset, "block at line %" PRIu64
			      " too long: %" PRIu64 " lines past %zu bytes or %d lines not read",
			      st->block_line, st->cut_lines, st->block.max, MAX_BLOCK_LINES)) != 0)
		return rc;
	while (first < st->nlines && (colon = prop_colon(bline_sv(st, first))) < 0)
		first++;
	if (first == st->nlines) {
		struct sv l = sv_trim(bline_sv(st, 0));

		if (l.n && l.p[0] == '<')
			xml_block(st);
		return 0;
	}
	properties(st, first, colon);
	for (size_t i = 0; i < st->nprops; i++) {
		enum runps_field f = runps_field(st->prop[i].name);

		run |= f == RP_PROFILE || f == RP_CONNECTOR_NAME || f == RP_RESULT || f == RP_RUN_NUMBER;
		step |= f == RP_STEP_NUMBER || f == RP_STEP_RESULT || f == RP_STEP_HISTORY_ID;
		if (f == RP_RUN_HISTORY_ID)
			rhid = prop_value(st, &st->prop[i]);
	}
	if (!run && !step)
		return 0;
	st->dates.offset = st->block_offset;
	if (run) {
		if ((rc = type_steps_check(st)) != 0 ||
		    (rc = rb_run_begin(&rp->b, st->block_line, UINT64_MAX)) != 0)
			return rc;
	} else {
		if ((rc = rb_step_object(&rp->b, st->block_line, rhid)) != 0)
			return rc;
		if (rp->b.from_steps && rp->b.nsteps == 1 && (rc = type_steps_check(st)) != 0)
			return rc;
		st->type_steps = false;
	}
	for (size_t i = 0; i < st->nprops; i++) {
		const struct prop *p = &st->prop[i];
		struct sv v = prop_value(st, p);

		if (run && runps_field(p->name) == RP_RUN_STEP_RESULTS) {
			v = sv_trim(v);
			if (v.n > 2 && runps_type_name(v)) {
				st->type_steps = true;
				st->type_steps_line = st->block_line;
			}
			continue;
		}
		if ((rc = runps_set(rp, !run, p->name, v, p->lineno)) != 0)
			return rc;
	}
	return 0;
}

/* Add a line to the block being read. */
static void
add_line(struct runlist_state *st, struct sv l)
{
	struct bline *b;

	while (l.n && (l.p[l.n - 1] == ' ' || l.p[l.n - 1] == '\t'))
		l.n--;
	if (!st->nlines) {
		st->block_line = st->lr.lineno;
		st->block_offset = st->lr.offset;
	}
	if (st->nlines >= MAX_BLOCK_LINES || l.n > st->block.max - st->block.len) {
		st->cut_lines++;
		return;
	}
	if (st->nlines == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 64;
		st->line = xrealloc(st->line, st->cap * sizeof(*st->line));
	}
	b = &st->line[st->nlines++];
	b->off = st->block.len;
	b->len = l.n;
	b->cells = cells(l);
	b->lineno = st->lr.lineno;
	buf_addsv(&st->block, l);
}

static int
end_block(struct runlist_state *st)
{
	int rc = block(st);

	buf_reset(&st->block);
	st->nlines = 0;
	st->cut_lines = 0;
	return rc;
}

static int
run(struct runlist_state *st)
{
	struct sv l;
	int r, rc;

	while ((r = lr_next(&st->lr, &l)) == 1) {
		bool has_nul = l.n && memchr(l.p, 0, l.n);

		if ((st->lr.nul_bytes || st->lr.cut_bytes || st->lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&st->lr, st->sink, has_nul, &st->dates.problems)) != 0)
			return rc;
		if (text_blank(l)) {
			if ((rc = end_block(st)) != 0)
				return rc;
			continue;
		}
		if (separator(l)) {
			if ((rc = end_block(st)) != 0 || (rc = type_steps_check(st)) != 0 ||
			    (rc = rb_run_end(&st->rp.b)) != 0)
				return rc;
			continue;
		}
		add_line(st, l);
	}
	if ((rc = end_block(st)) != 0 || (rc = type_steps_check(st)) != 0 ||
	    (rc = rb_run_end(&st->rp.b)) != 0)
		return rc;
	return text_finish(&st->lr, st->sink, st->dates.problems, r);
}

static int
runlist_parse(const struct ec_input *inp)
{
	struct runlist_state *st = xcalloc(1, sizeof(*st));
	int rc;

	st->inp = inp;
	st->sink = inp->sink;
	lr_init(&st->lr, inp->in, inp->enc.enc, inp->enc.bom, text_max_line(inp->opt));
	st->dates.inp = inp;
	st->dates.sink = inp->sink;
	st->dates.offset = UINT64_MAX;
	runps_init(&st->rp, inp, &st->dates.problems, &st->dates);
	buf_init(&st->block, text_max_record(inp->opt));
	buf_init(&st->val, text_max_record(inp->opt));
	rc = run(st);
	buf_release(&st->val);
	buf_release(&st->block);
	free(st->line);
	runps_release(&st->rp);
	lr_release(&st->lr);
	free(st);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------- */

struct sniff_seen {
	bool rhid, other;
};

static bool
names_prop(struct sv l, const char *name)
{
	size_t n = strlen(name);

	return sv_starts(l, name) && prop_colon(l) >= (long)n && ident_char(l.p[n]) == false;
}

static int
runlist_judge(void *ctx, struct sv line, int seen)
{
	struct sniff_seen *s = ctx;

	(void)seen;
	s->rhid |= names_prop(line, "RunHistoryId");
	s->other |= names_prop(line, "ConnectorName") || names_prop(line, "StepHistoryId");
	return s->rhid && s->other ? 90 : 0;
}

static int
runlist_sniff(const struct ec_sniff *s)
{
	struct sniff_seen seen = { false, false };

	return text_sniff_lines(s, 40, runlist_judge, &seen);
}

const struct ec_format fmt_runlist = {
	.name = "runlist",
	.title = "Get-ADSyncRunProfileResult or Get-ADSyncRunStepResult | Format-List",
	.identifies = "a \"RunHistoryId :\" line and a \"ConnectorName :\" or \"StepHistoryId :\" "
		      "line among the first 40 lines",
	.binary = false,
	.sniff = runlist_sniff,
	.parse = runlist_parse,
};
