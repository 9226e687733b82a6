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
 * Memory is bounded: text per element, steps per run, counters and errors
 * per step and the strings of one run are capped, with a problem when a cap
 * is reached. A file cut off loses the run it ends in; an XML error ends the
 * parse (expat cannot resume), keeping the runs before it. */
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

#define FIELD_MAX 4096			/* names, dates, results, codes */
#define TEXT_MAX ((size_t)64 << 10)	/* an error's text */
#define MAX_STEPS 1000			/* steps kept per run */
#define MAX_COUNTERS 256		/* counters kept per step */
#define MAX_ERRORS 200			/* errors kept per step */
#define MAX_RUN_ERRORS 20000		/* errors kept per run */
#define POOL_MAX EC_MAX_RECORD		/* strings of one run */
#define MAX_DOC_DEPTH 4096		/* elements nested: beyond, the parse stops */
#define READ_SIZE (64u * 1024u)

/* ---- the run being read ------------------------------------------------- */

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
	/* what the sink gets */
	struct ec_run_step *osteps;
	size_t costeps;
	struct ec_kv *okv;
	size_t cokv;
	struct ec_run_error *oerr;
	size_t coerr;
	/* the run from its steps */
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
acc_init(struct acc *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->pool, POOL_MAX);
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

/* Copy v (trimmed) to the pool; an empty span when the pool is full. */
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

/* Forget the pool past mark (a step that is not kept). */
static void
pool_cut(struct acc *a, size_t mark)
{
	if (mark < a->pool.len) {
		a->pool.len = mark;
		a->pool.data[mark] = '\0';
	}
}

/* How bad a result is, to pick the worst of a run's steps. */
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

/* A step ended: the run's times and results follow it. */
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

/* The run for the sink, views into a. */
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

/* A decimal number, optionally negative, that fits in 64 bits. */
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

/* "2017-01-04 23:00:55.253" (UTC as the engine writes it), also with a T,
 * any number of fractional digits, a Z or an offset. */
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

/* "{85098734-66BC-...}" -> "85098734-66BC-..." */
static struct sv
strip_braces(struct sv v)
{
	v = sv_trim(v);
	if (v.n >= 2 && v.p[0] == '{' && v.p[v.n - 1] == '}')
		v = sv_make(v.p + 1, v.n - 2);
	return v;
}

/* ---- the parse ---------------------------------------------------------- */

/* The child of <step-details> being read. */
enum sec { SEC_NONE, SEC_DESC, SEC_CONN, SEC_COUNTERS, SEC_ERRORS, SEC_OTHER };

/* Where the text of the element being read goes. */
enum tgt {
	T_NONE, T_MAID, T_MANAME, T_RUNNUM, T_PROFILE, T_USER, T_START, T_END, T_RESULT,
	T_SUBTYPE, T_CONN, T_SERVER, T_COUNTER, T_E_TYPE, T_E_CODE, T_E_LIT, T_E_SED, T_E_DATE,
	T_E_STACK, T_NTGT
};

struct rx {
	XML_Parser xp;
	const struct ec_sink *sink;
	int rc;				/* a sink's value that stopped the parse */
	bool stopped;

	/* offsets: bytes fed before the input's first byte after the
	 * byte-order mark (the "<r>"), and that mark's length */
	bool offsets;
	uint64_t fed_extra, bom;

	unsigned depth;			/* open elements, the synthetic root included */
	unsigned run_depth, step_depth, entry_depth;	/* 0 when not open */
	enum sec sec;
	const char *err_cat;		/* SEC_ERRORS: the category of its entries */
	bool outbound;			/* SEC_COUNTERS: outbound-flow-counters */

