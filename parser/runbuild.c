/* SPDX-License-Identifier: MIT */
/* runbuild.c - the run builder of the run-history readers, and the expat
 * feed and error entries of the two XML ones (runbuild.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/encoding.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/runbuild.h"
#include "parser/runclass.h"
#include "parser/textutil.h"

#define XML_FIELD_MAX 4096		/* an error entry's dn, type, code, date */
#define XML_TEXT_MAX ((size_t)64 << 10)	/* its literal, server detail, call stack */
#define READ_SIZE (64u * 1024u)

static const struct ec_time no_time = { 0, -1, TQ_NONE };

/* ==== the builder ======================================================== */

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

void
rb_set_buf(struct buf *b, struct sv v)
{
	buf_reset(b);
	buf_addsv(b, sv_trim(v));
	text_drop_partial_utf8(b);
}

static void
reset(struct runbuild *b)
{
	for (size_t i = 0; i < RB_RUN_FIELDS; i++)
		buf_reset(&b->text[i]);
	buf_reset(&b->pool);
	buf_reset(&b->last_result);
	buf_reset(&b->worst_result);
	b->open = b->from_steps = b->incomplete = b->reported = false;
	b->line = 0;
	b->offset = UINT64_MAX;
	b->run_number = -1;
	b->start = b->end = no_time;
	b->pool_full = false;
	b->nsteps = b->nctr = b->nerr = 0;
	b->in_step = b->dropped = b->in_error = false;
	b->steps_seen = 0;
	b->first_start = b->last_end = no_time;
	b->have_last = false;
	b->last_number = -1;
	b->worst_rank = 0;
	b->drop_steps = b->drop_errors = b->drop_line = 0;
	b->drop_count = b->errors_seen = 0;
}

void
rb_init(struct runbuild *b, const struct ec_sink *sink, uint64_t *problems, enum rb_style style)
{
	memset(b, 0, sizeof(*b));
	b->sink = sink;
	b->problems = problems;
	b->style = style;
	for (size_t i = 0; i < RB_RUN_FIELDS; i++)
		buf_init(&b->text[i], RB_FIELD_MAX);
	buf_init(&b->pool, RB_POOL);
	buf_init(&b->drop_result, RB_FIELD_MAX);
	buf_init(&b->last_result, RB_FIELD_MAX);
	buf_init(&b->worst_result, RB_FIELD_MAX);
	buf_init(&b->nums, (size_t)RB_MAX_STEPS * RB_MAX_COUNTERS * 24);
	buf_init(&b->tmp, RB_NAME_MAX);
	reset(b);
}

void
rb_release(struct runbuild *b)
{
	struct buf *bufs[] = { &b->pool, &b->drop_result, &b->last_result, &b->worst_result,
			       &b->nums, &b->tmp };

	for (size_t i = 0; i < RB_RUN_FIELDS; i++)
		buf_release(&b->text[i]);
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		buf_release(bufs[i]);
	free(b->step);
	free(b->ctr);
	free(b->err);
	free(b->ostep);
	free(b->okv);
	free(b->oerr);
}

int
rb_problemf(struct runbuild *b, uint64_t line, uint64_t offset, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!text_problem_ok(b->problems))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ec_problemf(b->sink, line, offset, 0, 0, "%s", msg);
}

/* ---- text --------------------------------------------------------------- */

/* Copy v (trimmed) to the pool; an empty span when it does not fit. */
static struct rb_span
pool_add(struct runbuild *b, struct sv v)
{
	struct rb_span s = { 0, 0 };

	v = sv_trim(v);
	if (!v.n)
		return s;
	if (b->pool.max - b->pool.len < v.n + 1) {
		b->pool_full = true;
		return s;
	}
	s.off = b->pool.len;
	s.n = v.n;
	buf_addsv(&b->pool, v);
	buf_addc(&b->pool, '\0');
	return s;
}

static struct sv
pool_sv(const struct runbuild *b, struct rb_span s)
{
	return s.n ? sv_make(b->pool.data + s.off, s.n) : SV_NULL;
}

/* The open step (NULL if none). */
static struct rb_step *
cur(struct runbuild *b)
{
	if (!b->in_step)
		return NULL;
	return b->dropped ? &b->drop : &b->step[b->nsteps - 1];
}

