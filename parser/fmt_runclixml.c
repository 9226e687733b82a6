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
 * Streaming, caps and damage as in fmt_runxml.c, whose run accumulator this
 * file repeats. */
#include <expat.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/parser.h"
#include "parser/runclass.h"
#include "parser/textutil.h"

#define FIELD_MAX 4096			/* property values, names, codes */
#define TEXT_MAX ((size_t)64 << 10)	/* an error's text */
#define MAX_STEPS 1000			/* steps kept per run */
#define MAX_COUNTERS 256		/* counters kept per step */
#define MAX_ERRORS 200			/* errors kept per step */
#define MAX_RUN_ERRORS 20000		/* errors kept per run */
#define POOL_MAX EC_MAX_RECORD		/* strings of one run */
#define KEEP_POOL_MAX ((size_t)4 << 20)	/* strings of the steps kept for <Ref> */
#define MAX_KEPT MAX_STEPS		/* steps kept for <Ref> */
#define MAX_TN 256			/* type name lists that name a run or a step */
#define MAX_FRAMES 128			/* elements whose role is followed */
#define MAX_DOC_DEPTH 4096		/* elements nested: beyond, the parse stops */
#define FRAG_TAG_MAX ((size_t)1 << 20)	/* markup in an XML property */
#define READ_SIZE (64u * 1024u)

/* ---- the run being read (as in fmt_runxml.c) ---------------------------- */

struct span {
	size_t off, n;			/* into the pool */
};

struct rstep {
	int64_t number;
	struct span type, subtype, result, conn, server;
	struct ec_time start, end;
	size_t c0, nc;			/* its counters in acc.ctr */
	size_t e0, ne;			/* its errors in acc.err */
	int64_t error_count;
};

struct rcounter {
	struct span name, value;
};

struct rerror {
	const char *category;
	struct span dn, type, code, detail;
	struct ec_time when;
};

struct acc {
	struct buf pool;
	struct rstep *steps;
	size_t nsteps, csteps;
	struct rcounter *ctr;
	size_t nctr, cctr;
	struct rerror *err;
	size_t nerr, cerr;
	bool pool_full;
	uint64_t steps_seen;
	uint64_t drop_steps, drop_errors;	/* steps with errors not kept, and those errors */
	uint64_t drop_line;			/* the first such step's line */
	int64_t drop_count;			/* and its number of errors */
	struct ec_run_step *osteps;
	size_t costeps;
	struct ec_kv *okv;
	size_t cokv;
	struct ec_run_error *oerr;
	size_t coerr;
	struct ec_time start, end;
	bool have_last;
	int64_t last_number;
	struct buf last_result, worst_result;
	int worst_rank;
};

static const struct ec_time no_time = { 0, -1, TQ_NONE };

static void *
grow(void *arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 16;
	if (*cap < need)
		*cap = need;
	return xrealloc(arr, *cap * size);
}

static void
acc_init(struct acc *a, size_t pool_max)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->pool, pool_max);
	buf_init(&a->last_result, FIELD_MAX);
	buf_init(&a->worst_result, FIELD_MAX);
}

static void
acc_release(struct acc *a)
{
	buf_release(&a->pool);
	buf_release(&a->last_result);
	buf_release(&a->worst_result);
	free(a->steps);
	free(a->ctr);
	free(a->err);
	free(a->osteps);
	free(a->okv);
	free(a->oerr);
}

static void
acc_reset(struct acc *a)
{
	buf_reset(&a->pool);
	buf_reset(&a->last_result);
	buf_reset(&a->worst_result);
	a->nsteps = a->nctr = a->nerr = 0;
	a->pool_full = false;
	a->steps_seen = 0;
	a->drop_steps = a->drop_errors = a->drop_line = 0;
	a->drop_count = 0;
	a->start = a->end = no_time;
	a->have_last = false;
	a->last_number = -1;
	a->worst_rank = 0;
}

static struct span
pool_add(struct acc *a, struct sv v)
{
	struct span s = { 0, 0 };

	v = sv_trim(v);
	if (!v.n)
		return s;
	if (a->pool.max - a->pool.len < v.n + 1) {
		a->pool_full = true;
		return s;
	}
	s.off = a->pool.len;
	s.n = v.n;
	buf_addsv(&a->pool, v);
	buf_addc(&a->pool, '\0');
	return s;
}

static struct sv
pool_sv(const struct acc *a, struct span s)
{
	return s.n ? sv_make(a->pool.data + s.off, s.n) : SV_NULL;
}

static void
pool_cut(struct acc *a, size_t mark)
{
	if (mark < a->pool.len) {
		a->pool.len = mark;
		a->pool.data[mark] = '\0';
	}
}

static int
result_rank(struct sv r)
{
	static const char *const order[] = { "success", "completed-no-objects", "in-progress",
					     "completed-warnings", "unknown", "completed-errors",
					     "no-start", "stopped" };
	const char *c;

	if (!sv_trim(r).n)
		return 0;
	c = run_result_class(r);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!strcmp(c, order[i]))
			return (int)i + 1;
	}
	return 5;
}

static void
set_buf(struct buf *b, struct sv v)
{
	buf_reset(b);
	buf_addsv(b, sv_trim(v));
	text_drop_partial_utf8(b);
}

static void
acc_step_seen(struct acc *a, int64_t number, struct sv result, struct ec_time start,
	      struct ec_time end)
{
	int rank = result_rank(result);

	a->steps_seen++;
	if (start.q >= TQ_LOCAL_ASSUMED && (a->start.q < TQ_LOCAL_ASSUMED || start.ms < a->start.ms))
		a->start = start;
	if (end.q >= TQ_LOCAL_ASSUMED && (a->end.q < TQ_LOCAL_ASSUMED || end.ms > a->end.ms))
		a->end = end;
	if (!a->have_last || number > a->last_number) {
		a->have_last = true;
		a->last_number = number;
		set_buf(&a->last_result, result);
	}
	if (rank > a->worst_rank) {
		a->worst_rank = rank;
		set_buf(&a->worst_result, result);
	}
}

