/* SPDX-License-Identifier: MIT */
/* relay.c - records copied into NBUF buffers of BUF_SIZE bytes, replayed in
 * order by one thread. A record too big for a buffer is handed over
 * directly once the thread has drained (the target is then idle). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "parser/relay.h"

#define NBUF 4
#define BUF_SIZE ((size_t)4 << 20)

enum { R_EVENT = 1, R_FACT, R_PROBLEM, R_ACTION, R_SESSION, R_RUN };

struct rbuf {
	unsigned char *data;
	size_t len;
};

struct relay {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t ready;		/* the thread waits for a buffer or stop */
	pthread_cond_t freed;		/* the producer waits for a buffer or the drain */
	struct rbuf bufs[NBUF];
	int queue[NBUF], qhead, qlen;	/* full buffers, in order */
	int freeb[NBUF], nfree;
	int cur;			/* the producer's buffer, -1 if none */
	bool busy, stop;
	int err;			/* first non-zero return of the target */
	int seen;			/* err as the producer last saw it */
	const struct ec_sink *target;
	struct ec_sink sink;
	/* the thread's scratch for replay */
	struct ec_kv *kv;
	size_t kvcap;
	struct ec_run_step *steps;
	size_t stepcap;
	struct ec_run_error *errs;
	size_t errcap;
};

/* ---- writing ------------------------------------------------------------ */

struct w {
	unsigned char *p;
};

static void
put(struct w *w, const void *p, size_t n)
{
	memcpy(w->p, p, n);
	w->p += n;
}

#define PUT(w, v) put((w), &(v), sizeof(v))

static void
put_sv(struct w *w, struct sv v)
{
	uint32_t n = (uint32_t)v.n;

	PUT(w, n);
	if (n)
		put(w, v.p, n);
}

static size_t
sv_size(struct sv v)
{
	return 4 + v.n;
}

/* A C string (a class name) with its NUL, so that it is one again. */
static struct sv
csv_of(const char *s)
{
	return s ? sv_make(s, strlen(s) + 1) : SV_NULL;
}

/* ---- reading ------------------------------------------------------------ */

struct rd {
	const unsigned char *p;
};

static void
get(struct rd *r, void *p, size_t n)
{
	memcpy(p, r->p, n);
	r->p += n;
}

#define GET(r, v) get((r), &(v), sizeof(v))

static struct sv
get_sv(struct rd *r)
{
	uint32_t n;
	struct sv v;

	GET(r, n);
	v = sv_make((const char *)r->p, n);
	r->p += n;
	return v;
}

static void
put_time(struct w *w, const struct ec_time *t)
{
	uint8_t q = (uint8_t)t->q;

	PUT(w, t->ms);
	PUT(w, t->tod_ms);
	PUT(w, q);
}

static void
get_time(struct rd *r, struct ec_time *t)
{
	uint8_t q;

	GET(r, t->ms);
	GET(r, t->tod_ms);
	GET(r, q);
	t->q = (enum ec_timeq)q;
}

/* ---- the thread ---------------------------------------------------------- */

static const char *
get_cstr(struct rd *rd)
{
	struct sv v = get_sv(rd);

	return v.n ? v.p : NULL;
}