void
rb_set(struct runbuild *b, enum rb_field f, struct sv v)
{
	struct rb_step *s = cur(b);

	if (!b->open)
		return;
	if (f < RB_STEP_TYPE) {
		rb_set_buf(&b->text[f], v);
	} else if (f < RB_ERROR_DN) {
		if (!s)
			return;
		if (!b->dropped)
			s->text[f - RB_STEP_TYPE] = pool_add(b, v);
		else if (f == RB_STEP_RESULT)
			rb_set_buf(&b->drop_result, v);
	} else if (f < RB_NFIELDS && b->in_error) {
		b->err[b->nerr - 1].text[f - RB_ERROR_DN] = pool_add(b, v);
	}
}

struct sv
rb_get(const struct runbuild *b, enum rb_field f)
{
	if (!b->open)
		return SV_NULL;
	if (f < RB_STEP_TYPE)
		return buf_sv(&b->text[f]);
	if (f < RB_ERROR_DN) {
		if (!b->in_step)
			return SV_NULL;
		if (b->dropped)
			return f == RB_STEP_RESULT ? buf_sv(&b->drop_result) : SV_NULL;
		return pool_sv(b, b->step[b->nsteps - 1].text[f - RB_STEP_TYPE]);
	}
	if (f < RB_NFIELDS && b->in_error)
		return pool_sv(b, b->err[b->nerr - 1].text[f - RB_ERROR_DN]);
	return SV_NULL;
}

void
rb_time(struct runbuild *b, enum rb_when w, struct ec_time t)
{
	struct rb_step *s = cur(b);

	if (!b->open)
		return;
	switch (w) {
	case RB_RUN_START:
		b->start = t;
		break;
	case RB_RUN_END:
		b->end = t;
		break;
	case RB_STEP_START:
		if (s)
			s->start = t;
		break;
	case RB_STEP_END:
		if (s)
			s->end = t;
		break;
	case RB_ERROR_WHEN:
		if (b->in_error)
			b->err[b->nerr - 1].when = t;
		break;
	}
}

void
rb_run_number(struct runbuild *b, int64_t n)
{
	if (b->open)
		b->run_number = n;
}

void
rb_step_number(struct runbuild *b, int64_t n)
{
	struct rb_step *s = cur(b);

	if (s)
		s->number = n;
}

void
rb_incomplete(struct runbuild *b, bool incomplete)
{
	if (b->open)
		b->incomplete = incomplete;
}

void
rb_errors_known(struct runbuild *b)
{
	struct rb_step *s = cur(b);

	if (s)
		s->errors_known = true;
}

/* ---- steps -------------------------------------------------------------- */

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

/* A step was read: the run's times and result follow it. */
static void
step_seen(struct runbuild *b, int64_t number, struct sv result, struct ec_time start,
	  struct ec_time end)
{
	int rank = result_rank(result);

	b->steps_seen++;
	if (start.q >= TQ_LOCAL_ASSUMED &&
	    (b->first_start.q < TQ_LOCAL_ASSUMED || start.ms < b->first_start.ms))
		b->first_start = start;
	if (end.q >= TQ_LOCAL_ASSUMED && (b->last_end.q < TQ_LOCAL_ASSUMED || end.ms > b->last_end.ms))
		b->last_end = end;
	if (!b->have_last || number > b->last_number) {
		b->have_last = true;
		b->last_number = number;
		rb_set_buf(&b->last_result, result);
	}
	if (rank > b->worst_rank) {
		b->worst_rank = rank;
		rb_set_buf(&b->worst_result, result);
	}
}

void
rb_step_begin(struct runbuild *b, uint64_t line)
{
	struct rb_step *s;

	if (!b->open)
		return;
	if (b->in_step)
		rb_step_end(b);
	b->in_step = true;
	b->in_error = false;
	b->dropped = b->nsteps >= RB_MAX_STEPS;
	if (b->dropped) {
		s = &b->drop;
		buf_reset(&b->drop_result);
	} else {
		b->step = grow(b->step, &b->csteps, b->nsteps + 1, sizeof(*b->step));
		s = &b->step[b->nsteps++];
	}
	memset(s, 0, sizeof(*s));
	s->line = line;
	s->number = -1;
	s->start = s->end = no_time;
	s->c0 = b->nctr;
	s->e0 = b->nerr;
}

bool
rb_step_end(struct runbuild *b)
{
	struct rb_step *s = cur(b);
	uint64_t lost;

	if (!s)
		return false;
	step_seen(b, s->number, b->dropped ? buf_sv(&b->drop_result) : pool_sv(b, s->text[2]),
		  s->start, s->end);
	lost = (uint64_t)s->errors - s->ne;
	if (lost) {
		if (!b->drop_steps++) {
			b->drop_line = s->line;
			b->drop_count = s->errors;
		}
		b->drop_errors += lost;
	}
	b->errors_seen += s->errors;
	b->in_step = b->in_error = false;
	return !b->dropped;
}