	enum tgt tgt;
	unsigned tgt_depth;
	bool tgt_cut;
	struct buf t[T_NTGT];		/* the text of each target */
	struct buf cname;		/* the counter being read */
	struct buf stype;		/* step-type/@type */
	unsigned stype_depth;		/* of the open <step-type>, else 0 */
	struct buf detail;		/* an error's literal and server detail */
	int64_t step_number;
	uint64_t step_line;
	size_t step_pool, step_c0, step_e0;
	int64_t step_errors;
	uint64_t step_errors_dropped;
	bool step_ctr_full;
	const char *e_cat;		/* the error entry being read */
	struct buf e_dn;
	bool e_cd;			/* it has a <cd-error> */

	uint64_t line, offset;		/* of the run */
	struct acc a;
	uint64_t runs, problems;
};

static void
stop(struct rx *x, int rc)
{
	if (!x->stopped) {
		x->stopped = true;
		x->rc = rc;
		XML_StopParser(x->xp, XML_FALSE);
	}
}

static uint64_t
cur_line(struct rx *x)
{
	return (uint64_t)XML_GetCurrentLineNumber(x->xp);
}

static uint64_t
cur_offset(struct rx *x)
{
	XML_Index i = XML_GetCurrentByteIndex(x->xp);

	if (!x->offsets || i < 0 || (uint64_t)i < x->fed_extra)
		return UINT64_MAX;
	return (uint64_t)i - x->fed_extra + x->bom;
}

