/* SPDX-License-Identifier: MIT */
/* fmt_runclixml.c - sync engine run history as PowerShell CLIXML: what
 * Export-Clixml (and ADSyncTools Export-ADSyncToolsRunHistory) write of
 * Get-ADSyncRunProfileResult and Get-ADSyncRunStepResult objects
 * (FORMATS-AND-SIGNATURES.md e.2; the CLIXML grammar is MS-PSRP 2.2.5,
 * "Serialization").
 *
 *   <Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
 *     <Obj RefId="0"><TN RefId="0"><T>...RunProfileResult</T>...</TN>
 *       <Props><G N="RunHistoryId">...</G><S N="ConnectorName">...</S>
 *         <DT N="StartDate">2022-04-08T20:13:31.163Z</DT>
 *         <Obj N="RunStepResults" RefId="1"><TN ...><LST>
 *           <Obj RefId="2"><TN ...RunStepResult...><Props>... counters,
 *             <S N="ConnectorConnectionInformationXml">&lt;connection-result&gt;...</S>,
 *             <Obj N="SyncErrors"><Props><S N="SyncErrorsXml">...</S>...
 *
 * Each top-level <Obj> is one run: a RunProfileResult with the steps of its
 * RunStepResults, or a RunStepResult alone as a run of that one step. The
 * kind comes from the type names (<TN>, or a <TNRef> to an earlier one),
 * else from the properties the object has. Properties are read from <Props>
 * and <MS> alike; strings are decoded from CLIXML's _xHHHH_ escapes; the
 * XML held in string properties (connection information, step description,
 * error lists) is read by a second expat parser as the text arrives. A <Ref>
 * in a run's step list to a step object read earlier copies that step;
 * other references are ignored.
 *
 * The runs are built, the input streamed to expat and the error entries
 * read by runbuild.h, as in fmt_runxml.c: caps and damage as there. */
#include <expat.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/xalloc.h"
#include "parser/parser.h"
#include "parser/runbuild.h"
#include "parser/textutil.h"

#define FIELD_MAX 4096			/* property values, names, codes */
#define MAX_KEPT RB_MAX_STEPS		/* steps kept for <Ref> */
#define MAX_TN 256			/* type name lists that name a run or a step */
#define MAX_FRAMES 128			/* elements whose role is followed */
#define MAX_DOC_DEPTH 4096		/* elements nested: beyond, the parse stops */
#define FRAG_TAG_MAX ((size_t)1 << 20)	/* markup in an XML property */

/* ---- small readers ------------------------------------------------------ */

static const struct ec_time no_time = { 0, -1, TQ_NONE };

static bool
ends_with(struct sv v, const char *lit)
{
	size_t n = strlen(lit);

	return v.n >= n && memcmp(v.p + v.n - n, lit, n) == 0;
}

/* ---- the parse ---------------------------------------------------------- */

/* What an element is, in the CLIXML grammar. */
enum kind { K_ROOT, K_OBJS, K_OBJ, K_TN, K_T, K_PROPS, K_LIST, K_PRIM, K_TOSTRING, K_OTHER };

/* What an <Obj> is to us. */
enum role {
	R_NONE,
	R_TOP,		/* a top-level object: a run, or a step alone */
	R_STEPLIST,	/* a run's RunStepResults */
	R_STEP,		/* a step in it */
	R_ERRS,		/* SyncErrors, ConnectorDiscoveryErrors, MvRetryErrors of a step */
	R_VALUE,	/* a property of a run or step written as an object (its ToString) */
	R_ARRAY,	/* a top-level collection (Export-Clixml -InputObject $runs): its items are */
	R_OTHER,
};

/* Type names that say what an object is. */
#define TF_RUN 1u
#define TF_STEP 2u

struct frame {
	unsigned char kind, role;
	unsigned char owner;		/* R_ERRS, R_VALUE: the role of the object it belongs to */
	unsigned char tflags;		/* K_OBJ: TF_* from its type names */
	const char *cat;		/* R_ERRS: the category of its errors */
};

/* A step being read: one inside a run, or the top-level object as a step.
 * Its counters and errors go to the builder's open step: a step of the run
 * opens one when it starts, the top-level object when it first has some
 * (or when it turns out to be a step); an object with RunStepResults is a
 * run, and what it had as a step is then forgotten. */
struct sstep {
	bool open;
	uint64_t line;
	int64_t number;
	struct buf result, type, subtype, conn, server;
	struct ec_time start, end;
	bool any;
	bool props;			/* it has properties at all */
	char refid[32];
};

struct tname {
	char id[32];
	unsigned char flags;
};

struct kref {
	char id[32];
	size_t idx;			/* in keep.step */
};

/* What the text of the element being read is for. */
enum cap { C_NONE, C_PROP, C_T, C_TOSTRING, C_FRAG };

struct cx {
	struct rb_xml xml;		/* the feed; xml.depth counts the open elements */
	struct runbuild b;		/* the run of the top-level object, open while it is */
	struct runbuild keep;		/* steps kept for <Ref>, as the steps of one open run */
	struct frame fr[MAX_FRAMES];

	/* the element's text */
	enum cap cap;
	unsigned cap_depth;
	unsigned char cap_owner;	/* C_PROP: role of the object the property is of */
	struct buf pname, ptype, val;
	bool val_cut;
	char esc[8];			/* a _xHHHH_ escape being read */
	size_t nesc;
	unsigned hi;			/* a high surrogate waiting for its low half */
	struct buf dec;			/* decoded text on its way */