void
rb_step_discard(struct runbuild *b)
{
	struct rb_step *s = cur(b);

	if (!s)
		return;
	if (!b->dropped) {
		b->nctr = s->c0;
		b->nerr = s->e0;
		b->nsteps--;
	}
	b->in_step = b->in_error = false;
}

bool
rb_in_step(const struct runbuild *b)
{
	return b->in_step;
}

/* RunHistoryIds are GUIDs, written in either case. */
static bool
same_id(struct sv x, struct sv y)
{
	if (x.n != y.n)
		return false;
	for (size_t i = 0; i < x.n; i++) {
		char c = x.p[i], d = y.p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (d >= 'A' && d <= 'Z')
			d = (char)(d - 'A' + 'a');
		if (c != d)
			return false;
	}
	return true;
}

int
rb_step_object(struct runbuild *b, uint64_t line, struct sv rhid)
{
	int rc = 0;

	rhid = sv_trim(rhid);
	if (!b->open || !same_id(buf_sv(&b->text[RB_RUN_HISTORY_ID]), rhid) ||
	    (!rhid.n && !b->from_steps)) {
		rc = rb_run_begin(b, line, UINT64_MAX);
		b->from_steps = true;
		rb_set(b, RB_RUN_HISTORY_ID, rhid);
	}
	rb_step_begin(b, line);
	return rc;
}

bool
rb_copy_step(struct runbuild *b, const struct runbuild *src, size_t i, bool whole)
{
	const struct rb_step *st = &src->step[i];
	size_t pool_mark = b->pool.len, ctr_mark = b->nctr, err_mark = b->nerr;
	bool was_full = b->pool_full;
	struct rb_step *d;

	if (!b->open)
		return false;
	if (b->in_step)
		rb_step_end(b);
	if (b->nsteps >= RB_MAX_STEPS) {
		step_seen(b, st->number, pool_sv(src, st->text[2]), st->start, st->end);
		return false;
	}
	b->step = grow(b->step, &b->csteps, b->nsteps + 1, sizeof(*b->step));
	d = &b->step[b->nsteps++];
	*d = *st;
	for (size_t k = 0; k < RB_STEP_FIELDS; k++)
		d->text[k] = pool_add(b, pool_sv(src, st->text[k]));
	d->c0 = b->nctr;
	d->nc = 0;
	b->ctr = grow(b->ctr, &b->cctr, b->nctr + st->nc, sizeof(*b->ctr));
	for (size_t k = 0; k < st->nc; k++) {
		const struct rb_counter *c = &src->ctr[st->c0 + k];

		b->ctr[b->nctr].name = pool_add(b, pool_sv(src, c->name));
		b->ctr[b->nctr].value = c->value;
		if (b->ctr[b->nctr].name.n || !c->name.n) {
			b->nctr++;
			d->nc++;
		}
	}
	d->e0 = b->nerr;
	d->ne = 0;
	for (size_t k = 0; k < st->ne && b->nerr < RB_MAX_RUN_ERRORS; k++) {
		const struct rb_error *e = &src->err[st->e0 + k];
		struct rb_error *o;

		b->err = grow(b->err, &b->cerr, b->nerr + 1, sizeof(*b->err));
		o = &b->err[b->nerr++];
		o->category = e->category;
		for (size_t f = 0; f < RB_ERROR_FIELDS; f++)
			o->text[f] = pool_add(b, pool_sv(src, e->text[f]));
		o->when = e->when;
		d->ne++;
	}
	if (whole && b->pool_full && !was_full) {
		/* No room: forget it. */
		b->pool.len = pool_mark;
		b->pool.data[pool_mark] = '\0';
		b->pool_full = false;
		b->nsteps--;
		b->nctr = ctr_mark;
		b->nerr = err_mark;
		return false;
	}
	step_seen(b, st->number, pool_sv(src, st->text[2]), st->start, st->end);
	return true;
}

/* ---- counters and errors ------------------------------------------------ */