/* A step ended with errors that were not kept. */
static void
acc_drop(struct acc *a, uint64_t line, int64_t count, uint64_t dropped)
{
	if (!dropped)
		return;
	if (!a->drop_steps++) {
		a->drop_line = line;
		a->drop_count = count;
	}
	a->drop_errors += dropped;
}

/* Append step st of src (counters and errors included) to dst. */
static void
acc_copy_step(struct acc *dst, const struct acc *src, const struct rstep *st)
{
	struct rstep *d;

	if (dst->nsteps == MAX_STEPS) {
		dst->steps_seen++;
		return;
	}
	acc_step_seen(dst, st->number, pool_sv(src, st->result), st->start, st->end);
	dst->steps = grow(dst->steps, &dst->csteps, dst->nsteps + 1, sizeof(*dst->steps));
	d = &dst->steps[dst->nsteps++];
	*d = *st;
	d->type = pool_add(dst, pool_sv(src, st->type));
	d->subtype = pool_add(dst, pool_sv(src, st->subtype));
	d->result = pool_add(dst, pool_sv(src, st->result));
	d->conn = pool_add(dst, pool_sv(src, st->conn));
	d->server = pool_add(dst, pool_sv(src, st->server));
	d->c0 = dst->nctr;
	dst->ctr = grow(dst->ctr, &dst->cctr, dst->nctr + st->nc, sizeof(*dst->ctr));
	for (size_t i = 0; i < st->nc; i++) {
		const struct rcounter *c = &src->ctr[st->c0 + i];

		dst->ctr[dst->nctr].name = pool_add(dst, pool_sv(src, c->name));
		dst->ctr[dst->nctr].value = pool_add(dst, pool_sv(src, c->value));
		dst->nctr++;
	}
	d->e0 = dst->nerr;
	d->ne = 0;
	for (size_t i = 0; i < st->ne && dst->nerr < MAX_RUN_ERRORS; i++) {
		const struct rerror *e = &src->err[st->e0 + i];
		struct rerror *o;

		dst->err = grow(dst->err, &dst->cerr, dst->nerr + 1, sizeof(*dst->err));
		o = &dst->err[dst->nerr++];
		o->category = e->category;
		o->dn = pool_add(dst, pool_sv(src, e->dn));
		o->type = pool_add(dst, pool_sv(src, e->type));
		o->code = pool_add(dst, pool_sv(src, e->code));
		o->detail = pool_add(dst, pool_sv(src, e->detail));
		o->when = e->when;
		d->ne++;
	}
}

static void
acc_build(struct acc *a, struct ec_run *r)
{
	a->osteps = grow(a->osteps, &a->costeps, a->nsteps, sizeof(*a->osteps));
	a->okv = grow(a->okv, &a->cokv, a->nctr, sizeof(*a->okv));
	a->oerr = grow(a->oerr, &a->coerr, a->nerr, sizeof(*a->oerr));
	for (size_t i = 0; i < a->nctr; i++) {
		a->okv[i].name = pool_sv(a, a->ctr[i].name);
		a->okv[i].value = pool_sv(a, a->ctr[i].value);
	}
	for (size_t i = 0; i < a->nerr; i++) {
		struct rerror *e = &a->err[i];
		struct ec_run_error *o = &a->oerr[i];

		o->category = sv_cstr(e->category);
		o->dn = pool_sv(a, e->dn);
		o->error_type = pool_sv(a, e->type);
		o->code = pool_sv(a, e->code);
		o->detail = pool_sv(a, e->detail);
		o->when = e->when;
	}
	for (size_t i = 0; i < a->nsteps; i++) {
		struct rstep *s = &a->steps[i];
		struct ec_run_step *o = &a->osteps[i];

		memset(o, 0, sizeof(*o));
		o->step_number = s->number;
		o->step_type = pool_sv(a, s->type);
		o->step_subtype = pool_sv(a, s->subtype);
		o->step_class = run_step_class(o->step_type, o->step_subtype, r->profile);
		o->result = pool_sv(a, s->result);
		o->result_class = run_result_class(o->result);
		o->start = s->start;
		o->end = s->end;
		o->counters = s->nc ? a->okv + s->c0 : NULL;
		o->ncounters = s->nc;
		o->connection_result = pool_sv(a, s->conn);
		o->connection_server = pool_sv(a, s->server);
		o->errors = s->ne ? a->oerr + s->e0 : NULL;
		o->nerrors = s->ne;
		o->error_count = s->error_count;
	}
	r->steps = a->nsteps ? a->osteps : NULL;
	r->nsteps = a->nsteps;
	r->start = a->start;
	r->end = a->end;
	r->result = sv_trim(buf_sv(&a->last_result)).n ? buf_sv(&a->last_result)
						      : buf_sv(&a->worst_result);
	r->result_class = run_result_class(r->result);
}

/* ---- small readers ------------------------------------------------------ */

static struct sv
local_name(const XML_Char *name)
{
	const char *c = strrchr(name, ':');

	return sv_cstr(c ? c + 1 : name);
}

static const char *
attr(const XML_Char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2) {
		if (sv_eq(local_name(atts[i]), name))
			return atts[i + 1];
	}
	return NULL;
}

static bool
read_i64(struct sv v, int64_t *out)
{
	uint64_t n = 0;
	size_t i = 0;
	bool neg = false;

	v = sv_trim(v);
	if (v.n && v.p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == v.n)
		return false;
	for (; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9' || n > (UINT64_C(1) << 62))
			return false;
		n = n * 10 + (uint64_t)(v.p[i] - '0');
	}
	if (n > INT64_MAX)
		return false;
	*out = neg ? -(int64_t)n : (int64_t)n;
	return true;
}

/* <DT>: "2022-04-08T20:13:31.163Z", "2022-04-08T22:13:31.1630000+02:00";
 * without a zone (a DateTime of kind Unspecified) read as UTC, which is
 * what the sync engine keeps. Also the engine's "2017-01-04 23:00:55.253"
 * of the XML properties. */