static void
problem(struct rx *x, uint64_t line, uint64_t offset, uint64_t records, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
problem(struct rx *x, uint64_t line, uint64_t offset, uint64_t records, const char *fmt, ...)
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
capture(struct rx *x, enum tgt t)
{
	x->tgt = t;
	x->tgt_depth = x->depth;
	x->tgt_cut = false;
	buf_reset(&x->t[t]);
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

	acc_reset(&x->a);
	for (size_t i = 0; i < sizeof(run_fields) / sizeof(run_fields[0]); i++)
		buf_reset(&x->t[run_fields[i]]);
	x->run_depth = x->depth;
	x->line = cur_line(x);
	x->offset = cur_offset(x);
	x->step_depth = x->entry_depth = 0;
	x->tgt = T_NONE;
}

static void
begin_step(struct rx *x, const XML_Char **atts)
{
	static const enum tgt step_fields[] = { T_START, T_END, T_RESULT, T_SUBTYPE, T_CONN,
						T_SERVER };
	const char *n = attr(atts, "step-number");

	for (size_t i = 0; i < sizeof(step_fields) / sizeof(step_fields[0]); i++)
		buf_reset(&x->t[step_fields[i]]);
	buf_reset(&x->stype);
	x->stype_depth = 0;
	x->step_depth = x->depth;
	x->step_line = cur_line(x);
	x->step_number = -1;
	if (n && !read_i64(sv_cstr(n), &x->step_number)) {
		x->step_number = -1;
		problem(x, x->step_line, cur_offset(x), 0,
			"step-number '%.40s' at line %" PRIu64 " is not a number", n, x->step_line);
	}
	x->step_pool = x->a.pool.len;
	x->step_c0 = x->a.nctr;
	x->step_e0 = x->a.nerr;
	x->step_errors = 0;
	x->step_errors_dropped = 0;
	x->step_ctr_full = false;
	x->sec = SEC_NONE;
}

static struct ec_time
step_time(struct rx *x, enum tgt t, const char *what)
{
	struct ec_time tm = no_time;
	struct sv v = tsv(x, t);

	if (v.n && !read_time(v, &tm)) {
		tm = no_time;
		problem(x, x->step_line, UINT64_MAX, 0,
			"%s '%.40s' of the step at line %" PRIu64 " not understood: left out",
			what, x->t[t].data, x->step_line);
	}
	return tm;
}

static void
end_step(struct rx *x)
{
	struct acc *a = &x->a;
	struct ec_time start = step_time(x, T_START, "start-date");
	struct ec_time end = step_time(x, T_END, "end-date");
	struct rstep *s;

	acc_step_seen(a, x->step_number, tsv(x, T_RESULT), start, end);
	acc_drop(a, x->step_line, x->step_errors, x->step_errors_dropped);
	if (a->nsteps == MAX_STEPS) {
		pool_cut(a, x->step_pool);
		a->nctr = x->step_c0;
		a->nerr = x->step_e0;
		return;
	}
	a->steps = grow(a->steps, &a->csteps, a->nsteps + 1, sizeof(*a->steps));
	s = &a->steps[a->nsteps++];
	memset(s, 0, sizeof(*s));
	s->number = x->step_number;
	s->type = pool_add(a, buf_sv(&x->stype));
	s->subtype = pool_add(a, tsv(x, T_SUBTYPE));
	s->result = pool_add(a, tsv(x, T_RESULT));
	s->conn = pool_add(a, tsv(x, T_CONN));
	s->server = pool_add(a, tsv(x, T_SERVER));
	s->start = start;
	s->end = end;
	s->c0 = x->step_c0;
	s->nc = a->nctr - x->step_c0;
	s->e0 = x->step_e0;
	s->ne = a->nerr - x->step_e0;
	s->error_count = x->step_errors;
}

static void
end_run(struct rx *x)
{
	struct acc *a = &x->a;
	struct ec_run r;
	int64_t n = -1;
	int rc;

	if (a->steps_seen > a->nsteps)
		problem(x, x->line, x->offset, 0,
			"the run at line %" PRIu64 " has %" PRIu64 " steps: only the first %u are kept",
			x->line, a->steps_seen, MAX_STEPS);
	if (a->drop_steps == 1)
		problem(x, a->drop_line, UINT64_MAX, 0, "the step at line %" PRIu64 " has %" PRId64
			" errors: %" PRIu64 " of them are not kept", a->drop_line, a->drop_count,
			a->drop_errors);
	else if (a->drop_steps > 1)
		problem(x, x->line, x->offset, 0, "%" PRIu64 " steps of the run at line %" PRIu64
			" have more errors than are kept (%u a step, %u a run): %" PRIu64
			" errors are not kept", a->drop_steps, x->line, MAX_ERRORS, MAX_RUN_ERRORS,
			a->drop_errors);
	if (a->pool_full)
		problem(x, x->line, x->offset, 0,
			"the run at line %" PRIu64 " has over %zu bytes of text: some errors and "
			"counters are not kept", x->line, (size_t)POOL_MAX);
	if (tsv(x, T_RUNNUM).n && !read_i64(tsv(x, T_RUNNUM), &n)) {
		n = -1;
		problem(x, x->line, x->offset, 0, "run-number '%.40s' of the run at line %" PRIu64
			" is not a number", x->t[T_RUNNUM].data, x->line);
	}
	if (x->stopped)
		return;
	memset(&r, 0, sizeof(r));
	r.line = x->line;
	r.connector = tsv(x, T_MANAME);
	r.connector_id = strip_braces(tsv(x, T_MAID));
	r.profile = tsv(x, T_PROFILE);
	r.user = tsv(x, T_USER);
	r.run_number = n;
	acc_build(a, &r);
	x->runs++;
	if (x->sink->run && (rc = x->sink->run(x->sink->ctx, &r)) != 0)
		stop(x, rc);
}

static void
begin_entry(struct rx *x, const char *category, const XML_Char **atts)
{
	static const enum tgt fields[] = { T_E_TYPE, T_E_CODE, T_E_LIT, T_E_SED, T_E_DATE,
					   T_E_STACK };
	const char *dn = attr(atts, "dn");

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		buf_reset(&x->t[fields[i]]);
	x->entry_depth = x->depth;
	x->e_cat = category;
	x->e_cd = false;
	set_buf(&x->e_dn, sv_cstr(dn));
}

static void
end_entry(struct rx *x)
{
	struct acc *a = &x->a;
	struct rerror *e;
	struct ec_time when = no_time;
	struct sv lit = tsv(x, T_E_LIT), sed = tsv(x, T_E_SED), date = tsv(x, T_E_DATE);
	struct buf *d = &x->t[T_E_LIT];

	x->entry_depth = 0;
	/* A connection log lists the attempts that worked too. */
	if (!strcmp(x->e_cat, "connection") && !x->e_cd && sv_ieq(tsv(x, T_E_TYPE), "success"))
		return;
	x->step_errors++;
	if (x->step_errors > MAX_ERRORS || a->nerr >= MAX_RUN_ERRORS) {
		x->step_errors_dropped++;
		return;
	}
	if (date.n && !read_time(date, &when)) {
		when = no_time;
		problem(x, cur_line(x), UINT64_MAX, 0, "error date '%.40s' at line %" PRIu64
			" not understood: left out", x->t[T_E_DATE].data, cur_line(x));
	}
	a->err = grow(a->err, &a->cerr, a->nerr + 1, sizeof(*a->err));
	e = &a->err[a->nerr++];
	e->category = x->e_cat;
	e->dn = pool_add(a, buf_sv(&x->e_dn));
	e->type = pool_add(a, tsv(x, T_E_TYPE));
	e->code = pool_add(a, tsv(x, T_E_CODE));
	/* The detail: the literal, then the server's detail (or the call
	 * stack of an extension error when there is nothing else). */
	if (lit.n && sed.n) {
		buf_reset(&x->detail);
		buf_addsv(&x->detail, lit);
		buf_addc(&x->detail, '\n');
		buf_addsv(&x->detail, sed);
		d = &x->detail;
	} else if (sed.n) {
		d = &x->t[T_E_SED];
	} else if (!lit.n) {
		d = &x->t[T_E_STACK];
	}
	e->detail = pool_add(a, buf_sv(d));
	e->when = when;
}

/* The text of a counter leaf that ended. */
static void
end_counter(struct rx *x)
{
	struct acc *a = &x->a;
	struct sv v = tsv(x, T_COUNTER);
	int64_t n;
	char name[160];

	snprintf(name, sizeof(name), "%s%s", x->outbound ? "outbound-" : "", x->cname.data);
	if (!read_i64(v, &n)) {
		problem(x, cur_line(x), cur_offset(x), 0,
			"counter %s '%.40s' at line %" PRIu64 " is not a number: left out", name,
			x->t[T_COUNTER].data, cur_line(x));
		return;
	}
	/* Several <outbound-flow-counters> (one per target connector) add up. */
	for (size_t i = x->step_c0; i < a->nctr; i++) {
		if (sv_eq(pool_sv(a, a->ctr[i].name), name)) {
			int64_t old = 0;
			char num[24];

			read_i64(pool_sv(a, a->ctr[i].value), &old);
			snprintf(num, sizeof(num), "%" PRId64, old + n);
			a->ctr[i].value = pool_add(a, sv_cstr(num));
			return;
		}
	}
	if (a->nctr - x->step_c0 >= MAX_COUNTERS) {
		if (!x->step_ctr_full)
			problem(x, cur_line(x), cur_offset(x), 0, "the step at line %" PRIu64
				" has over %u counters: the rest are left out", x->step_line,
				MAX_COUNTERS);
		x->step_ctr_full = true;
		return;
	}
	a->ctr = grow(a->ctr, &a->cctr, a->nctr + 1, sizeof(*a->ctr));
	a->ctr[a->nctr].name = pool_add(a, sv_cstr(name));
	a->ctr[a->nctr].value = pool_add(a, v);
	a->nctr++;
}

/* An element inside an error entry or a connection incident. */
static void
entry_child(struct rx *x, struct sv n)
{
	bool incident = !strcmp(x->e_cat, "connection");

	if (sv_eq(n, "error-type") || (incident && sv_eq(n, "connection-result")))
		capture(x, T_E_TYPE);
	else if (sv_eq(n, "error-code"))
		capture(x, T_E_CODE);
	else if (sv_eq(n, "error-literal"))
		capture(x, T_E_LIT);
	else if (sv_eq(n, "server-error-detail"))
		capture(x, T_E_SED);
	else if (sv_eq(n, "date-occurred") || (incident && sv_eq(n, "date")))
		capture(x, T_E_DATE);
	else if (sv_eq(n, "call-stack"))
		capture(x, T_E_STACK);
	else if (sv_eq(n, "cd-error"))
		x->e_cd = true;
}

static void
step_child(struct rx *x, struct sv n)
{
	x->outbound = false;
	x->err_cat = NULL;
	if (sv_eq(n, "start-date")) {
		x->sec = SEC_NONE;
		capture(x, T_START);
	} else if (sv_eq(n, "end-date")) {
		x->sec = SEC_NONE;
		capture(x, T_END);
	} else if (sv_eq(n, "step-result")) {
		x->sec = SEC_NONE;
		capture(x, T_RESULT);
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
	} else if (sv_eq(n, "synchronization-errors")) {
		x->sec = SEC_ERRORS;
		x->err_cat = "sync";
	} else if (sv_eq(n, "ma-discovery-errors")) {
		x->sec = SEC_ERRORS;
		x->err_cat = "discovery";
	} else if (sv_eq(n, "mv-retry-errors")) {
		x->sec = SEC_ERRORS;
		x->err_cat = "mv-retry";
	} else {
		x->sec = SEC_OTHER;
	}
}

static void XMLCALL
on_start(void *ctx, const XML_Char *name, const XML_Char **atts)
{
	struct rx *x = ctx;
	struct sv n = local_name(name);
	unsigned rel;

	x->depth++;
	if (x->stopped)
		return;
	if (x->depth > MAX_DOC_DEPTH) {
		problem(x, cur_line(x), cur_offset(x), x->run_depth ? 1 : 0,
			"elements nested deeper than %u: the rest of the file is not read",
			MAX_DOC_DEPTH);
		stop(x, 0);
		return;
	}
	/* A start inside a captured element: that one was not a leaf. */
	x->tgt = T_NONE;
	if (!x->run_depth) {
		if (sv_eq(n, "run-details"))
			begin_run(x);
		return;
	}
	if (!x->step_depth) {
		if (x->depth != x->run_depth + 1)
			return;
		if (sv_eq(n, "ma-id"))
			capture(x, T_MAID);
		else if (sv_eq(n, "ma-name"))
			capture(x, T_MANAME);
		else if (sv_eq(n, "run-number"))
			capture(x, T_RUNNUM);
		else if (sv_eq(n, "run-profile-name"))
			capture(x, T_PROFILE);
		else if (sv_eq(n, "security-id"))
			capture(x, T_USER);
		else if (sv_eq(n, "step-details"))
			begin_step(x, atts);
		return;
	}
	rel = x->depth - x->step_depth;
	if (rel == 1) {
		step_child(x, n);
		return;
	}
	if (x->entry_depth) {
		entry_child(x, n);
		return;
	}
	switch (x->sec) {
	case SEC_DESC:
		if (rel == 2 && sv_eq(n, "step-type")) {
			set_buf(&x->stype, sv_cstr(attr(atts, "type")));
			x->stype_depth = x->depth;
		} else if (x->stype_depth && x->depth == x->stype_depth + 1 &&
			   !x->t[T_SUBTYPE].len) {
			capture(x, T_SUBTYPE);
		}
		break;
	case SEC_CONN:
		if (rel == 2 && sv_eq(n, "connection-result"))
			capture(x, T_CONN);
		else if (rel == 2 && sv_eq(n, "server"))
			capture(x, T_SERVER);
		else if (sv_eq(n, "incident"))
			begin_entry(x, "connection", atts);
		break;
	case SEC_COUNTERS:
		set_buf(&x->cname, n);
		capture(x, T_COUNTER);
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
	unsigned depth = x->depth--;

	(void)name;
	if (x->stopped || !x->run_depth)
		return;
	if (x->tgt != T_NONE && depth == x->tgt_depth) {
		if (x->tgt == T_COUNTER)
			end_counter(x);
		x->tgt = T_NONE;
	}
	if (x->stopped)
		return;
	if (x->entry_depth && depth == x->entry_depth) {
		end_entry(x);
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
	struct buf *b;

	if (x->tgt == T_NONE || x->stopped || len <= 0)
		return;
	b = &x->t[x->tgt];
	if (!buf_add(b, s, (size_t)len) && !x->tgt_cut) {
		x->tgt_cut = true;
		text_drop_partial_utf8(b);
		problem(x, cur_line(x), cur_offset(x), 0,
			"text over %zu bytes at line %" PRIu64 ": cut", b->max, cur_line(x));
	}
}

static const XML_Memory_Handling_Suite mem = { xmalloc, xrealloc, free };

static void
rx_init(struct rx *x, const struct ec_sink *sink)
{
	memset(x, 0, sizeof(*x));
	x->sink = sink;
	for (int i = 0; i < T_NTGT; i++)
		buf_init(&x->t[i], FIELD_MAX);
	buf_init(&x->t[T_E_LIT], TEXT_MAX);
	buf_init(&x->t[T_E_SED], TEXT_MAX);
	buf_init(&x->t[T_E_STACK], TEXT_MAX);
	buf_init(&x->cname, FIELD_MAX);
	buf_init(&x->detail, 2 * TEXT_MAX + 1);
	buf_init(&x->stype, FIELD_MAX);
	buf_init(&x->e_dn, FIELD_MAX);
	acc_init(&x->a);
	/* Whatever a declaration says: we feed UTF-8. */
	x->xp = XML_ParserCreate_MM("UTF-8", &mem, NULL);
	if (!x->xp)
		abort();
	XML_SetUserData(x->xp, x);
	XML_SetElementHandler(x->xp, on_start, on_end);
	XML_SetCharacterDataHandler(x->xp, on_text);
}

static void
rx_release(struct rx *x)
{
	for (int i = 0; i < T_NTGT; i++)
		buf_release(&x->t[i]);
	buf_release(&x->cname);
	buf_release(&x->detail);
	buf_release(&x->stype);
	buf_release(&x->e_dn);
	acc_release(&x->a);
	XML_ParserFree(x->xp);
}

/* ---- the stream --------------------------------------------------------- */

struct rxs {
	struct rx x;
	const struct ec_input *inp;
	unsigned char *raw;		/* READ_SIZE bytes after up to 3 carried ones */
	size_t carry;			/* UTF-16 bytes held back for the next read */
	struct buf dec;			/* a read decoded to UTF-8 */
	struct buf pend;		/* decoded bytes not yet fed */
	size_t bad_units;		/* invalid UTF-16 replaced */
	uint64_t tag_len;		/* bytes of the markup being read */
	bool in_tag, in_decl, failed;	/* failed: an XML error or a stop */
};

static void
xml_error(struct rxs *st, const char *where)
{
	struct rx *x = &st->x;
	enum XML_Error e = XML_GetErrorCode(x->xp);
	uint64_t line = cur_line(x), off = cur_offset(x);
	uint64_t col = (uint64_t)XML_GetCurrentColumnNumber(x->xp) + 1;
	char what[128], at[48] = "";
	int rc;

	st->failed = true;
	if (line == 1 && col > 3)
		col -= 3;
	what[0] = '\0';
	if (x->run_depth)
		snprintf(what, sizeof(what), " (the run-details starting at line %" PRIu64
			 " is lost)", x->line);
	if (off != UINT64_MAX)
		snprintf(at, sizeof(at), ", byte offset %" PRIu64, off);
	rc = ec_problemf(x->sink, line, off, x->run_depth ? 1 : 0, 0,
			 "xml error at line %" PRIu64 ", column %" PRIu64 "%s%s: %s: the rest of the "
			 "file is not read%s", line, col, at, where, XML_ErrorString(e), what);
	if (rc)
		x->rc = rc;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Blank out XML declarations in p (expat refuses one that is not at the
 * very start, and every one here follows our "<r>"); returns how many bytes
 * may be fed now, the rest (a possible start of one) waits for more. */
static size_t
scrub(struct rxs *st, char *p, size_t n, bool final)
{
	for (size_t i = 0; i < n; i++) {
		if (st->in_decl) {
			if (p[i] == '?') {
				if (i + 1 == n)
					return final ? n : i;
				if (p[i + 1] == '>') {
					p[i] = p[i + 1] = ' ';
					st->in_decl = false;
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
			st->in_decl = true;
			memset(p + i, ' ', 5);
			i += 4;
		}
	}
	return n;
}

/* Feed n bytes of UTF-8 to expat; false when the parse is over. */
static bool
feed_xml(struct rxs *st, const char *p, size_t n, bool final)
{
	struct rx *x = &st->x;

	/* A tag (or comment, or CDATA) is held whole by expat: cap it. */
	for (size_t i = 0; i < n;) {
		const char *lt, *gt;

		if (st->in_tag) {
			gt = memchr(p + i, '>', n - i);
			st->tag_len += (gt ? (size_t)(gt - (p + i)) : n - i);
			if (st->tag_len > EC_MAX_RECORD) {
				st->failed = true;
				problem(x, cur_line(x), UINT64_MAX, x->run_depth ? 1 : 0,
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

/* Hand decoded bytes on, declarations blanked. */
static bool
take(struct rxs *st, const char *p, size_t n, bool final)
{
	size_t k;
	bool ok;

	buf_add(&st->pend, p, n);
	k = scrub(st, st->pend.data, st->pend.len, final);
	ok = feed_xml(st, st->pend.data, k, false);
	memmove(st->pend.data, st->pend.data + k, st->pend.len - k);
	st->pend.len -= k;
	st->pend.data[st->pend.len] = '\0';
	return ok;
}

/* Decode one read (raw[0 .. n), carried bytes included) to UTF-8 in dec. */
static void
decode(struct rxs *st, size_t n, bool eof)
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
finish(struct rxs *st)
{
	struct rx *x = &st->x;
	int rc = 0;

	if (x->run_depth) {
		rc = ec_problemf(x->sink, x->line, x->offset, 1, 0,
				 "the file ends inside the run-details starting at line %" PRIu64
				 " (%" PRIu64 " steps read): cut off; that run is not stored", x->line,
				 x->a.steps_seen);
	} else if (x->depth > 1) {
		rc = ec_problemf(x->sink, cur_line(x), UINT64_MAX, 0, 0,
				 "the file ends before the end tag of its root element: cut off?");
	} else if (!feed_xml(st, "</r>", 4, true)) {
		return x->rc;
	}
	if (!rc && x->runs == 0 && !x->run_depth)
		rc = ec_problemf(x->sink, 0, UINT64_MAX, 0, 0, "no <run-details> element found");
	return rc;
}

static int
run(struct rxs *st)
{
	const struct ec_input *inp = st->inp;
	struct rx *x = &st->x;
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

		rc = ec_problemf(x->sink, cur_line(x), UINT64_MAX, x->run_depth ? 1 : 0, 0,
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
runxml_parse(const struct ec_input *inp)
{
	struct rxs *st = xcalloc(1, sizeof(*st));
	enum enc e = inp->enc.enc;
	int rc;

	st->inp = inp;
	rx_init(&st->x, inp->sink);
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
	rx_release(&st->x);
	free(st);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------- */

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

static bool
starts_with_elem(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	return (size_t)(end - p) > n + 1 && p[0] == '<' && memcmp(p + 1, name, n) == 0 &&
	       (p[n + 1] == '>' || p[n + 1] == '/' || is_ws(p[n + 1]));
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