int
rb_counter(struct runbuild *b, struct sv name, int64_t value, uint64_t line, uint64_t offset)
{
	struct rb_step *s = cur(b);
	struct sv kebab;

	if (!s || b->dropped)
		return 0;
	buf_reset(&b->tmp);
	run_counter_name(sv_trim(name), &b->tmp);
	text_drop_partial_utf8(&b->tmp);
	kebab = buf_sv(&b->tmp);
	for (size_t i = s->c0; i < b->nctr; i++) {
		struct rb_counter *c = &b->ctr[i];

		if (sv_eq(pool_sv(b, c->name), b->tmp.data)) {
			if (value > 0 && c->value > INT64_MAX - value)
				c->value = INT64_MAX;
			else if (value < 0 && c->value < INT64_MIN - value)
				c->value = INT64_MIN;
			else
				c->value += value;
			return 0;
		}
	}
	if (b->nctr - s->c0 >= RB_MAX_COUNTERS) {
		if (s->ctr_full)
			return 0;
		s->ctr_full = true;
		return rb_problemf(b, line, offset, "the step at line %" PRIu64 " has over %u "
				   "counters: the rest are left out", s->line, RB_MAX_COUNTERS);
	}
	b->ctr = grow(b->ctr, &b->cctr, b->nctr + 1, sizeof(*b->ctr));
	b->ctr[b->nctr].name = pool_add(b, kebab);
	b->ctr[b->nctr].value = value;
	if (b->ctr[b->nctr].name.n || !kebab.n) {
		b->nctr++;
		s->nc++;
	}
	return 0;
}

int
rb_counter_text(struct runbuild *b, struct sv name, struct sv value, uint64_t line,
		uint64_t offset)
{
	int64_t n;

	if (rb_read_i64(value, &n))
		return rb_counter(b, name, n, line, offset);
	buf_reset(&b->tmp);
	run_counter_name(sv_trim(name), &b->tmp);
	return rb_problemf(b, line, offset, "counter %s '%.*s' at line %" PRIu64 " is not a "
			   "number: left out", b->tmp.data, (int)(value.n < 40 ? value.n : 40),
			   value.p ? value.p : "", line);
}

bool
rb_error(struct runbuild *b, const char *category)
{
	struct rb_step *s = cur(b);
	struct rb_error *e;

	b->in_error = false;
	if (!s)
		return false;
	s->errors++;
	if (s->errors > RB_MAX_STEP_ERRORS ||
	    b->nerr + (b->dropped ? s->ne : 0) >= RB_MAX_RUN_ERRORS)
		return false;
	s->ne++;
	if (b->dropped)
		return false;
	b->err = grow(b->err, &b->cerr, b->nerr + 1, sizeof(*b->err));
	e = &b->err[b->nerr++];
	memset(e, 0, sizeof(*e));
	e->category = category;
	e->when = no_time;
	b->in_error = true;
	return true;
}

/* ---- the run ------------------------------------------------------------ */

int
rb_run_begin(struct runbuild *b, uint64_t line, uint64_t offset)
{
	int rc = rb_run_end(b);

	reset(b);
	b->open = true;
	b->line = line;
	b->offset = offset;
	return rc;
}

int
rb_report(struct runbuild *b)
{
	uint64_t line = b->line, off = b->offset;
	int rc = 0;

	if (!b->open || b->reported)
		return 0;
	if (b->in_step)
		rb_step_end(b);
	b->reported = true;
	if (b->style == RB_PS) {
		int64_t lost = b->errors_seen - (int64_t)b->nerr;

		if (b->steps_seen > b->nsteps)
			rc = rb_problemf(b, line, off, "run at line %" PRIu64 " has more than %d "
					 "steps: %" PRIu64 " dropped", line, RB_MAX_STEPS,
					 b->steps_seen - b->nsteps);
		if (!rc && lost > 0)
			rc = rb_problemf(b, line, off, "the run at line %" PRIu64 " has %" PRId64
					 " errors: %" PRId64 " of them are not kept", line,
					 b->errors_seen, lost);
		if (!rc && b->pool_full)
			rc = rb_problemf(b, line, off, "run at line %" PRIu64 " has more than %zu "
					 "bytes of text to keep: the rest dropped", line,
					 (size_t)RB_POOL);
		return rc;
	}
	if (b->steps_seen > b->nsteps)
		rc = rb_problemf(b, line, off, "the run at line %" PRIu64 " has %" PRIu64 " steps: "
				 "only the first %u are kept", line, b->steps_seen, RB_MAX_STEPS);
	if (!rc && b->drop_steps == 1)
		rc = rb_problemf(b, b->drop_line, UINT64_MAX, "the step at line %" PRIu64 " has %"
				 PRId64 " errors: %" PRIu64 " of them are not kept", b->drop_line,
				 b->drop_count, b->drop_errors);
	else if (!rc && b->drop_steps > 1)
		rc = rb_problemf(b, line, off, "%" PRIu64 " steps of the run at line %" PRIu64
				 " have more errors than are kept (%u a step, %u a run): %" PRIu64
				 " errors are not kept", b->drop_steps, line, RB_MAX_STEP_ERRORS,
				 RB_MAX_RUN_ERRORS, b->drop_errors);
	if (!rc && b->pool_full)
		rc = rb_problemf(b, line, off, "the run at line %" PRIu64 " has over %zu bytes of "
				 "text: some errors and counters are not kept", line, (size_t)RB_POOL);
	return rc;
}