static int
replay_run(struct relay *r, struct rd *rd)
{
	struct ec_run run;
	uint32_t nsteps, nkv, nerr;

	memset(&run, 0, sizeof(run));
	GET(rd, run.line);
	run.connector = get_sv(rd);
	run.connector_id = get_sv(rd);
	run.profile = get_sv(rd);
	run.run_history_id = get_sv(rd);
	run.user = get_sv(rd);
	GET(rd, run.run_number);
	run.result = get_sv(rd);
	run.result_class = get_cstr(rd);
	get_time(rd, &run.start);
	get_time(rd, &run.end);
	GET(rd, nsteps);
	GET(rd, nkv);		/* counters and errors of all the steps */
	GET(rd, nerr);
	if (nsteps > r->stepcap) {
		r->stepcap = nsteps * 2;
		r->steps = xrealloc(r->steps, r->stepcap * sizeof(*r->steps));
	}
	if (nkv > r->kvcap) {
		r->kvcap = nkv * 2;
		r->kv = xrealloc(r->kv, r->kvcap * sizeof(*r->kv));
	}
	if (nerr > r->errcap) {
		r->errcap = nerr * 2;
		r->errs = xrealloc(r->errs, r->errcap * sizeof(*r->errs));
	}
	nkv = nerr = 0;
	for (uint32_t i = 0; i < nsteps; i++) {
		struct ec_run_step *st = &r->steps[i];
		uint32_t tk, te;

		memset(st, 0, sizeof(*st));
		GET(rd, st->step_number);
		st->step_type = get_sv(rd);
		st->step_subtype = get_sv(rd);
		st->step_class = get_cstr(rd);
		st->result = get_sv(rd);
		st->result_class = get_cstr(rd);
		st->connection_result = get_sv(rd);
		st->connection_server = get_sv(rd);
		get_time(rd, &st->start);
		get_time(rd, &st->end);
		GET(rd, st->error_count);
		GET(rd, tk);
		st->counters = r->kv + nkv;
		st->ncounters = tk;
		for (uint32_t k = 0; k < tk; k++) {
			r->kv[nkv].name = get_sv(rd);
			r->kv[nkv].value = get_sv(rd);
			nkv++;
		}
		GET(rd, te);
		st->errors = r->errs + nerr;
		st->nerrors = te;
		for (uint32_t k = 0; k < te; k++) {
			struct ec_run_error *e = &r->errs[nerr++];

			e->category = get_sv(rd);
			e->dn = get_sv(rd);
			e->error_type = get_sv(rd);
			e->code = get_sv(rd);
			e->detail = get_sv(rd);
			get_time(rd, &e->when);
		}
	}
	run.steps = r->steps;
	run.nsteps = nsteps;
	return r->target->run ? r->target->run(r->target->ctx, &run) : 0;
}

static int
replay(struct relay *r, const unsigned char *p, const unsigned char *end)
{
	const struct ec_sink *t = r->target;
	int rc = 0;

	while (p < end && !rc) {
		struct rd rd = { p + 5 };
		uint32_t len;
		uint8_t kind = p[0];

		memcpy(&len, p + 1, 4);
		p += len;
		switch (kind) {
		case R_EVENT: {
			struct ec_event ev;
			struct ec_winevent win;
			uint8_t tq, lvl, haswin, hk;
			uint32_t nd;

			memset(&ev, 0, sizeof(ev));
			GET(&rd, ev.line);
			GET(&rd, ev.offset);
			GET(&rd, ev.time_ms);
			GET(&rd, ev.tod_ms);
			GET(&rd, tq);
			GET(&rd, lvl);
			GET(&rd, ev.event_id);
			ev.timeq = (enum ec_timeq)tq;
			ev.level = (enum ec_level)lvl;
			ev.provider = get_sv(&rd);
			ev.thread = get_sv(&rd);
			ev.message = get_sv(&rd);
			GET(&rd, nd);
			if (nd > r->kvcap) {
				r->kvcap = nd * 2;
				r->kv = xrealloc(r->kv, r->kvcap * sizeof(*r->kv));
			}
			for (uint32_t i = 0; i < nd; i++) {
				r->kv[i].name = get_sv(&rd);
				r->kv[i].value = get_sv(&rd);
			}
			ev.data = r->kv;
			ev.ndata = nd;
			GET(&rd, haswin);
			if (haswin) {
				memset(&win, 0, sizeof(win));
				GET(&rd, win.record_id);
				win.channel = get_sv(&rd);
				win.computer = get_sv(&rd);
				win.user_sid = get_sv(&rd);
				GET(&rd, win.qualifiers);
				GET(&rd, win.task);
				GET(&rd, win.opcode);
				GET(&rd, win.win_level);
				GET(&rd, win.keywords);
				GET(&rd, hk);
				win.has_keywords = hk;
				GET(&rd, win.process_id);
				GET(&rd, win.thread_id);
				ev.win = &win;
			}
			rc = t->event ? t->event(t->ctx, &ev) : 0;
			break;
		}
		case R_FACT: {
			struct ec_fact f;
			uint8_t on;

			f.name = get_sv(&rd);
			f.key = get_sv(&rd);
			f.value = get_sv(&rd);
			GET(&rd, on);
			f.on_event = on;
			rc = t->fact ? t->fact(t->ctx, &f) : 0;
			break;
		}
		case R_PROBLEM: {
			struct ec_problem pr;

			GET(&rd, pr.line);
			GET(&rd, pr.offset);
			GET(&rd, pr.records);
			GET(&rd, pr.bytes);
			pr.message = get_sv(&rd).p;	/* written with its NUL */
			rc = t->problem ? t->problem(t->ctx, &pr) : 0;
			break;
		}
		case R_ACTION: {
			struct ec_msi_action a;

			GET(&rd, a.session);
			GET(&rd, a.seq);
			a.name = get_sv(&rd);
			a.parent = get_sv(&rd);
			GET(&rd, a.depth);
			GET(&rd, a.start_line);
			GET(&rd, a.end_line);
			get_time(&rd, &a.start);
			get_time(&rd, &a.end);
			GET(&rd, a.return_value);
			a.ca_name = get_sv(&rd);
			GET(&rd, a.ca_error);
			GET(&rd, a.ca_line);
			GET(&rd, a.error_number);
			GET(&rd, a.error_line);
			a.error_text = get_sv(&rd);
			rc = t->msi_action ? t->msi_action(t->ctx, &a) : 0;
			break;
		}
		case R_SESSION: {
			struct ec_msi_session s;
			uint8_t footer;

			GET(&rd, s.session);
			GET(&rd, s.start_line);
			GET(&rd, s.end_line);
			get_time(&rd, &s.start);
			get_time(&rd, &s.end);
			s.started = get_sv(&rd);
			s.calling_process = get_sv(&rd);
			s.package = get_sv(&rd);
			s.command_line = get_sv(&rd);
			s.product = get_sv(&rd);
			s.version = get_sv(&rd);
			s.product_code = get_sv(&rd);
			s.upgrade_code = get_sv(&rd);
			s.result = get_sv(&rd);
			GET(&rd, s.status);
			GET(&rd, s.engine_return);
			GET(&rd, footer);
			s.footer = footer;
			GET(&rd, s.actions);
			GET(&rd, s.failed_actions);
			rc = t->msi_session ? t->msi_session(t->ctx, &s) : 0;
			break;
		}
		case R_RUN:
			rc = replay_run(r, &rd);
			break;
		default:
			return 0;
		}
	}
	return rc;
}