	/* type names */
	struct tname tn[MAX_TN];
	size_t ntn;
	char tn_id[32];
	unsigned char tn_flags;

	/* the top-level object */
	bool top_open;
	uint64_t line, offset;
	unsigned char top_tflags;
	bool run_props, saw_steplist;
	struct buf rhid, cid, cname, profile, user, rresult;
	int64_t run_number;
	int complete;			/* IsRunComplete: -1 not seen */
	struct ec_time rstart, rend;
	uint64_t steps_as_text, refs_missed;
	struct sstep self, step;
	bool self_open;			/* the builder's open step is self's */

	/* the XML property being read */
	XML_Parser fxp;
	bool frag_ok;
	const char *fcat;		/* category of its error entries */
	unsigned fdepth, fentry, fstype, fcont;
	const char *fcont_cat;
	struct buf *ftarget;
	unsigned ftgt_depth;
	bool ftgt_cut, fin_tag, fdecl;
	struct buf fpend;		/* decoded bytes not yet fed to it */
	size_t ftag;
	struct sstep *fstep;		/* the step it is about */

	struct kref *kept;
	size_t nkept;
	uint64_t others;
};

static const struct frame other_frame = { K_OTHER, R_OTHER, R_NONE, 0, NULL };

static const struct frame *
frame_at(const struct cx *x, unsigned d)
{
	return d < MAX_FRAMES ? &x->fr[d] : &other_frame;
}

static uint64_t
cur_line(struct cx *x)
{
	return rb_xml_line(&x->xml);
}

static uint64_t
cur_offset(struct cx *x)
{
	return rb_xml_offset(&x->xml);
}

static void
copy_id(char out[32], const char *id)
{
	out[0] = '\0';
	if (id && strlen(id) < 32)
		memcpy(out, id, strlen(id) + 1);
}

/* ---- steps -------------------------------------------------------------- */

static void
step_init(struct sstep *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->result, FIELD_MAX);
	buf_init(&s->type, FIELD_MAX);
	buf_init(&s->subtype, FIELD_MAX);
	buf_init(&s->conn, FIELD_MAX);
	buf_init(&s->server, FIELD_MAX);
}

static void
step_release(struct sstep *s)
{
	buf_release(&s->result);
	buf_release(&s->type);
	buf_release(&s->subtype);
	buf_release(&s->conn);
	buf_release(&s->server);
}

/* What the top-level object had as a step is forgotten: it is a run. */
static void
drop_self(struct cx *x)
{
	if (x->self_open)
		rb_step_discard(&x->b);
	x->self_open = false;
}

/* The builder's open step is s (the top-level object opens one when it
 * first needs it); false if it cannot be. */
static bool
to_builder(struct cx *x, const struct sstep *s)
{
	if (s == &x->step || x->self_open)
		return true;
	if (x->step.open || !x->b.open)
		return false;
	rb_step_begin(&x->b, s->line);
	rb_errors_known(&x->b);
	x->self_open = true;
	return true;
}

static void
begin_step(struct cx *x, struct sstep *s, const char *refid)
{
	buf_reset(&s->result);
	buf_reset(&s->type);
	buf_reset(&s->subtype);
	buf_reset(&s->conn);
	buf_reset(&s->server);
	s->open = true;
	s->line = cur_line(x);
	s->number = -1;
	s->start = s->end = no_time;
	s->any = s->props = false;
	copy_id(s->refid, refid);
	if (s == &x->step) {
		drop_self(x);
		rb_step_begin(&x->b, s->line);
		rb_errors_known(&x->b);
	}
}

/* Keep a step that has a RefId for the <Ref>s that may follow. */
static void
keep_step(struct cx *x, const char *refid)
{
	if (!refid[0] || x->nkept == MAX_KEPT || x->keep.nsteps == RB_MAX_STEPS)
		return;
	if (!rb_copy_step(&x->keep, &x->b, x->b.nsteps - 1, true))
		return;
	x->kept = xrealloc(x->kept, (x->nkept + 1) * sizeof(*x->kept));
	copy_id(x->kept[x->nkept].id, refid);
	x->kept[x->nkept].idx = x->keep.nsteps - 1;
	x->nkept++;
}

static void
end_step(struct cx *x, struct sstep *s)
{
	struct runbuild *b = &x->b;

	s->open = false;
	if (s == &x->step && !s->props) {
		/* Written without its properties (past Export-Clixml's -Depth). */
		x->steps_as_text++;
		rb_step_discard(b);
		return;
	}
	if (!to_builder(x, s))
		return;
	x->self_open = false;
	rb_step_number(b, s->number);
	rb_set(b, RB_STEP_TYPE, buf_sv(&s->type));
	rb_set(b, RB_STEP_SUBTYPE, buf_sv(&s->subtype));
	rb_set(b, RB_STEP_RESULT, buf_sv(&s->result));
	rb_set(b, RB_CONNECTION_RESULT, buf_sv(&s->conn));
	rb_set(b, RB_CONNECTION_SERVER, buf_sv(&s->server));
	rb_time(b, RB_STEP_START, s->start);
	rb_time(b, RB_STEP_END, s->end);
	if (rb_step_end(b))
		keep_step(x, s->refid);
}