/* The run for the sink, views into b. */
static void
build(struct runbuild *b, struct ec_run *r)
{
	struct sv own = sv_trim(buf_sv(&b->text[RB_RESULT]));

	memset(r, 0, sizeof(*r));
	r->line = b->line;
	r->connector = buf_sv(&b->text[RB_CONNECTOR]);
	r->connector_id = buf_sv(&b->text[RB_CONNECTOR_ID]);
	r->profile = buf_sv(&b->text[RB_PROFILE]);
	r->run_history_id = buf_sv(&b->text[RB_RUN_HISTORY_ID]);
	r->user = buf_sv(&b->text[RB_USER]);
	r->run_number = b->run_number;
	if (own.n)
		r->result = own;
	else if (sv_trim(buf_sv(&b->last_result)).n)
		r->result = buf_sv(&b->last_result);
	else if (sv_trim(buf_sv(&b->worst_result)).n)
		r->result = buf_sv(&b->worst_result);
	else if (b->incomplete)
		r->result = SV_LIT("in-progress");
	r->result_class = run_result_class(r->result);
	r->start = b->start.q != TQ_NONE ? b->start : b->first_start;
	r->end = b->end.q != TQ_NONE ? b->end : b->last_end;

	b->ostep = grow(b->ostep, &b->costep, b->nsteps, sizeof(*b->ostep));
	b->okv = grow(b->okv, &b->cokv, b->nctr, sizeof(*b->okv));
	b->oerr = grow(b->oerr, &b->coerr, b->nerr, sizeof(*b->oerr));
	buf_reset(&b->nums);
	for (size_t i = 0; i < b->nctr; i++) {
		b->okv[i].value.n = b->nums.len;
		buf_add_i64(&b->nums, b->ctr[i].value);
		buf_addc(&b->nums, '\0');
	}
	for (size_t i = 0; i < b->nctr; i++) {
		size_t off = b->okv[i].value.n;

		b->okv[i].name = pool_sv(b, b->ctr[i].name);
		b->okv[i].value = sv_cstr(b->nums.data + off);
	}
	for (size_t i = 0; i < b->nerr; i++) {
		const struct rb_error *e = &b->err[i];
		struct ec_run_error *o = &b->oerr[i];

		o->category = sv_cstr(e->category);
		o->dn = pool_sv(b, e->text[RB_ERROR_DN - RB_ERROR_DN]);
		o->error_type = pool_sv(b, e->text[RB_ERROR_TYPE - RB_ERROR_DN]);
		o->code = pool_sv(b, e->text[RB_ERROR_CODE - RB_ERROR_DN]);
		o->detail = pool_sv(b, e->text[RB_ERROR_DETAIL - RB_ERROR_DN]);
		o->when = e->when;
	}
	for (size_t i = 0; i < b->nsteps; i++) {
		const struct rb_step *s = &b->step[i];
		struct ec_run_step *o = &b->ostep[i];

		memset(o, 0, sizeof(*o));
		o->step_number = s->number;
		o->step_type = pool_sv(b, s->text[RB_STEP_TYPE - RB_STEP_TYPE]);
		o->step_subtype = pool_sv(b, s->text[RB_STEP_SUBTYPE - RB_STEP_TYPE]);
		o->step_class = run_step_class(o->step_type, o->step_subtype, r->profile);
		o->result = pool_sv(b, s->text[RB_STEP_RESULT - RB_STEP_TYPE]);
		o->result_class = run_result_class(o->result);
		o->start = s->start;
		o->end = s->end;
		o->counters = s->nc ? b->okv + s->c0 : NULL;
		o->ncounters = s->nc;
		o->connection_result = pool_sv(b, s->text[RB_CONNECTION_RESULT - RB_STEP_TYPE]);
		o->connection_server = pool_sv(b, s->text[RB_CONNECTION_SERVER - RB_STEP_TYPE]);
		o->errors = s->ne ? b->oerr + s->e0 : NULL;
		o->nerrors = s->ne;
		o->error_count = s->errors_known ? s->errors : -1;
	}
	r->steps = b->nsteps ? b->ostep : NULL;
	r->nsteps = b->nsteps;
}