static void *
run(void *arg)
{
	struct relay *r = arg;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		int b, rc, err;

		while (!r->stop && r->qlen == 0)
			pthread_cond_wait(&r->ready, &r->mu);
		if (r->qlen == 0)
			break;
		b = r->queue[r->qhead];
		r->qhead = (r->qhead + 1) % NBUF;
		r->qlen--;
		r->busy = true;
		err = r->err;
		pthread_mutex_unlock(&r->mu);
		/* After the target failed, the rest of the source is dropped. */
		rc = err ? 0 : replay(r, r->bufs[b].data, r->bufs[b].data + r->bufs[b].len);
		pthread_mutex_lock(&r->mu);
		if (rc && !r->err)
			r->err = rc;
		r->bufs[b].len = 0;
		r->freeb[r->nfree++] = b;
		r->busy = false;
		pthread_cond_broadcast(&r->freed);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* ---- the producer ------------------------------------------------------- */

/* Hand the current buffer over (lock held). */
static void
submit_locked(struct relay *r)
{
	if (r->cur < 0)
		return;
	if (r->bufs[r->cur].len == 0) {
		r->freeb[r->nfree++] = r->cur;
	} else {
		r->queue[(r->qhead + r->qlen) % NBUF] = r->cur;
		r->qlen++;
		pthread_cond_signal(&r->ready);
	}
	r->cur = -1;
}

/* Room for n bytes in the current buffer, or NULL if n is more than a
 * buffer holds (the caller then hands the record over directly). */
static unsigned char *
reserve(struct relay *r, size_t n)
{
	struct rbuf *b;

	if (n > BUF_SIZE)
		return NULL;
	if (r->cur >= 0 && BUF_SIZE - r->bufs[r->cur].len >= n)
		return r->bufs[r->cur].data + r->bufs[r->cur].len;
	pthread_mutex_lock(&r->mu);
	submit_locked(r);
	while (r->nfree == 0)
		pthread_cond_wait(&r->freed, &r->mu);
	r->cur = r->freeb[--r->nfree];
	r->seen = r->err;
	pthread_mutex_unlock(&r->mu);
	b = &r->bufs[r->cur];
	return b->data + b->len;
}

static void
commit(struct relay *r, unsigned char *start, unsigned char *end)
{
	uint32_t len = (uint32_t)(end - start);

	memcpy(start + 1, &len, 4);
	r->bufs[r->cur].len += len;
}

static int drain(struct relay *r);

/* Start a record of n bytes of the given kind: where its fields go, or NULL
 * when it is not to be copied: *rc is then the target's error, or 0 when
 * the record is too big for a buffer and the caller hands it over itself
 * (the thread has drained: the target is idle). */
static unsigned char *
begin(struct relay *r, size_t n, uint8_t kind, int *rc)
{
	unsigned char *p;

	*rc = r->seen;
	if (*rc)
		return NULL;
	if (!(p = reserve(r, n))) {
		*rc = drain(r);
		return NULL;
	}
	*p = kind;
	return p;
}

/* Wait until the thread has replayed everything (the target is idle). */
static int
drain(struct relay *r)
{
	int err;

	pthread_mutex_lock(&r->mu);
	submit_locked(r);
	while (r->qlen > 0 || r->busy)
		pthread_cond_wait(&r->freed, &r->mu);
	err = r->err;
	r->seen = err;
	pthread_mutex_unlock(&r->mu);
	return err;
}

static int
on_event(void *ctx, const struct ec_event *ev)
{
	struct relay *r = ctx;
	size_t n = 5 + 8 * 4 + 4 + 2 + sv_size(ev->provider) + sv_size(ev->thread) +
		   sv_size(ev->message) + 4 + 1;
	unsigned char *p;
	struct w w;
	int rc;
	uint8_t tq = (uint8_t)ev->timeq, lvl = (uint8_t)ev->level, haswin = ev->win != NULL;
	uint32_t nd = (uint32_t)ev->ndata;

	for (size_t i = 0; i < ev->ndata; i++)
		n += sv_size(ev->data[i].name) + sv_size(ev->data[i].value);
	if (ev->win)
		n += 8 * 9 + 1 + sv_size(ev->win->channel) + sv_size(ev->win->computer) +
		     sv_size(ev->win->user_sid);
	if (!(p = begin(r, n, R_EVENT, &rc)))
		return rc ? rc : r->target->event ? r->target->event(r->target->ctx, ev) : 0;
	w.p = p + 5;
	PUT(&w, ev->line);
	PUT(&w, ev->offset);
	PUT(&w, ev->time_ms);
	PUT(&w, ev->tod_ms);
	PUT(&w, tq);
	PUT(&w, lvl);
	PUT(&w, ev->event_id);
	put_sv(&w, ev->provider);
	put_sv(&w, ev->thread);
	put_sv(&w, ev->message);
	PUT(&w, nd);
	for (size_t i = 0; i < ev->ndata; i++) {
		put_sv(&w, ev->data[i].name);
		put_sv(&w, ev->data[i].value);
	}
	PUT(&w, haswin);
	if (ev->win) {
		const struct ec_winevent *x = ev->win;
		uint8_t hk = x->has_keywords;

		PUT(&w, x->record_id);
		put_sv(&w, x->channel);
		put_sv(&w, x->computer);
		put_sv(&w, x->user_sid);
		PUT(&w, x->qualifiers);
		PUT(&w, x->task);
		PUT(&w, x->opcode);
		PUT(&w, x->win_level);
		PUT(&w, x->keywords);
		PUT(&w, hk);
		PUT(&w, x->process_id);
		PUT(&w, x->thread_id);
	}
	commit(r, p, w.p);
	return 0;
}

static int
on_fact(void *ctx, const struct ec_fact *f)
{
	struct relay *r = ctx;
	size_t n = 5 + sv_size(f->name) + sv_size(f->key) + sv_size(f->value) + 1;
	unsigned char *p;
	struct w w;
	int rc;
	uint8_t on = f->on_event;

	if (!(p = begin(r, n, R_FACT, &rc)))
		return rc ? rc : r->target->fact ? r->target->fact(r->target->ctx, f) : 0;
	w.p = p + 5;
	put_sv(&w, f->name);
	put_sv(&w, f->key);
	put_sv(&w, f->value);
	PUT(&w, on);
	commit(r, p, w.p);
	return 0;
}

static int
on_problem(void *ctx, const struct ec_problem *pr)
{
	struct relay *r = ctx;
	struct sv msg = sv_make(pr->message, strlen(pr->message) + 1);	/* with its NUL */
	size_t n = 5 + 8 * 4 + sv_size(msg);
	unsigned char *p;
	struct w w;
	int rc;

	if (!(p = begin(r, n, R_PROBLEM, &rc)))
		return rc ? rc : r->target->problem ? r->target->problem(r->target->ctx, pr) : 0;
	w.p = p + 5;
	PUT(&w, pr->line);
	PUT(&w, pr->offset);
	PUT(&w, pr->records);
	PUT(&w, pr->bytes);
	put_sv(&w, msg);
	commit(r, p, w.p);
	return 0;
}

static int
on_action(void *ctx, const struct ec_msi_action *a)
{
	struct relay *r = ctx;
	size_t n = 5 + 4 * 3 + 8 * 7 + 2 * 13 + sv_size(a->name) + sv_size(a->parent) +
		   sv_size(a->ca_name) + sv_size(a->error_text);
	unsigned char *p;
	struct w w;
	int rc;

	if (!(p = begin(r, n, R_ACTION, &rc)))
		return rc ? rc : r->target->msi_action ? r->target->msi_action(r->target->ctx, a) : 0;
	w.p = p + 5;
	PUT(&w, a->session);
	PUT(&w, a->seq);
	put_sv(&w, a->name);
	put_sv(&w, a->parent);
	PUT(&w, a->depth);
	PUT(&w, a->start_line);
	PUT(&w, a->end_line);
	put_time(&w, &a->start);
	put_time(&w, &a->end);
	PUT(&w, a->return_value);
	put_sv(&w, a->ca_name);
	PUT(&w, a->ca_error);
	PUT(&w, a->ca_line);
	PUT(&w, a->error_number);
	PUT(&w, a->error_line);
	put_sv(&w, a->error_text);
	commit(r, p, w.p);
	return 0;
}

static int
on_session(void *ctx, const struct ec_msi_session *s)
{
	struct relay *r = ctx;
	const struct sv *svs[] = { &s->started, &s->calling_process, &s->package, &s->command_line,
				   &s->product, &s->version, &s->product_code, &s->upgrade_code,
				   &s->result };
	size_t n = 5 + 4 * 3 + 8 * 4 + 2 * 13 + 1;
	unsigned char *p;
	struct w w;
	int rc;
	uint8_t footer = s->footer;

	for (size_t i = 0; i < sizeof(svs) / sizeof(svs[0]); i++)
		n += sv_size(*svs[i]);
	if (!(p = begin(r, n, R_SESSION, &rc)))
		return rc ? rc : r->target->msi_session ? r->target->msi_session(r->target->ctx, s) : 0;
	w.p = p + 5;
	PUT(&w, s->session);
	PUT(&w, s->start_line);
	PUT(&w, s->end_line);
	put_time(&w, &s->start);
	put_time(&w, &s->end);
	for (size_t i = 0; i < sizeof(svs) / sizeof(svs[0]); i++)
		put_sv(&w, *svs[i]);
	PUT(&w, s->status);
	PUT(&w, s->engine_return);
	PUT(&w, footer);
	PUT(&w, s->actions);
	PUT(&w, s->failed_actions);
	commit(r, p, w.p);
	return 0;
}

static int
on_run(void *ctx, const struct ec_run *run)
{
	struct relay *r = ctx;
	size_t n = 5 + 8 + 8 + 2 * 13 + 4 * 3 + sv_size(run->connector) + sv_size(run->connector_id) +
		   sv_size(run->profile) + sv_size(run->run_history_id) + sv_size(run->user) +
		   sv_size(run->result) + sv_size(csv_of(run->result_class));
	unsigned char *p;
	struct w w;
	int rc;
	uint32_t nsteps = (uint32_t)run->nsteps, nkv = 0, nerr = 0;

	for (size_t i = 0; i < run->nsteps; i++) {
		const struct ec_run_step *st = &run->steps[i];

		nkv += (uint32_t)st->ncounters;
		nerr += (uint32_t)st->nerrors;
		n += 8 + 8 + 2 * 13 + 4 + 4 + sv_size(st->step_type) + sv_size(st->step_subtype) +
		     sv_size(csv_of(st->step_class)) + sv_size(st->result) +
		     sv_size(csv_of(st->result_class)) + sv_size(st->connection_result) +
		     sv_size(st->connection_server);
		for (size_t k = 0; k < st->ncounters; k++)
			n += sv_size(st->counters[k].name) + sv_size(st->counters[k].value);
		for (size_t k = 0; k < st->nerrors; k++) {
			const struct ec_run_error *e = &st->errors[k];

			n += 13 + sv_size(e->category) + sv_size(e->dn) + sv_size(e->error_type) +
			     sv_size(e->code) + sv_size(e->detail);
		}
	}
	if (!(p = begin(r, n, R_RUN, &rc)))
		return rc ? rc : r->target->run ? r->target->run(r->target->ctx, run) : 0;
	w.p = p + 5;
	PUT(&w, run->line);
	put_sv(&w, run->connector);
	put_sv(&w, run->connector_id);
	put_sv(&w, run->profile);
	put_sv(&w, run->run_history_id);
	put_sv(&w, run->user);
	PUT(&w, run->run_number);
	put_sv(&w, run->result);
	put_sv(&w, csv_of(run->result_class));
	put_time(&w, &run->start);
	put_time(&w, &run->end);
	PUT(&w, nsteps);
	PUT(&w, nkv);
	PUT(&w, nerr);
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct ec_run_step *st = &run->steps[i];
		uint32_t tk = (uint32_t)st->ncounters, te = (uint32_t)st->nerrors;

		PUT(&w, st->step_number);
		put_sv(&w, st->step_type);
		put_sv(&w, st->step_subtype);
		put_sv(&w, csv_of(st->step_class));
		put_sv(&w, st->result);
		put_sv(&w, csv_of(st->result_class));
		put_sv(&w, st->connection_result);
		put_sv(&w, st->connection_server);
		put_time(&w, &st->start);
		put_time(&w, &st->end);
		PUT(&w, st->error_count);
		PUT(&w, tk);
		for (size_t k = 0; k < st->ncounters; k++) {
			put_sv(&w, st->counters[k].name);
			put_sv(&w, st->counters[k].value);
		}
		PUT(&w, te);
		for (size_t k = 0; k < st->nerrors; k++) {
			const struct ec_run_error *e = &st->errors[k];

			put_sv(&w, e->category);
			put_sv(&w, e->dn);
			put_sv(&w, e->error_type);
			put_sv(&w, e->code);
			put_sv(&w, e->detail);
			put_time(&w, &e->when);
		}
	}
	commit(r, p, w.p);
	return 0;
}