/* A <Ref> in a run's step list. */
static void
follow_ref(struct cx *x, const char *refid)
{
	for (size_t i = 0; refid && i < x->nkept; i++) {
		if (!strcmp(x->kept[i].id, refid)) {
			drop_self(x);
			rb_copy_step(&x->b, &x->keep, x->kept[i].idx, false);
			return;
		}
	}
	x->refs_missed++;
}

/* ---- error entries ------------------------------------------------------ */

static void
begin_entry(struct cx *x, const char *category, const XML_Char **atts)
{
	x->fentry = x->fdepth;
	rb_entry_begin(&x->xml, category, atts);
}

static void
end_entry(struct cx *x)
{
	x->fentry = 0;
	if (to_builder(x, x->fstep))
		rb_entry_end(&x->xml, "near");
}

/* ---- XML properties: a second parser over the decoded string ------------ */

static void
fcapture(struct cx *x, struct buf *b)
{
	x->ftarget = b;
	x->ftgt_depth = x->fdepth;
	x->ftgt_cut = false;
	buf_reset(b);
}

static void XMLCALL
f_start(void *ctx, const XML_Char *name, const XML_Char **atts)
{
	struct cx *x = ctx;
	struct sv n = rb_local_name(name);
	struct sstep *s = x->fstep;

	x->fdepth++;
	x->ftarget = NULL;
	if (x->fentry) {
		struct buf *t = rb_entry_child(&x->xml, n);

		if (t)
			fcapture(x, t);
		return;
	}
	if (sv_eq(n, "step-type")) {
		rb_set_buf(&s->type, sv_cstr(rb_attr(atts, "type")));
		x->fstype = x->fdepth;
	} else if (x->fstype && x->fdepth == x->fstype + 1) {
		if (!s->subtype.len)
			fcapture(x, &s->subtype);
	} else if (sv_eq(n, "incident")) {
		begin_entry(x, "connection", atts);
	} else if (sv_eq(n, "connection-result")) {
		fcapture(x, &s->conn);
	} else if (sv_eq(n, "server")) {
		fcapture(x, &s->server);
	} else if (x->fcont && x->fdepth == x->fcont + 1) {
		begin_entry(x, sv_eq(n, "export-error") ? "export" : x->fcont_cat, atts);
	} else if (!x->fcont && ends_with(n, "-errors")) {
		x->fcont = x->fdepth;
		x->fcont_cat = rb_errors_category(n, x->fcat);
	} else if (!x->fcont && ends_with(n, "-error") && !sv_eq(n, "cd-error")) {
		begin_entry(x, sv_eq(n, "export-error") ? "export" : x->fcat, atts);
	}
}

static void XMLCALL
f_end(void *ctx, const XML_Char *name)
{
	struct cx *x = ctx;
	unsigned d = x->fdepth--;

	(void)name;
	x->ftarget = NULL;
	if (x->fentry && d == x->fentry)
		end_entry(x);
	else if (d == x->fstype)
		x->fstype = 0;
	else if (d == x->fcont)
		x->fcont = 0;
}

static void XMLCALL
f_text(void *ctx, const XML_Char *s, int len)
{
	struct cx *x = ctx;

	if (!x->ftarget || len <= 0)
		return;
	if (!buf_add(x->ftarget, s, (size_t)len) && !x->ftgt_cut) {
		x->ftgt_cut = true;
		text_drop_partial_utf8(x->ftarget);
		rb_xml_problem(&x->xml, cur_line(x), UINT64_MAX, 0, "text over %zu bytes in %s near line %"
			PRIu64 ": cut", x->ftarget->max, x->pname.data, cur_line(x));
	}
}

static void
frag_begin(struct cx *x, struct sstep *s, const char *category)
{
	XML_ParserReset(x->fxp, "UTF-8");
	XML_SetUserData(x->fxp, x);
	XML_SetElementHandler(x->fxp, f_start, f_end);
	XML_SetCharacterDataHandler(x->fxp, f_text);
	x->fstep = s;
	x->fcat = category;
	x->fdepth = x->fentry = x->fstype = x->fcont = 0;
	x->ftarget = NULL;
	x->fin_tag = x->fdecl = false;
	x->ftag = 0;
	buf_reset(&x->fpend);
	x->frag_ok = true;
	if (XML_Parse(x->fxp, "<r>", 3, XML_FALSE) == XML_STATUS_ERROR)
		x->frag_ok = false;
}

static void
frag_parse(struct cx *x, const char *p, size_t n, bool final)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '<') {
			x->fin_tag = true;
			x->ftag = 0;
		} else if (p[i] == '>') {
			x->fin_tag = false;
		} else if (x->fin_tag && ++x->ftag > FRAG_TAG_MAX) {
			x->frag_ok = false;
			rb_xml_problem(&x->xml, cur_line(x), UINT64_MAX, 0, "%s near line %" PRIu64 " has markup "
				"over %zu bytes: the rest of it is not read", x->pname.data,
				cur_line(x), FRAG_TAG_MAX);
			return;
		}
	}
	if (XML_Parse(x->fxp, p, (int)n, final) == XML_STATUS_ERROR) {
		x->frag_ok = false;
		rb_xml_problem(&x->xml, cur_line(x), UINT64_MAX, 0, "%s near line %" PRIu64 " is not well-formed "
			"XML (its line %lu): %s: the rest of it is not read", x->pname.data,
			cur_line(x), (unsigned long)XML_GetCurrentLineNumber(x->fxp),
			XML_ErrorString(XML_GetErrorCode(x->fxp)));
	}
}