int
rb_run_end(struct runbuild *b)
{
	struct ec_run r;
	int rc;

	if (!b->open)
		return 0;
	rc = rb_report(b);
	if (!rc) {
		build(b, &r);
		b->runs++;
		if (b->sink->run)
			rc = b->sink->run(b->sink->ctx, &r);
	}
	reset(b);
	return rc;
}

void
rb_run_discard(struct runbuild *b)
{
	reset(b);
}

/* ==== values as the sync engine writes them ============================== */

bool
rb_read_i64(struct sv v, int64_t *out)
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

bool
rb_read_time(struct sv v, struct ec_time *t)
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

struct sv
rb_strip_braces(struct sv v)
{
	v = sv_trim(v);
	if (v.n >= 2 && v.p[0] == '{' && v.p[v.n - 1] == '}')
		v = sv_make(v.p + 1, v.n - 2);
	return v;
}

/* ==== the XML readers ==================================================== */

struct sv
rb_local_name(const XML_Char *name)
{
	const char *c = strrchr(name, ':');

	return sv_cstr(c ? c + 1 : name);
}

const char *
rb_attr(const XML_Char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2) {
		if (sv_eq(rb_local_name(atts[i]), name))
			return atts[i + 1];
	}
	return NULL;
}

const char *
rb_errors_category(struct sv n, const char *dflt)
{
	if (sv_eq(n, "synchronization-errors"))
		return "sync";
	if (sv_eq(n, "ma-discovery-errors"))
		return "discovery";
	if (sv_eq(n, "mv-retry-errors"))
		return "mv-retry";
	return dflt;
}

bool
rb_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void
rb_xml_stop(struct rb_xml *X, int rc)
{
	if (!X->stopped) {
		X->stopped = true;
		X->rc = rc;
		XML_StopParser(X->xp, XML_FALSE);
	}
}

uint64_t
rb_xml_line(const struct rb_xml *X)
{
	return (uint64_t)XML_GetCurrentLineNumber(X->xp);
}

uint64_t
rb_xml_offset(const struct rb_xml *X)
{
	XML_Index i = XML_GetCurrentByteIndex(X->xp);

	if (!X->offsets || i < 0 || (uint64_t)i < X->fed_extra)
		return UINT64_MAX;
	return (uint64_t)i - X->fed_extra + X->bom;
}

void
rb_xml_problem(struct rb_xml *X, uint64_t line, uint64_t offset, uint64_t records,
	       const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int rc;

	if (X->stopped || !text_problem_ok(&X->problems))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rc = ec_problemf(X->sink, line, offset, records, 0, "%s", msg);
	if (rc)
		rb_xml_stop(X, rc);
}

static const XML_Memory_Handling_Suite mem = { xmalloc, xrealloc, free };

void
rb_xml_init(struct rb_xml *X, const struct ec_input *inp, struct runbuild *b, const char *what,
	    void *ctx, XML_StartElementHandler start, XML_EndElementHandler end,
	    XML_CharacterDataHandler text, int (*tail)(void *ctx))
{
	struct buf *e[] = { &X->e_dn, &X->e_type, &X->e_code, &X->e_date };
	enum enc enc = inp->enc.enc;

	memset(X, 0, sizeof(*X));
	X->inp = inp;
	X->sink = inp->sink;
	X->b = b;
	X->what = what;
	X->ctx = ctx;
	X->tail = tail;
	X->offsets = enc != ENC_UTF16LE && enc != ENC_UTF16BE && enc != ENC_CP1252;
	X->bom = inp->enc.bom;
	X->fed_extra = 3;
	X->raw = xmalloc(READ_SIZE + 4);
	buf_init(&X->dec, 4 * READ_SIZE);
	buf_init(&X->pend, 8 * READ_SIZE);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		buf_init(e[i], XML_FIELD_MAX);
	buf_init(&X->e_lit, XML_TEXT_MAX);
	buf_init(&X->e_sed, XML_TEXT_MAX);
	buf_init(&X->e_stack, XML_TEXT_MAX);
	buf_init(&X->detail, 2 * XML_TEXT_MAX + 1);
	/* Whatever a declaration says: we feed UTF-8. */
	X->xp = XML_ParserCreate_MM("UTF-8", &mem, NULL);
	if (!X->xp)
		abort();
	XML_SetUserData(X->xp, ctx);
	XML_SetElementHandler(X->xp, start, end);
	XML_SetCharacterDataHandler(X->xp, text);
}

void
rb_xml_release(struct rb_xml *X)
{
	struct buf *bufs[] = { &X->dec, &X->pend, &X->e_dn, &X->e_type, &X->e_code, &X->e_lit,
			       &X->e_sed, &X->e_date, &X->e_stack, &X->detail };

	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		buf_release(bufs[i]);
	free(X->raw);
	XML_ParserFree(X->xp);
}