static bool
read_time(struct sv v, struct ec_time *t)
{
	struct civil c = { 0 };
	size_t i = 19;
	int64_t off = 0;

	v = sv_trim(v);
	if (v.n < 19 || v.p[4] != '-' || v.p[7] != '-' || (v.p[10] != 'T' && v.p[10] != ' ') ||
	    v.p[13] != ':' || v.p[16] != ':')
		return false;
	c.year = read_digits(v.p, 4);
	c.month = read_digits(v.p + 5, 2);
	c.day = read_digits(v.p + 8, 2);
	c.hour = read_digits(v.p + 11, 2);
	c.min = read_digits(v.p + 14, 2);
	c.sec = read_digits(v.p + 17, 2);
	if (c.year < 0 || c.hour < 0 || c.hour > 23 || c.min < 0 || c.min > 59 || c.sec < 0 ||
	    c.sec > 59)
		return false;
	if (i < v.n && (v.p[i] == '.' || v.p[i] == ',')) {
		int k = 0;

		for (i++; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++, k++) {
			if (k < 3)
				c.msec = c.msec * 10 + (v.p[i] - '0');
		}
		if (k == 0)
			return false;
		for (; k < 3; k++)
			c.msec *= 10;
	}
	if (i < v.n && (v.p[i] == 'Z' || v.p[i] == 'z')) {
		i++;
	} else if (i + 6 == v.n && (v.p[i] == '+' || v.p[i] == '-') && v.p[i + 3] == ':') {
		int h = read_digits(v.p + i + 1, 2), m = read_digits(v.p + i + 4, 2);

		if (h < 0 || h > 14 || m < 0 || m > 59)
			return false;
		off = (h * 60 + m) * INT64_C(60000) * (v.p[i] == '-' ? -1 : 1);
		i += 6;
	}
	if (i != v.n || !civil_valid(&c))
		return false;
	t->ms = civil_to_ms(&c) - off;
	t->tod_ms = -1;
	t->q = TQ_EXACT;
	return true;
}

static struct sv
strip_braces(struct sv v)
{
	v = sv_trim(v);
	if (v.n >= 2 && v.p[0] == '{' && v.p[v.n - 1] == '}')
		v = sv_make(v.p + 1, v.n - 2);
	return v;
}

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

/* A step being read: one inside a run, or the top-level object as a step. */
struct sstep {
	bool open;
	uint64_t line;
	int64_t number;
	struct buf result, type, subtype, conn, server;
	struct ec_time start, end;
	size_t pool, c0, e0;		/* where its data starts in the accumulator */
	int64_t errors;
	uint64_t dropped;
	bool ctr_full, any;
	bool props;			/* it has properties at all */
	char refid[32];
};

struct tname {
	char id[32];
	unsigned char flags;
};

struct kref {
	char id[32];
	size_t idx;			/* in keep.steps */
};

/* What the text of the element being read is for. */
enum cap { C_NONE, C_PROP, C_T, C_TOSTRING, C_FRAG };

/* Where the text of an element of an XML property goes. */
enum ftgt { F_NONE, F_SUBTYPE, F_CONN, F_SERVER, F_E_TYPE, F_E_CODE, F_E_LIT, F_E_SED,
	    F_E_DATE, F_E_STACK };

struct cx {
	XML_Parser xp;
	const struct ec_sink *sink;
	int rc;
	bool stopped;
	bool offsets;
	uint64_t fed_extra, bom;

	unsigned depth;
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

	/* an error entry (of an XML property) */
	const char *e_cat;
	bool e_cd;
	struct buf e_dn, e_type, e_code, e_lit, e_sed, e_date, e_stack, detail;

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

	struct acc a;			/* the run */
	struct acc keep;		/* steps kept for <Ref> */
	struct kref *kept;
	size_t nkept;
	uint64_t runs, others, problems;
};

static const struct frame other_frame = { K_OTHER, R_OTHER, R_NONE, 0, NULL };

static const struct frame *
frame_at(const struct cx *x, unsigned d)
{
	return d < MAX_FRAMES ? &x->fr[d] : &other_frame;
}

static void
stop(struct cx *x, int rc)
{
	if (!x->stopped) {
		x->stopped = true;
		x->rc = rc;
		XML_StopParser(x->xp, XML_FALSE);
	}
}

static uint64_t
cur_line(struct cx *x)
{
	return (uint64_t)XML_GetCurrentLineNumber(x->xp);
}

static uint64_t
cur_offset(struct cx *x)
{
	XML_Index i = XML_GetCurrentByteIndex(x->xp);

	if (!x->offsets || i < 0 || (uint64_t)i < x->fed_extra)
		return UINT64_MAX;
	return (uint64_t)i - x->fed_extra + x->bom;
}