/* Feed the decoded string, declarations blanked. */
static void
frag_feed(struct cx *x, const char *p, size_t n, bool final)
{
	size_t k;

	if (!x->frag_ok)
		return;
	if (!buf_add(&x->fpend, p, n)) {
		x->frag_ok = false;
		rb_xml_problem(&x->xml, cur_line(x), UINT64_MAX, 0, "%s near line %" PRIu64 " is too large: the "
			"rest of it is not read", x->pname.data, cur_line(x));
		return;
	}
	k = rb_xml_scrub(&x->fdecl, x->fpend.data, x->fpend.len, final);
	frag_parse(x, x->fpend.data, k, final && k == x->fpend.len);
	memmove(x->fpend.data, x->fpend.data + k, x->fpend.len - k);
	x->fpend.len -= k;
	x->fpend.data[x->fpend.len] = '\0';
}

static void
frag_end(struct cx *x)
{
	frag_feed(x, "</r>", 4, true);
	if (x->fentry && x->fstep)
		x->fentry = 0;
}

/* ---- strings: CLIXML's _xHHHH_ escapes ---------------------------------- */

static void
put_unit(struct cx *x, unsigned u)
{
	if (u == 0)
		return;
	if (x->hi) {
		if (u >= 0xDC00 && u <= 0xDFFF) {
			utf8_put(&x->dec, 0x10000 + ((x->hi - 0xD800) << 10) + (u - 0xDC00));
			x->hi = 0;
			return;
		}
		utf8_put(&x->dec, 0xFFFD);
		x->hi = 0;
	}
	if (u >= 0xD800 && u <= 0xDBFF)
		x->hi = u;
	else if (u >= 0xDC00 && u <= 0xDFFF)
		utf8_put(&x->dec, 0xFFFD);
	else
		utf8_put(&x->dec, u);
}