static void
xml_error(struct rb_xml *X, const char *where)
{
	enum XML_Error e = XML_GetErrorCode(X->xp);
	uint64_t line = rb_xml_line(X), off = rb_xml_offset(X);
	uint64_t col = (uint64_t)XML_GetCurrentColumnNumber(X->xp) + 1;
	char what[128] = "", at[48] = "";
	int rc;

	X->failed = true;
	if (line == 1 && col > 3)
		col -= 3;
	if (X->b->open)
		snprintf(what, sizeof(what), " (the %s starting at line %" PRIu64 " is lost)",
			 X->what, X->b->line);
	if (off != UINT64_MAX)
		snprintf(at, sizeof(at), ", byte offset %" PRIu64, off);
	rc = ec_problemf(X->sink, line, off, X->b->open ? 1 : 0, 0,
			 "xml error at line %" PRIu64 ", column %" PRIu64 "%s%s: %s: the rest of the "
			 "file is not read%s", line, col, at, where, XML_ErrorString(e), what);
	if (rc)
		X->rc = rc;
}

size_t
rb_xml_scrub(bool *in_decl, char *p, size_t n, bool final)
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
		if (memcmp(p + i, "<?xml", 5) == 0 && (rb_is_ws(p[i + 5]) || p[i + 5] == '?')) {
			*in_decl = true;
			memset(p + i, ' ', 5);
			i += 4;
		}
	}
	return n;
}

/* Feed n bytes of UTF-8 to expat; false when the parse is over. */
static bool
feed_xml(struct rb_xml *X, const char *p, size_t n, bool final)
{
	/* expat holds a whole tag (or comment, or CDATA): cap it. */
	if (!xml_markup_ok(&X->markup, p, n)) {
		X->failed = true;
		rb_xml_problem(X, rb_xml_line(X), UINT64_MAX, X->b->open ? 1 : 0,
			       "markup over 16 MiB without '>': the rest of the file is not read");
		return false;
	}
	if (!xml_parse_bytes(X->xp, p, n, final)) {
		if (!X->stopped)
			xml_error(X, final && n <= 4 ? " (at the end of the file)" : "");
		X->failed = true;
		return false;
	}
	if (X->stopped) {
		X->failed = true;
		return false;
	}
	return true;
}

/* Hand decoded bytes on, declarations blanked. */
static bool
take(struct rb_xml *X, const char *p, size_t n, bool final)
{
	size_t k;
	bool ok;

	buf_add(&X->pend, p, n);
	k = rb_xml_scrub(&X->in_decl, X->pend.data, X->pend.len, final);
	ok = feed_xml(X, X->pend.data, k, false);
	memmove(X->pend.data, X->pend.data + k, X->pend.len - k);
	X->pend.len -= k;
	X->pend.data[X->pend.len] = '\0';
	return ok;
}

static int
finish(struct rb_xml *X)
{
	int rc = 0;

	if (X->b->open) {
		rc = ec_problemf(X->sink, X->b->line, X->b->offset, 1, 0,
				 "the file ends inside the %s starting at line %" PRIu64 " (%" PRIu64
				 " steps read): cut off; that run is not stored", X->what, X->b->line,
				 X->b->steps_seen);
	} else if (X->depth > 1) {
		rc = ec_problemf(X->sink, rb_xml_line(X), UINT64_MAX, 0, 0,
				 "the file ends before the end tag of its root element: cut off?");
	} else if (!feed_xml(X, "</r>", 4, true)) {
		return X->rc;
	}
	if (!rc && X->tail)
		rc = X->tail(X->ctx);
	return rc;
}