struct relay *
relay_start(const struct ec_sink *target)
{
	struct relay *r = xcalloc(1, sizeof(*r));

	r->target = target;
	r->cur = -1;
	for (int i = 0; i < NBUF; i++) {
		r->bufs[i].data = xmalloc(BUF_SIZE);
		r->freeb[r->nfree++] = i;
	}
	r->sink.ctx = r;
	r->sink.event = on_event;
	r->sink.fact = on_fact;
	r->sink.problem = on_problem;
	r->sink.msi_action = on_action;
	r->sink.msi_session = on_session;
	r->sink.run = on_run;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->ready, NULL);
	pthread_cond_init(&r->freed, NULL);
	if (pthread_create(&r->th, NULL, run, r) != 0) {
		pthread_cond_destroy(&r->freed);
		pthread_cond_destroy(&r->ready);
		pthread_mutex_destroy(&r->mu);
		for (int i = 0; i < NBUF; i++)
			free(r->bufs[i].data);
		free(r);
		return NULL;
	}
	return r;
}

const struct ec_sink *
relay_sink(struct relay *r)
{
	return &r->sink;
}

int
relay_finish(struct relay *r)
{
	int err = drain(r);

	pthread_mutex_lock(&r->mu);
	r->err = 0;
	r->seen = 0;
	pthread_mutex_unlock(&r->mu);
	return err;
}

void
relay_stop(struct relay *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	submit_locked(r);
	r->stop = true;
	pthread_cond_signal(&r->ready);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->th, NULL);
	pthread_cond_destroy(&r->freed);
	pthread_cond_destroy(&r->ready);
	pthread_mutex_destroy(&r->mu);
	for (int i = 0; i < NBUF; i++)
		free(r->bufs[i].data);
	free(r->kv);
	free(r->steps);
	free(r->errs);
	free(r);
}