static void
put_byte(struct cx *x, char c)
{
	if (x->hi) {
		utf8_put(&x->dec, 0xFFFD);
		x->hi = 0;
	}
	buf_addc(&x->dec, c);
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One more byte of a string: "_x000D_" is a CR. */
static void
unescape_byte(struct cx *x, char c)
{
	for (;;) {
		size_t k = x->nesc;
		bool fits;

		if (k == 0) {
			if (c == '_') {
				x->esc[x->nesc++] = c;
				return;
			}
			put_byte(x, c);
			return;
		}
		fits = (k == 1 && c == 'x') || (k >= 2 && k <= 5 && is_hex(c)) || (k == 6 && c == '_');
		if (fits) {
			x->esc[x->nesc++] = c;
			if (x->nesc == 7) {
				unsigned u = 0;

				for (int i = 2; i < 6; i++) {
					char h = x->esc[i];

					u = u * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
				}
				x->nesc = 0;
				put_unit(x, u);
			}
			return;
		}
		/* Not an escape: its first byte is text; read the rest again. */
		{
			char held[8];
			size_t n = x->nesc;

			memcpy(held, x->esc, n);
			x->nesc = 0;
			put_byte(x, held[0]);
			for (size_t i = 1; i < n; i++)
				unescape_byte(x, held[i]);
		}
	}
}

static void
unescape_flush(struct cx *x)
{
	char held[8];
	size_t n = x->nesc;

	memcpy(held, x->esc, n);
	x->nesc = 0;
	for (size_t i = 0; i < n; i++)
		put_byte(x, held[i]);
	if (x->hi) {
		utf8_put(&x->dec, 0xFFFD);
		x->hi = 0;
	}
}

/* Decoded text to where the element's text goes. */
static void
deliver(struct cx *x)
{
	if (x->cap == C_FRAG) {
		if (x->dec.len)
			frag_feed(x, x->dec.data, x->dec.len, false);
	} else if (x->dec.len && !buf_add(&x->val, x->dec.data, x->dec.len) && !x->val_cut) {
		x->val_cut = true;
		text_drop_partial_utf8(&x->val);
		rb_xml_problem(&x->xml, cur_line(x), cur_offset(x), 0, "text over %zu bytes at line %" PRIu64
			": cut", x->val.max, cur_line(x));
	}
	buf_reset(&x->dec);
}

/* ---- properties --------------------------------------------------------- */

static bool
numeric_type(struct sv t)
{
	return sv_eq(t, "I32") || sv_eq(t, "I64") || sv_eq(t, "I16") || sv_eq(t, "U16") ||
	       sv_eq(t, "U32") || sv_eq(t, "U64") || sv_eq(t, "By") || sv_eq(t, "SB");
}

/* A step counter: StageAdd, DisconnectorFiltered, ConnectorFlow, FlowFailure,
 * ExportAdd ... (numbers; the *Xml strings and ids are not). */
static bool
counter_name(struct sv n)
{
	return (sv_starts(n, "Stage") || sv_starts(n, "Disconnector") ||
		sv_starts(n, "Connector") || sv_starts(n, "Flow") || sv_starts(n, "Export")) &&
	       !sv_eq(n, "ConnectorId") && !sv_eq(n, "ConnectorName");
}

static void
add_counter(struct cx *x, struct sstep *s, struct sv name)
{
	int rc;

	if (!to_builder(x, s))
		return;
	rc = rb_counter_text(&x->b, name, buf_sv(&x->val), cur_line(x), cur_offset(x));
	if (rc)
		rb_xml_stop(&x->xml, rc);
}

static struct ec_time
prop_time(struct cx *x, struct sv name, struct sv v)
{
	struct ec_time t = no_time;

	if (v.n && !rb_read_time(v, &t)) {
		t = no_time;
		rb_xml_problem(&x->xml, cur_line(x), cur_offset(x), 0, "%.*s '%.40s' at line %" PRIu64
			" not understood: left out", (int)name.n, name.p, x->val.data, cur_line(x));
	}
	return t;
}

static int64_t
prop_number(struct cx *x, struct sv name, struct sv v)
{
	int64_t n;

	if (rb_read_i64(v, &n))
		return n;
	if (v.n)
		rb_xml_problem(&x->xml, cur_line(x), cur_offset(x), 0, "%.*s '%.40s' at line %" PRIu64
			" is not a number: left out", (int)name.n, name.p, x->val.data, cur_line(x));
	return -1;
}

/* A property of a step (of the top-level object too, in case it is one). */
static bool
step_prop(struct cx *x, struct sstep *s, struct sv name, struct sv type, struct sv v)
{
	if (sv_eq(name, "StepNumber")) {
		s->number = prop_number(x, name, v);
	} else if (sv_eq(name, "StepResult")) {
		rb_set_buf(&s->result, v);
	} else if (sv_eq(name, "StartDate")) {
		s->start = prop_time(x, name, v);
		return false;
	} else if (sv_eq(name, "EndDate")) {
		s->end = prop_time(x, name, v);
		return false;
	} else if (numeric_type(type) && counter_name(name)) {
		add_counter(x, s, name);
	} else {
		return false;
	}
	s->any = true;
	return true;
}

static void
run_prop(struct cx *x, struct sv name, struct sv type, struct sv v)
{
	(void)type;
	if (sv_eq(name, "RunHistoryId"))
		rb_set_buf(&x->rhid, v);
	else if (sv_eq(name, "ConnectorId"))
		rb_set_buf(&x->cid, v);
	else if (sv_eq(name, "ConnectorName"))
		rb_set_buf(&x->cname, v);
	else if (sv_eq(name, "RunProfileName"))
		rb_set_buf(&x->profile, v);
	else if (sv_eq(name, "RunNumber"))
		x->run_number = prop_number(x, name, v);
	else if (sv_eq(name, "Username"))
		rb_set_buf(&x->user, v);
	else if (sv_eq(name, "IsRunComplete"))
		x->complete = sv_ieq(v, "true") ? 1 : sv_ieq(v, "false") ? 0 : -1;
	else if (sv_eq(name, "Result"))
		rb_set_buf(&x->rresult, v);
	else if (sv_eq(name, "StartDate"))
		x->rstart = prop_time(x, name, v);
	else if (sv_eq(name, "EndDate"))
		x->rend = prop_time(x, name, v);
	else
		return;
	if (!sv_eq(name, "RunHistoryId") && !sv_eq(name, "StartDate") && !sv_eq(name, "EndDate"))
		x->run_props = true;
}

static void
end_prop(struct cx *x)
{
	struct sv name = buf_sv(&x->pname), type = buf_sv(&x->ptype);
	struct sv v = sv_trim(buf_sv(&x->val));

	if (x->cap_owner == R_STEP)
		x->step.props = true;
	if (sv_eq(type, "Nil"))
		return;
	if (x->cap_owner == R_TOP) {
		/* A run, or a step alone: read for both, times once. */
		run_prop(x, name, type, v);
		if (sv_eq(name, "StartDate"))
			x->self.start = x->rstart;
		else if (sv_eq(name, "EndDate"))
			x->self.end = x->rend;
		else if (!sv_eq(name, "RunNumber"))
			step_prop(x, &x->self, name, type, v);
	} else if (x->cap_owner == R_STEP) {
		step_prop(x, &x->step, name, type, v);
	}
}

/* The category of the errors an XML property lists, or NULL if it is not
 * one we read. */
static bool
xml_prop(struct sv name, const char **cat)
{
	*cat = NULL;
	if (sv_eq(name, "ConnectorConnectionInformationXml")) {
		*cat = "connection";
	} else if (sv_eq(name, "StepXml")) {
		*cat = "sync";
	} else if (sv_eq(name, "SyncErrorsXml")) {
		*cat = "sync";
	} else if (sv_eq(name, "ConnectorDiscoveryErrorsXml")) {
		*cat = "discovery";
	} else if (sv_eq(name, "MvRetryErrorsXml")) {
		*cat = "mv-retry";
	}
	return *cat != NULL;
}

static const char *
errs_cat(struct sv name)
{
	if (sv_eq(name, "SyncErrors"))
		return "sync";
	if (sv_eq(name, "ConnectorDiscoveryErrors"))
		return "discovery";
	if (sv_eq(name, "MvRetryErrors"))
		return "mv-retry";
	return NULL;
}

/* ---- the top-level object ----------------------------------------------- */

static void
begin_top(struct cx *x, const char *refid)
{
	struct buf *b[] = { &x->rhid, &x->cid, &x->cname, &x->profile, &x->user, &x->rresult };

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		buf_reset(b[i]);
	x->top_open = true;
	x->line = cur_line(x);
	x->offset = cur_offset(x);
	rb_run_begin(&x->b, x->line, x->offset);
	x->self_open = false;
	x->top_tflags = 0;
	x->run_props = x->saw_steplist = false;
	x->run_number = -1;
	x->complete = -1;
	x->rstart = x->rend = no_time;
	x->steps_as_text = x->refs_missed = 0;
	begin_step(x, &x->self, refid);
	x->step.open = false;
}

static void
emit(struct cx *x)
{
	int rc;

	if ((rc = rb_report(&x->b)) != 0)
		rb_xml_stop(&x->xml, rc);
	if (x->steps_as_text)
		rb_xml_problem(&x->xml, x->line, x->offset, 0, "the RunStepResults of the run at "
			       "line %" PRIu64 " are written as type names only (Export-Clixml "
			       "-Depth too small): %" PRIu64 " steps are not known", x->line,
			       x->steps_as_text);
	if (x->refs_missed)
		rb_xml_problem(&x->xml, x->line, x->offset, 0, "the run at line %" PRIu64 " refers "
			       "to %" PRIu64 " step objects that were not kept: left out", x->line,
			       x->refs_missed);
	if (x->xml.stopped) {
		rb_run_discard(&x->b);
		return;
	}
	if ((rc = rb_run_end(&x->b)) != 0)
		rb_xml_stop(&x->xml, rc);
}

static void
end_top(struct cx *x)
{
	struct runbuild *b = &x->b;
	bool run, step;

	x->top_open = false;
	if (x->top_tflags & TF_RUN) {
		run = true;
	} else if (x->top_tflags & TF_STEP) {
		run = false;
	} else {
		run = x->run_props || x->saw_steplist;
	}
	step = !run && (x->top_tflags & TF_STEP || x->self.any);
	if (!run && !step) {
		x->others++;
		x->self_open = false;
		rb_run_discard(b);
		return;
	}
	rb_set(b, RB_RUN_HISTORY_ID, buf_sv(&x->rhid));
	if (step) {
		/* A RunStepResult alone: a run of that one step. */
		end_step(x, &x->self);
		emit(x);
		return;
	}
	drop_self(x);
	rb_set(b, RB_CONNECTOR, buf_sv(&x->cname));
	rb_set(b, RB_CONNECTOR_ID, rb_strip_braces(buf_sv(&x->cid)));
	rb_set(b, RB_PROFILE, buf_sv(&x->profile));
	rb_set(b, RB_USER, buf_sv(&x->user));
	rb_run_number(b, x->run_number);
	rb_time(b, RB_RUN_START, x->rstart);
	rb_time(b, RB_RUN_END, x->rend);
	rb_set(b, RB_RESULT, buf_sv(&x->rresult));
	rb_incomplete(b, x->complete == 0);
	emit(x);
}

/* ---- the walk ----------------------------------------------------------- */

static unsigned char
type_flags(struct sv t)
{
	if (sv_find(t, "RunProfileResult") >= 0)
		return TF_RUN;
	if (sv_find(t, "RunStepResult") >= 0)
		return TF_STEP;
	return 0;
}

static void
set_cap(struct cx *x, enum cap c)
{
	x->cap = c;
	x->cap_depth = x->xml.depth;
	x->val_cut = false;
	x->nesc = 0;
	x->hi = 0;
	buf_reset(&x->val);
	buf_reset(&x->dec);
}

/* The role of an <Obj> from where it is. */
static void
obj_start(struct cx *x, struct frame *f, const XML_Char **atts)
{
	const struct frame *p = frame_at(x, x->xml.depth - 1);
	const struct frame *gp = frame_at(x, x->xml.depth - 2);
	const char *n = rb_attr(atts, "N");
	const char *refid = rb_attr(atts, "RefId");
	struct sv name = sv_cstr(n);

	f->kind = K_OBJ;
	f->role = R_OTHER;
	if (p->kind == K_ROOT || p->kind == K_OBJS ||
	    (p->kind == K_LIST && gp->kind == K_OBJ && gp->role == R_ARRAY && !x->top_open)) {
		f->role = R_TOP;
		begin_top(x, refid);
	} else if (p->kind == K_PROPS && gp->kind == K_OBJ &&
		   (gp->role == R_TOP || gp->role == R_STEP) && x->top_open) {
		if (gp->role == R_TOP && sv_eq(name, "RunStepResults")) {
			f->role = R_STEPLIST;
			x->saw_steplist = true;
		} else if (errs_cat(name)) {
			f->role = R_ERRS;
			f->owner = gp->role;
			f->cat = errs_cat(name);
		} else if (n) {
			f->role = R_VALUE;
			f->owner = gp->role;
			rb_set_buf(&x->pname, name);
		}
	} else if (p->kind == K_LIST && gp->kind == K_OBJ && gp->role == R_STEPLIST &&
		   !x->step.open) {
		f->role = R_STEP;
		begin_step(x, &x->step, refid);
	}
}

static void
prim_start(struct cx *x, struct sv elem, const XML_Char **atts)
{
	const struct frame *p = frame_at(x, x->xml.depth - 1);
	const struct frame *o = frame_at(x, x->xml.depth - 2);
	const char *n = rb_attr(atts, "N");
	const char *cat;
	struct sv name = sv_cstr(n);

	if (p->kind == K_LIST && o->kind == K_OBJ && o->role == R_STEPLIST) {
		x->steps_as_text++;
		return;
	}
	if (p->kind != K_PROPS || o->kind != K_OBJ || !n)
		return;
	if (o->role != R_TOP && o->role != R_STEP && o->role != R_ERRS)
		return;
	rb_set_buf(&x->pname, name);
	rb_set_buf(&x->ptype, elem);
	if (sv_eq(elem, "S") && xml_prop(name, &cat)) {
		struct sstep *s = o->role == R_STEP ? &x->step : o->role == R_TOP ? &x->self
				  : o->owner == R_STEP ? &x->step : &x->self;

		if (o->role == R_TOP || o->owner == R_TOP)
			x->self.any = true;
		s->props = true;
		set_cap(x, C_FRAG);
		frag_begin(x, s, cat);
		return;
	}
	if (o->role == R_ERRS)
		return;
	set_cap(x, C_PROP);
	x->cap_owner = o->role;
}

static void XMLCALL
on_start(void *ctx, const XML_Char *name, const XML_Char **atts)
{
	struct cx *x = ctx;
	struct sv n = rb_local_name(name);
	struct frame tmp, *f = x->xml.depth + 1 < MAX_FRAMES ? &x->fr[x->xml.depth + 1] : &tmp;
	const struct frame *p;

	x->xml.depth++;
	if (x->xml.stopped)
		return;
	if (x->xml.depth > MAX_DOC_DEPTH) {
		rb_xml_problem(&x->xml, cur_line(x), cur_offset(x), x->top_open ? 1 : 0,
			"elements nested deeper than %u: the rest of the file is not read",
			MAX_DOC_DEPTH);
		rb_xml_stop(&x->xml, 0);
		return;
	}
	if (x->cap != C_NONE) {
		/* Markup inside a value: not one we read. */
		if (x->cap == C_FRAG) {
			unescape_flush(x);
			deliver(x);
			frag_end(x);
		}
		x->cap = C_NONE;
	}
	memset(f, 0, sizeof(*f));
	f->kind = K_OTHER;
	f->role = R_NONE;
	if (x->xml.depth >= MAX_FRAMES) {
		if (x->top_open && x->xml.depth == MAX_FRAMES)
			rb_xml_problem(&x->xml, cur_line(x), cur_offset(x), 0, "objects nested deeper than %u at "
				"line %" PRIu64 ": what is inside is not read", MAX_FRAMES, cur_line(x));
		return;
	}
	p = frame_at(x, x->xml.depth - 1);
	if (x->xml.depth == 1) {
		f->kind = K_ROOT;
	} else if (sv_eq(n, "Objs") && x->xml.depth == 2) {
		f->kind = K_OBJS;
	} else if (sv_eq(n, "Obj")) {
		obj_start(x, f, atts);
	} else if (sv_eq(n, "TN") && p->kind == K_OBJ) {
		f->kind = K_TN;
		x->tn_flags = 0;
		copy_id(x->tn_id, rb_attr(atts, "RefId"));
	} else if (sv_eq(n, "T") && p->kind == K_TN) {
		f->kind = K_T;
		set_cap(x, C_T);
	} else if (sv_eq(n, "TNRef") && p->kind == K_OBJ) {
		const char *id = rb_attr(atts, "RefId");

		for (size_t i = 0; id && i < x->ntn; i++) {
			if (!strcmp(x->tn[i].id, id)) {
				x->fr[x->xml.depth - 1].tflags |= x->tn[i].flags;
				if (p->role == R_TOP)
					x->top_tflags |= x->tn[i].flags;
			}
		}
	} else if ((sv_eq(n, "Props") || sv_eq(n, "MS")) && p->kind == K_OBJ) {
		f->kind = K_PROPS;
	} else if ((sv_eq(n, "LST") || sv_eq(n, "IE") || sv_eq(n, "STK") || sv_eq(n, "QUE")) &&
		   p->kind == K_OBJ) {
		f->kind = K_LIST;
		if (p->role == R_TOP && x->top_open) {
			/* The top-level object is a collection: its items are
			 * what was exported. */
			x->fr[x->xml.depth - 1].role = R_ARRAY;
			x->top_open = false;
			x->self_open = false;
			rb_run_discard(&x->b);
		}
	} else if (sv_eq(n, "ToString") && p->kind == K_OBJ) {
		f->kind = K_TOSTRING;
		if (p->role == R_VALUE)
			set_cap(x, C_TOSTRING);
	} else if (sv_eq(n, "Ref")) {
		const struct frame *o = frame_at(x, x->xml.depth - 2);

		if (p->kind == K_LIST && o->kind == K_OBJ && o->role == R_STEPLIST && x->top_open)
			follow_ref(x, rb_attr(atts, "RefId"));
	} else if (p->kind == K_PROPS || p->kind == K_LIST) {
		f->kind = K_PRIM;
		prim_start(x, n, atts);
	}
}

static void
end_cap(struct cx *x)
{
	enum cap c = x->cap;

	unescape_flush(x);
	deliver(x);
	x->cap = C_NONE;
	switch (c) {
	case C_FRAG:
		frag_end(x);
		break;
	case C_PROP:
		end_prop(x);
		break;
	case C_T:
		x->tn_flags |= type_flags(buf_sv(&x->val));
		break;
	case C_TOSTRING: {
		const struct frame *o = frame_at(x, x->xml.depth - 1);

		buf_reset(&x->ptype);
		buf_adds(&x->ptype, "S");
		x->cap_owner = o->owner;
		end_prop(x);
		break;
	}
	case C_NONE:
		break;
	}
}

static void XMLCALL
on_end(void *ctx, const XML_Char *name)
{
	struct cx *x = ctx;
	unsigned d = x->xml.depth--;
	const struct frame *f;

	(void)name;
	if (x->xml.stopped)
		return;
	if (x->cap != C_NONE && d == x->cap_depth) {
		x->xml.depth = d;
		end_cap(x);
		x->xml.depth = d - 1;
		if (x->xml.stopped)
			return;
	}
	if (d >= MAX_FRAMES)
		return;
	f = &x->fr[d];
	if (f->kind == K_TN) {
		unsigned char fl = x->tn_flags;

		x->fr[d - 1].tflags |= fl;
		if (x->fr[d - 1].role == R_TOP)
			x->top_tflags |= fl;
		if (fl && x->tn_id[0] && x->ntn < MAX_TN) {
			memcpy(x->tn[x->ntn].id, x->tn_id, sizeof(x->tn_id));
			x->tn[x->ntn].flags = fl;
			x->ntn++;
		}
	} else if (f->kind == K_OBJ) {
		if (f->role == R_STEP && x->step.open)
			end_step(x, &x->step);
		else if (f->role == R_TOP && x->top_open)
			end_top(x);
	}
}

static void XMLCALL
on_text(void *ctx, const XML_Char *s, int len)
{
	struct cx *x = ctx;

	if (x->cap == C_NONE || x->xml.stopped || len <= 0)
		return;
	for (int i = 0; i < len; i++)
		unescape_byte(x, s[i]);
	if (x->dec.len >= 4096)
		deliver(x);
}

/* At the end of a whole file. */
static int
tail(void *ctx)
{
	struct cx *x = ctx;
	int rc = 0;

	if (x->others)
		rc = ec_problemf(x->xml.sink, 0, UINT64_MAX, x->others, 0,
				 "%" PRIu64 " objects that are neither a RunProfileResult nor a "
				 "RunStepResult: ignored", x->others);
	if (!rc && x->b.runs == 0 && !x->top_open)
		rc = ec_problemf(x->xml.sink, 0, UINT64_MAX, 0, 0,
				 "no RunProfileResult or RunStepResult object found");
	return rc;
}

static const XML_Memory_Handling_Suite mem = { xmalloc, xrealloc, free };

static void
cx_init(struct cx *x, const struct ec_input *inp)
{
	struct buf *b[] = { &x->rhid, &x->cid, &x->cname, &x->profile, &x->user, &x->rresult,
			    &x->pname, &x->ptype, &x->val };

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		buf_init(b[i], FIELD_MAX);
	buf_init(&x->dec, EC_MAX_RECORD);
	buf_init(&x->fpend, EC_MAX_RECORD + 64);
	step_init(&x->self);
	step_init(&x->step);
	rb_xml_init(&x->xml, inp, &x->b, "object", x, on_start, on_end, on_text, tail);
	rb_init(&x->b, inp->sink, &x->xml.problems, RB_XML);
	rb_init(&x->keep, inp->sink, &x->xml.problems, RB_XML);
	rb_run_begin(&x->keep, 0, UINT64_MAX);
	x->fxp = XML_ParserCreate_MM("UTF-8", &mem, NULL);
	if (!x->fxp)
		abort();
}

static void
cx_release(struct cx *x)
{
	struct buf *b[] = { &x->rhid, &x->cid, &x->cname, &x->profile, &x->user, &x->rresult,
			    &x->pname, &x->ptype, &x->val, &x->dec, &x->fpend };

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		buf_release(b[i]);
	step_release(&x->self);
	step_release(&x->step);
	rb_release(&x->b);
	rb_release(&x->keep);
	free(x->kept);
	rb_xml_release(&x->xml);
	XML_ParserFree(x->fxp);
}

static int
runclixml_parse(const struct ec_input *inp)
{
	struct cx *x = xcalloc(1, sizeof(*x));
	int rc;

	cx_init(x, inp);
	rc = rb_xml_parse(&x->xml);
	cx_release(x);
	free(x);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------- */

/* 90 for an <Objs> root in PowerShell's 2004/04 namespace with a
 * RunProfileResult or RunStepResult type name in the first 8 KiB. */
static int
runclixml_sniff(const struct ec_sniff *s)
{
	const char *p = s->text, *end;
	struct sv head;

	if (!p)
		return 0;
	end = p + (s->text_len < 8192 ? s->text_len : 8192);
	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && rb_is_ws(*p))
		p++;
	if (end - p >= 5 && memcmp(p, "<?xml", 5) == 0) {
		while (p + 1 < end && !(p[0] == '?' && p[1] == '>'))
			p++;
		p += 2;
		while (p < end && rb_is_ws(*p))
			p++;
	}
	if (end - p < 6 || memcmp(p, "<Objs", 5) != 0 || !(rb_is_ws(p[5]) || p[5] == '>'))
		return 0;
	head = sv_make(p, (size_t)(end - p));
	if (sv_find(head, "http://schemas.microsoft.com/powershell/2004/04") < 0)
		return 0;
	if (sv_find(head, "RunProfileResult") < 0 && sv_find(head, "RunStepResult") < 0)
		return 0;
	return 90;
}

const struct ec_format fmt_runclixml = {
	.name = "runclixml",
	.title = "Sync engine run history as PowerShell CLIXML (Export-Clixml of "
		 "Get-ADSyncRunProfileResult / Get-ADSyncRunStepResult, Export-ADSyncToolsRunHistory)",
	.identifies = "<Objs xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"> with a "
		      "RunProfileResult or RunStepResult type name in the first 8 KiB",
	.binary = false,
	.sniff = runclixml_sniff,
	.parse = runclixml_parse,
};