int
rb_xml_parse(struct rb_xml *X)
{
	const struct ec_input *inp = X->inp;
	bool utf8 = X->offsets;
	uint64_t skip = inp->enc.bom;
	long r;
	int rc;

	if (!feed_xml(X, "<r>", 3, false))
		return X->rc;
	for (;;) {
		const char *p;
		size_t n;

		r = inp->in->read(inp->in->ctx, X->raw + X->carry, READ_SIZE);
		if (r < 0)
			break;
		n = (size_t)r + X->carry;
		if (r == 0 && n == 0)
			break;
		if (skip) {
			size_t k = skip < n ? (size_t)skip : n;

			memmove(X->raw, X->raw + k, n - k);
			n -= k;
			skip -= k;
			X->carry = 0;
			if (skip || (n == 0 && r > 0))
				continue;
		}
		if (utf8) {
			p = (const char *)X->raw;
			X->carry = 0;
		} else {
			X->carry = xml_decode(&X->dec, X->raw, n, X->inp->enc.enc, r == 0,
						&X->bad_units);
			p = X->dec.data;
			n = X->dec.len;
		}
		if (!take(X, p, n, r == 0))
			break;
		if (r == 0)
			break;
	}
	if (!X->failed && r >= 0 && X->pend.len)
		take(X, "", 0, true);
	if (X->rc)
		return X->rc;
	if (r < 0) {
		const char *why = inp->in->error ? inp->in->error(inp->in->ctx) : NULL;

		rc = ec_problemf(X->sink, rb_xml_line(X), UINT64_MAX, X->b->open ? 1 : 0, 0,
				 "read error: %s", why ? why : "unknown");
		return rc ? rc : -1;
	}
	if (!X->failed && (rc = finish(X)) != 0)
		return rc;
	if (X->bad_units &&
	    (rc = ec_problemf(X->sink, 0, UINT64_MAX, 0, 0,
			      "invalid utf-16 in the file, %zu units replaced", X->bad_units)) != 0)
		return rc;
	if (X->problems > TEXT_PROBLEM_CAP &&
	    (rc = ec_problemf(X->sink, 0, UINT64_MAX, 0, 0, "%" PRIu64 " more problems like this",
			      X->problems - TEXT_PROBLEM_CAP)) != 0)
		return rc;
	return 0;
}

/* ---- error entries ------------------------------------------------------ */

void
rb_entry_begin(struct rb_xml *X, const char *category, const XML_Char **atts)
{
	struct buf *b[] = { &X->e_type, &X->e_code, &X->e_lit, &X->e_sed, &X->e_date,
			    &X->e_stack };

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		buf_reset(b[i]);
	X->e_cat = category;
	X->e_cd = false;
	rb_set_buf(&X->e_dn, sv_cstr(rb_attr(atts, "dn")));
}

struct buf *
rb_entry_child(struct rb_xml *X, struct sv n)
{
	bool incident = !strcmp(X->e_cat, "connection");

	if (sv_eq(n, "error-type") || (incident && sv_eq(n, "connection-result")))
		return &X->e_type;
	if (sv_eq(n, "error-code"))
		return &X->e_code;
	if (sv_eq(n, "error-literal"))
		return &X->e_lit;
	if (sv_eq(n, "server-error-detail"))
		return &X->e_sed;
	if (sv_eq(n, "date-occurred") || (incident && sv_eq(n, "date")))
		return &X->e_date;
	if (sv_eq(n, "call-stack"))
		return &X->e_stack;
	if (sv_eq(n, "cd-error"))
		X->e_cd = true;
	return NULL;
}

void
rb_entry_end(struct rb_xml *X, const char *at)
{
	struct runbuild *b = X->b;
	struct ec_time when = no_time;
	struct sv lit = sv_trim(buf_sv(&X->e_lit)), sed = sv_trim(buf_sv(&X->e_sed));
	struct sv date = sv_trim(buf_sv(&X->e_date));
	struct buf *d = &X->e_lit;

	/* A connection log lists the attempts that worked too. */
	if (!strcmp(X->e_cat, "connection") && !X->e_cd &&
	    sv_ieq(sv_trim(buf_sv(&X->e_type)), "success"))
		return;
	if (!rb_error(b, X->e_cat))
		return;
	if (date.n && !rb_read_time(date, &when)) {
		when = no_time;
		rb_xml_problem(X, rb_xml_line(X), UINT64_MAX, 0, "error date '%.40s' %s line %"
			       PRIu64 " not understood: left out", X->e_date.data, at,
			       rb_xml_line(X));
	}
	rb_set(b, RB_ERROR_DN, buf_sv(&X->e_dn));
	rb_set(b, RB_ERROR_TYPE, buf_sv(&X->e_type));
	rb_set(b, RB_ERROR_CODE, buf_sv(&X->e_code));
	/* The detail: the literal, then the server's detail (or the call
	 * stack of an extension error when there is nothing else). */
	if (lit.n && sed.n) {
		buf_reset(&X->detail);
		buf_addsv(&X->detail, lit);
		buf_addc(&X->detail, '\n');
		buf_addsv(&X->detail, sed);
		d = &X->detail;
	} else if (sed.n) {
		d = &X->e_sed;
	} else if (!lit.n) {
		d = &X->e_stack;
	}
	rb_set(b, RB_ERROR_DETAIL, buf_sv(d));
	rb_time(b, RB_ERROR_WHEN, when);
}