static void
problem(struct cx *x, uint64_t line, uint64_t offset, uint64_t records, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
problem(struct cx *x, uint64_t line, uint64_t offset, uint64_t records, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int rc;

	if (x->stopped || !text_problem_ok(&x->problems))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rc = ec_problemf(x->sink, line, offset, records, 0, "%s", msg);
	if (rc)
		stop(x, rc);
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
	s->pool = x->a.pool.len;
	s->c0 = x->a.nctr;
	s->e0 = x->a.nerr;
	s->errors = 0;
	s->dropped = 0;
	s->ctr_full = s->any = s->props = false;
	copy_id(s->refid, refid);
}

/* Keep a step that has a RefId for the <Ref>s that may follow. */
static void
keep_step(struct cx *x, const char *refid, const struct rstep *st)
{
	struct acc *k = &x->keep;
	size_t before = k->pool.len;

	if (!refid[0] || x->nkept == MAX_KEPT || k->nsteps == MAX_STEPS)
		return;
	acc_copy_step(k, &x->a, st);
	if (k->pool_full) {
		/* No room: forget it (its counters and errors stay unused). */
		pool_cut(k, before);
		k->nsteps--;
		k->pool_full = false;
		return;
	}
	x->kept = xrealloc(x->kept, (x->nkept + 1) * sizeof(*x->kept));
	copy_id(x->kept[x->nkept].id, refid);
	x->kept[x->nkept].idx = k->nsteps - 1;
	x->nkept++;
}

static void
end_step(struct cx *x, struct sstep *s)
{
	struct acc *a = &x->a;
	struct rstep *r;

	s->open = false;
	if (s == &x->step && !s->props) {
		/* Written without its properties (past Export-Clixml's -Depth). */
		x->steps_as_text++;
		return;
	}
	acc_step_seen(a, s->number, buf_sv(&s->result), s->start, s->end);
	acc_drop(a, s->line, s->errors, s->dropped);
	if (a->nsteps == MAX_STEPS) {
		pool_cut(a, s->pool);
		a->nctr = s->c0;
		a->nerr = s->e0;
		return;
	}
	a->steps = grow(a->steps, &a->csteps, a->nsteps + 1, sizeof(*a->steps));
	r = &a->steps[a->nsteps++];
	memset(r, 0, sizeof(*r));
	r->number = s->number;
	r->type = pool_add(a, buf_sv(&s->type));
	r->subtype = pool_add(a, buf_sv(&s->subtype));
	r->result = pool_add(a, buf_sv(&s->result));
	r->conn = pool_add(a, buf_sv(&s->conn));
	r->server = pool_add(a, buf_sv(&s->server));
	r->start = s->start;
	r->end = s->end;
	r->c0 = s->c0;
	r->nc = a->nctr - s->c0;
	r->e0 = s->e0;
	r->ne = a->nerr - s->e0;
	r->error_count = s->errors;
	keep_step(x, s->refid, r);
}

/* A <Ref> in a run's step list. */
static void
follow_ref(struct cx *x, const char *refid)
{
	for (size_t i = 0; refid && i < x->nkept; i++) {
		if (!strcmp(x->kept[i].id, refid)) {
			acc_copy_step(&x->a, &x->keep, &x->keep.steps[x->kept[i].idx]);
			return;
		}
	}
	x->refs_missed++;
}

/* ---- error entries ------------------------------------------------------ */

static void
begin_entry(struct cx *x, const char *category, const XML_Char **atts)
{
	struct buf *b[] = { &x->e_type, &x->e_code, &x->e_lit, &x->e_sed, &x->e_date,
			    &x->e_stack };

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		buf_reset(b[i]);
	x->fentry = x->fdepth;
	x->e_cat = category;
	x->e_cd = false;
	set_buf(&x->e_dn, sv_cstr(attr(atts, "dn")));
}

static void
end_entry(struct cx *x)
{
	struct acc *a = &x->a;
	struct sstep *s = x->fstep;
	struct rerror *e;
	struct ec_time when = no_time;
	struct sv lit = sv_trim(buf_sv(&x->e_lit)), sed = sv_trim(buf_sv(&x->e_sed));
	struct sv date = sv_trim(buf_sv(&x->e_date));
	struct buf *d = &x->e_lit;

	x->fentry = 0;
	if (!strcmp(x->e_cat, "connection") && !x->e_cd &&
	    sv_ieq(sv_trim(buf_sv(&x->e_type)), "success"))
		return;
	s->errors++;
	if (s->errors > MAX_ERRORS || a->nerr >= MAX_RUN_ERRORS) {
		s->dropped++;
		return;
	}
	if (date.n && !read_time(date, &when)) {
		when = no_time;
		problem(x, cur_line(x), UINT64_MAX, 0, "error date '%.40s' near line %" PRIu64
			" not understood: left out", x->e_date.data, cur_line(x));
	}
	a->err = grow(a->err, &a->cerr, a->nerr + 1, sizeof(*a->err));
	e = &a->err[a->nerr++];
	e->category = x->e_cat;
	e->dn = pool_add(a, buf_sv(&x->e_dn));
	e->type = pool_add(a, buf_sv(&x->e_type));
	e->code = pool_add(a, buf_sv(&x->e_code));
	if (lit.n && sed.n) {
		buf_reset(&x->detail);
		buf_addsv(&x->detail, lit);
		buf_addc(&x->detail, '\n');
		buf_addsv(&x->detail, sed);
		d = &x->detail;
	} else if (sed.n) {
		d = &x->e_sed;
	} else if (!lit.n) {
		d = &x->e_stack;
	}
	e->detail = pool_add(a, buf_sv(d));
	e->when = when;
}

/* ---- XML properties: a second parser over the decoded string ------------ */

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Blank out XML declarations in p (expat refuses one that is not at the
 * very start, and every one here follows a synthetic "<r>"); returns how
 * many bytes may be fed now, the rest (a possible start of one) waits for
 * more. */
static size_t
scrub(bool *in_decl, char *p, size_t n, bool final)
{
	for (size_t i = 0; i < n; i++) {
		if (*in_decl) {
			if (p[i] == '?') {
				if (i + 1 == n)
					return final ? n : i;
				if (p[i + 1] == '>') {
					p[i] = p[i + 1] = ' ';
					*in_decl = false;
					i++;
					continue;
				}
			}
			if (p[i] != '\n' && p[i] != '\r')
				p[i] = ' ';
			continue;
		}
		if (p[i] != '<')
			continue;
		if (n - i < 6) {
			if (!final && memcmp(p + i, "<?xml", n - i < 5 ? n - i : 5) == 0)
				return i;
			continue;
		}
		if (memcmp(p + i, "<?xml", 5) == 0 && (is_ws(p[i + 5]) || p[i + 5] == '?')) {
			*in_decl = true;
			memset(p + i, ' ', 5);
			i += 4;
		}
	}
	return n;
}


static void
fcapture(struct cx *x, struct buf *b)
{
	x->ftarget = b;
	x->ftgt_depth = x->fdepth;
	x->ftgt_cut = false;
	buf_reset(b);
}

static const char *
container_cat(struct sv n, const char *dflt)
{
	if (sv_eq(n, "synchronization-errors"))
		return "sync";
	if (sv_eq(n, "ma-discovery-errors"))
		return "discovery";
	if (sv_eq(n, "mv-retry-errors"))
		return "mv-retry";
	return dflt;
}

static void XMLCALL
f_start(void *ctx, const XML_Char *name, const XML_Char **atts)
{
	struct cx *x = ctx;
	struct sv n = local_name(name);
	struct sstep *s = x->fstep;

	x->fdepth++;
	x->ftarget = NULL;
	if (x->fentry) {
		bool incident = !strcmp(x->e_cat, "connection");

		if (sv_eq(n, "error-type") || (incident && sv_eq(n, "connection-result")))
			fcapture(x, &x->e_type);
		else if (sv_eq(n, "error-code"))
			fcapture(x, &x->e_code);
		else if (sv_eq(n, "error-literal"))
			fcapture(x, &x->e_lit);
		else if (sv_eq(n, "server-error-detail"))
			fcapture(x, &x->e_sed);
		else if (sv_eq(n, "date-occurred") || (incident && sv_eq(n, "date")))
			fcapture(x, &x->e_date);
		else if (sv_eq(n, "call-stack"))
			fcapture(x, &x->e_stack);
		else if (sv_eq(n, "cd-error"))
			x->e_cd = true;
		return;
	}
	if (sv_eq(n, "step-type")) {
		set_buf(&s->type, sv_cstr(attr(atts, "type")));
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
		x->fcont_cat = container_cat(n, x->fcat);
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
		problem(x, cur_line(x), UINT64_MAX, 0, "text over %zu bytes in %s near line %"
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
			problem(x, cur_line(x), UINT64_MAX, 0, "%s near line %" PRIu64 " has markup "
				"over %zu bytes: the rest of it is not read", x->pname.data,
				cur_line(x), FRAG_TAG_MAX);
			return;
		}
	}
	if (XML_Parse(x->fxp, p, (int)n, final) == XML_STATUS_ERROR) {
		x->frag_ok = false;
		problem(x, cur_line(x), UINT64_MAX, 0, "%s near line %" PRIu64 " is not well-formed "
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
		problem(x, cur_line(x), UINT64_MAX, 0, "%s near line %" PRIu64 " is too large: the "
			"rest of it is not read", x->pname.data, cur_line(x));
		return;
	}
	k = scrub(&x->fdecl, x->fpend.data, x->fpend.len, final);
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
		problem(x, cur_line(x), cur_offset(x), 0, "text over %zu bytes at line %" PRIu64
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
add_counter(struct cx *x, struct sstep *s, struct sv name, struct sv v)
{
	struct acc *a = &x->a;
	char kebab[160];
	struct buf k;
	int64_t n;

	buf_init(&k, sizeof(kebab) - 1);
	run_counter_name(name, &k);
	snprintf(kebab, sizeof(kebab), "%s", k.data);
	buf_release(&k);
	if (!read_i64(v, &n)) {
		problem(x, cur_line(x), cur_offset(x), 0, "counter %s '%.40s' at line %" PRIu64
			" is not a number: left out", kebab, x->val.data, cur_line(x));
		return;
	}
	if (a->nctr - s->c0 >= MAX_COUNTERS) {
		if (!s->ctr_full)
			problem(x, cur_line(x), cur_offset(x), 0, "the step at line %" PRIu64
				" has over %u counters: the rest are left out", s->line, MAX_COUNTERS);
		s->ctr_full = true;
		return;
	}
	a->ctr = grow(a->ctr, &a->cctr, a->nctr + 1, sizeof(*a->ctr));
	a->ctr[a->nctr].name = pool_add(a, sv_cstr(kebab));
	a->ctr[a->nctr].value = pool_add(a, v);
	a->nctr++;
}

static struct ec_time
prop_time(struct cx *x, struct sv name, struct sv v)
{
	struct ec_time t = no_time;

	if (v.n && !read_time(v, &t)) {
		t = no_time;
		problem(x, cur_line(x), cur_offset(x), 0, "%.*s '%.40s' at line %" PRIu64
			" not understood: left out", (int)name.n, name.p, x->val.data, cur_line(x));
	}
	return t;
}

static int64_t
prop_number(struct cx *x, struct sv name, struct sv v)
{
	int64_t n;

	if (read_i64(v, &n))
		return n;
	if (v.n)
		problem(x, cur_line(x), cur_offset(x), 0, "%.*s '%.40s' at line %" PRIu64
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
		set_buf(&s->result, v);
	} else if (sv_eq(name, "StartDate")) {
		s->start = prop_time(x, name, v);
		return false;
	} else if (sv_eq(name, "EndDate")) {
		s->end = prop_time(x, name, v);
		return false;
	} else if (numeric_type(type) && counter_name(name)) {
		add_counter(x, s, name, v);
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
		set_buf(&x->rhid, v);
	else if (sv_eq(name, "ConnectorId"))
		set_buf(&x->cid, v);
	else if (sv_eq(name, "ConnectorName"))
		set_buf(&x->cname, v);
	else if (sv_eq(name, "RunProfileName"))
		set_buf(&x->profile, v);
	else if (sv_eq(name, "RunNumber"))
		x->run_number = prop_number(x, name, v);
	else if (sv_eq(name, "Username"))
		set_buf(&x->user, v);
	else if (sv_eq(name, "IsRunComplete"))
		x->complete = sv_ieq(v, "true") ? 1 : sv_ieq(v, "false") ? 0 : -1;
	else if (sv_eq(name, "Result"))
		set_buf(&x->rresult, v);
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

	acc_reset(&x->a);
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		buf_reset(b[i]);
	x->top_open = true;
	x->line = cur_line(x);
	x->offset = cur_offset(x);
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
emit(struct cx *x, struct ec_run *r)
{
	int rc;

	if (x->a.steps_seen > x->a.nsteps)
		problem(x, x->line, x->offset, 0,
			"the run at line %" PRIu64 " has %" PRIu64 " steps: only the first %u are kept",
			x->line, x->a.steps_seen, MAX_STEPS);
	if (x->a.drop_steps == 1)
		problem(x, x->a.drop_line, UINT64_MAX, 0, "the step at line %" PRIu64 " has %" PRId64
			" errors: %" PRIu64 " of them are not kept", x->a.drop_line, x->a.drop_count,
			x->a.drop_errors);
	else if (x->a.drop_steps > 1)
		problem(x, x->line, x->offset, 0, "%" PRIu64 " steps of the run at line %" PRIu64
			" have more errors than are kept (%u a step, %u a run): %" PRIu64
			" errors are not kept", x->a.drop_steps, x->line, MAX_ERRORS, MAX_RUN_ERRORS,
			x->a.drop_errors);
	if (x->a.pool_full)
		problem(x, x->line, x->offset, 0,
			"the run at line %" PRIu64 " has over %zu bytes of text: some errors and "
			"counters are not kept", x->line, (size_t)POOL_MAX);
	if (x->steps_as_text)
		problem(x, x->line, x->offset, 0, "the RunStepResults of the run at line %" PRIu64
			" are written as type names only (Export-Clixml -Depth too small): "
			"%" PRIu64 " steps are not known", x->line, x->steps_as_text);
	if (x->refs_missed)
		problem(x, x->line, x->offset, 0, "the run at line %" PRIu64 " refers to %" PRIu64
			" step objects that were not kept: left out", x->line, x->refs_missed);
	if (x->stopped)
		return;
	x->runs++;
	if (x->sink->run && (rc = x->sink->run(x->sink->ctx, r)) != 0)
		stop(x, rc);
}

static void
end_top(struct cx *x)
{
	struct ec_run r;
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
		return;
	}
	memset(&r, 0, sizeof(r));
	r.line = x->line;
	r.run_history_id = sv_trim(buf_sv(&x->rhid));
	r.run_number = -1;
	if (step) {
		/* A RunStepResult alone: a run of that one step. */
		x->a.nsteps = 0;
		end_step(x, &x->self);
		acc_build(&x->a, &r);
		emit(x, &r);
		return;
	}
	r.connector = sv_trim(buf_sv(&x->cname));
	r.connector_id = strip_braces(buf_sv(&x->cid));
	r.profile = sv_trim(buf_sv(&x->profile));
	r.user = sv_trim(buf_sv(&x->user));
	r.run_number = x->run_number;
	acc_build(&x->a, &r);
	if (x->rstart.q >= TQ_LOCAL_ASSUMED)
		r.start = x->rstart;
	if (x->rend.q >= TQ_LOCAL_ASSUMED)
		r.end = x->rend;
	if (x->rresult.len)
		r.result = buf_sv(&x->rresult);
	else if (!sv_trim(r.result).n && x->complete == 0)
		r.result = SV_LIT("in-progress");
	r.result_class = run_result_class(r.result);
	emit(x, &r);
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
	x->cap_depth = x->depth;
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
	const struct frame *p = frame_at(x, x->depth - 1);
	const struct frame *gp = frame_at(x, x->depth - 2);
	const char *n = attr(atts, "N");
	const char *refid = attr(atts, "RefId");
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
			set_buf(&x->pname, name);
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
	const struct frame *p = frame_at(x, x->depth - 1);
	const struct frame *o = frame_at(x, x->depth - 2);
	const char *n = attr(atts, "N");
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
	set_buf(&x->pname, name);
	set_buf(&x->ptype, elem);
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
	struct sv n = local_name(name);
	struct frame tmp, *f = x->depth + 1 < MAX_FRAMES ? &x->fr[x->depth + 1] : &tmp;
	const struct frame *p;

	x->depth++;
	if (x->stopped)
		return;
	if (x->depth > MAX_DOC_DEPTH) {
		problem(x, cur_line(x), cur_offset(x), x->top_open ? 1 : 0,
			"elements nested deeper than %u: the rest of the file is not read",
			MAX_DOC_DEPTH);
		stop(x, 0);
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
	if (x->depth >= MAX_FRAMES) {
		if (x->top_open && x->depth == MAX_FRAMES)
			problem(x, cur_line(x), cur_offset(x), 0, "objects nested deeper than %u at "
				"line %" PRIu64 ": what is inside is not read", MAX_FRAMES, cur_line(x));
		return;
	}
	p = frame_at(x, x->depth - 1);
	if (x->depth == 1) {
		f->kind = K_ROOT;
	} else if (sv_eq(n, "Objs") && x->depth == 2) {
		f->kind = K_OBJS;
	} else if (sv_eq(n, "Obj")) {
		obj_start(x, f, atts);
	} else if (sv_eq(n, "TN") && p->kind == K_OBJ) {
		f->kind = K_TN;
		x->tn_flags = 0;
		copy_id(x->tn_id, attr(atts, "RefId"));
	} else if (sv_eq(n, "T") && p->kind == K_TN) {
		f->kind = K_T;
		set_cap(x, C_T);
	} else if (sv_eq(n, "TNRef") && p->kind == K_OBJ) {
		const char *id = attr(atts, "RefId");

		for (size_t i = 0; id && i < x->ntn; i++) {
			if (!strcmp(x->tn[i].id, id)) {
				x->fr[x->depth - 1].tflags |= x->tn[i].flags;
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
			x->fr[x->depth - 1].role = R_ARRAY;
			x->top_open = false;
		}
	} else if (sv_eq(n, "ToString") && p->kind == K_OBJ) {
		f->kind = K_TOSTRING;
		if (p->role == R_VALUE)
			set_cap(x, C_TOSTRING);
	} else if (sv_eq(n, "Ref")) {
		const struct frame *o = frame_at(x, x->depth - 2);

		if (p->kind == K_LIST && o->kind == K_OBJ && o->role == R_STEPLIST && x->top_open)
			follow_ref(x, attr(atts, "RefId"));
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
		const struct frame *o = frame_at(x, x->depth - 1);

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
	unsigned d = x->depth--;
	const struct frame *f;

	(void)name;
	if (x->stopped)
		return;
	if (x->cap != C_NONE && d == x->cap_depth) {
		x->depth = d;
		end_cap(x);
		x->depth = d - 1;
		if (x->stopped)
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

	if (x->cap == C_NONE || x->stopped || len <= 0)
		return;
	for (int i = 0; i < len; i++)
		unescape_byte(x, s[i]);
	if (x->dec.len >= 4096)
		deliver(x);
}

static const XML_Memory_Handling_Suite mem = { xmalloc, xrealloc, free };

static void
cx_init(struct cx *x, const struct ec_sink *sink)
{
	struct buf *b[] = { &x->rhid, &x->cid, &x->cname, &x->profile, &x->user, &x->rresult,
			    &x->pname, &x->ptype, &x->e_dn, &x->e_type, &x->e_code, &x->e_date };

	memset(x, 0, sizeof(*x));
	x->sink = sink;
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		buf_init(b[i], FIELD_MAX);
	buf_init(&x->val, FIELD_MAX);
	buf_init(&x->dec, EC_MAX_RECORD);
	buf_init(&x->e_lit, TEXT_MAX);
	buf_init(&x->e_sed, TEXT_MAX);
	buf_init(&x->e_stack, TEXT_MAX);
	buf_init(&x->detail, 2 * TEXT_MAX + 1);
	buf_init(&x->fpend, EC_MAX_RECORD + 64);
	step_init(&x->self);
	step_init(&x->step);
	acc_init(&x->a, POOL_MAX);
	acc_init(&x->keep, KEEP_POOL_MAX);
	x->xp = XML_ParserCreate_MM("UTF-8", &mem, NULL);
	x->fxp = XML_ParserCreate_MM("UTF-8", &mem, NULL);
	if (!x->xp || !x->fxp)
		abort();
	XML_SetUserData(x->xp, x);
	XML_SetElementHandler(x->xp, on_start, on_end);
	XML_SetCharacterDataHandler(x->xp, on_text);
}

static void
cx_release(struct cx *x)
{
	struct buf *b[] = { &x->rhid, &x->cid, &x->cname, &x->profile, &x->user, &x->rresult,
			    &x->pname, &x->ptype, &x->e_dn, &x->e_type, &x->e_code, &x->e_date,
			    &x->val, &x->dec, &x->e_lit, &x->e_sed, &x->e_stack, &x->detail,
			    &x->fpend };

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		buf_release(b[i]);
	step_release(&x->self);
	step_release(&x->step);
	acc_release(&x->a);
	acc_release(&x->keep);
	free(x->kept);
	XML_ParserFree(x->xp);
	XML_ParserFree(x->fxp);
}

/* ---- the stream (as in fmt_runxml.c) ------------------------------------ */

struct cxs {
	struct cx x;
	const struct ec_input *inp;
	unsigned char *raw;
	size_t carry;
	struct buf dec;
	struct buf pend;
	size_t bad_units;
	uint64_t tag_len;
	bool in_tag, in_decl, failed;
};

static void
xml_error(struct cxs *st, const char *where)
{
	struct cx *x = &st->x;
	enum XML_Error e = XML_GetErrorCode(x->xp);
	uint64_t line = cur_line(x), off = cur_offset(x);
	uint64_t col = (uint64_t)XML_GetCurrentColumnNumber(x->xp) + 1;
	char what[128] = "", at[48] = "";
	int rc;

	st->failed = true;
	if (line == 1 && col > 3)
		col -= 3;
	if (x->top_open)
		snprintf(what, sizeof(what), " (the object starting at line %" PRIu64 " is lost)",
			 x->line);
	if (off != UINT64_MAX)
		snprintf(at, sizeof(at), ", byte offset %" PRIu64, off);
	rc = ec_problemf(x->sink, line, off, x->top_open ? 1 : 0, 0,
			 "xml error at line %" PRIu64 ", column %" PRIu64 "%s%s: %s: the rest of the "
			 "file is not read%s", line, col, at, where, XML_ErrorString(e), what);
	if (rc)
		x->rc = rc;
}

static bool
feed_xml(struct cxs *st, const char *p, size_t n, bool final)
{
	struct cx *x = &st->x;

	for (size_t i = 0; i < n;) {
		const char *lt, *gt;

		if (st->in_tag) {
			gt = memchr(p + i, '>', n - i);
			st->tag_len += (gt ? (size_t)(gt - (p + i)) : n - i);
			if (st->tag_len > EC_MAX_RECORD) {
				st->failed = true;
				problem(x, cur_line(x), UINT64_MAX, x->top_open ? 1 : 0,
					"markup over 16 MiB without '>': the rest of the file is not read");
				return false;
			}
			if (!gt)
				break;
			st->in_tag = false;
			i = (size_t)(gt - p) + 1;
		} else {
			lt = memchr(p + i, '<', n - i);
			if (!lt)
				break;
			st->in_tag = true;
			st->tag_len = 0;
			i = (size_t)(lt - p) + 1;
		}
	}
	while (n > 0 || final) {
		int k = n > INT32_MAX ? INT32_MAX : (int)n;

		if (XML_Parse(x->xp, p, k, final && (size_t)k == n) == XML_STATUS_ERROR) {
			if (!x->stopped)
				xml_error(st, final && n <= 4 ? " (at the end of the file)" : "");
			st->failed = true;
			return false;
		}
		p += k;
		n -= (size_t)k;
		if (n == 0)
			break;
	}
	if (x->stopped) {
		st->failed = true;
		return false;
	}
	return true;
}

static bool
take(struct cxs *st, const char *p, size_t n, bool final)
{
	size_t k;
	bool ok;

	buf_add(&st->pend, p, n);
	k = scrub(&st->in_decl, st->pend.data, st->pend.len, final);
	ok = feed_xml(st, st->pend.data, k, false);
	memmove(st->pend.data, st->pend.data + k, st->pend.len - k);
	st->pend.len -= k;
	st->pend.data[st->pend.len] = '\0';
	return ok;
}

static void
decode(struct cxs *st, size_t n, bool eof)
{
	enum enc e = st->inp->enc.enc;
	size_t keep = 0;

	buf_reset(&st->dec);
	if (e == ENC_UTF16LE || e == ENC_UTF16BE) {
		bool be = e == ENC_UTF16BE;

		if (!eof) {
			keep = n & 1;
			if (n - keep >= 2) {
				const unsigned char *u = st->raw + n - keep - 2;
				unsigned cu = be ? (unsigned)(u[0] << 8 | u[1]) : (unsigned)(u[1] << 8 | u[0]);

				if (cu >= 0xD800 && cu <= 0xDBFF)
					keep += 2;
			}
		}
		st->bad_units += utf16_to_utf8(&st->dec, st->raw, n - keep, be);
		memmove(st->raw, st->raw + n - keep, keep);
		st->carry = keep;
	} else {
		cp1252_to_utf8(&st->dec, st->raw, n);
		st->carry = 0;
	}
}

static int
finish(struct cxs *st)
{
	struct cx *x = &st->x;
	int rc = 0;

	if (x->top_open) {
		rc = ec_problemf(x->sink, x->line, x->offset, 1, 0,
				 "the file ends inside the object starting at line %" PRIu64
				 " (%" PRIu64 " steps read): cut off; that run is not stored", x->line,
				 x->a.steps_seen);
	} else if (x->depth > 1) {
		rc = ec_problemf(x->sink, cur_line(x), UINT64_MAX, 0, 0,
				 "the file ends before the end tag of its root element: cut off?");
	} else if (!feed_xml(st, "</r>", 4, true)) {
		return x->rc;
	}
	if (!rc && x->others)
		rc = ec_problemf(x->sink, 0, UINT64_MAX, x->others, 0,
				 "%" PRIu64 " objects that are neither a RunProfileResult nor a "
				 "RunStepResult: ignored", x->others);
	if (!rc && x->runs == 0 && !x->top_open)
		rc = ec_problemf(x->sink, 0, UINT64_MAX, 0, 0,
				 "no RunProfileResult or RunStepResult object found");
	return rc;
}

static int
run(struct cxs *st)
{
	const struct ec_input *inp = st->inp;
	struct cx *x = &st->x;
	enum enc e = inp->enc.enc;
	bool utf8 = e != ENC_UTF16LE && e != ENC_UTF16BE && e != ENC_CP1252;
	uint64_t skip = inp->enc.bom;
	long r;
	int rc;

	if (!feed_xml(st, "<r>", 3, false))
		return x->rc;
	for (;;) {
		const char *p;
		size_t n;

		r = inp->in->read(inp->in->ctx, st->raw + st->carry, READ_SIZE);
		if (r < 0)
			break;
		n = (size_t)r + st->carry;
		if (r == 0 && n == 0)
			break;
		if (skip) {
			size_t k = skip < n ? (size_t)skip : n;

			memmove(st->raw, st->raw + k, n - k);
			n -= k;
			skip -= k;
			st->carry = 0;
			if (skip || (n == 0 && r > 0))
				continue;
		}
		if (utf8) {
			p = (const char *)st->raw;
			st->carry = 0;
		} else {
			decode(st, n, r == 0);
			p = st->dec.data;
			n = st->dec.len;
		}
		if (!take(st, p, n, r == 0))
			break;
		if (r == 0)
			break;
	}
	if (!st->failed && r >= 0 && st->pend.len)
		take(st, "", 0, true);
	if (x->rc)
		return x->rc;
	if (r < 0) {
		const char *why = inp->in->error ? inp->in->error(inp->in->ctx) : NULL;

		rc = ec_problemf(x->sink, cur_line(x), UINT64_MAX, x->top_open ? 1 : 0, 0,
				 "read error: %s", why ? why : "unknown");
		return rc ? rc : -1;
	}
	if (!st->failed && (rc = finish(st)) != 0)
		return rc;
	if (st->bad_units &&
	    (rc = ec_problemf(x->sink, 0, UINT64_MAX, 0, 0,
			      "invalid utf-16 in the file, %zu units replaced", st->bad_units)) != 0)
		return rc;
	if (x->problems > TEXT_PROBLEM_CAP &&
	    (rc = ec_problemf(x->sink, 0, UINT64_MAX, 0, 0, "%" PRIu64 " more problems like this",
			      x->problems - TEXT_PROBLEM_CAP)) != 0)
		return rc;
	return 0;
}

static int
runclixml_parse(const struct ec_input *inp)
{
	struct cxs *st = xcalloc(1, sizeof(*st));
	enum enc e = inp->enc.enc;
	int rc;

	st->inp = inp;
	cx_init(&st->x, inp->sink);
	st->x.offsets = e != ENC_UTF16LE && e != ENC_UTF16BE && e != ENC_CP1252;
	st->x.bom = inp->enc.bom;
	st->x.fed_extra = 3;
	st->raw = xmalloc(READ_SIZE + 4);
	buf_init(&st->dec, 4 * READ_SIZE);
	buf_init(&st->pend, 8 * READ_SIZE);
	rc = run(st);
	buf_release(&st->pend);
	buf_release(&st->dec);
	free(st->raw);
	cx_release(&st->x);
	free(st);
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
	while (p < end && is_ws(*p))
		p++;
	if (end - p >= 5 && memcmp(p, "<?xml", 5) == 0) {
		while (p + 1 < end && !(p[0] == '?' && p[1] == '>'))
			p++;
		p += 2;
		while (p < end && is_ws(*p))
			p++;
	}
	if (end - p < 6 || memcmp(p, "<Objs", 5) != 0 || !(is_ws(p[5]) || p[5] == '>'))
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
