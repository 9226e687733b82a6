/* SPDX-License-Identifier: MIT */
/* capture.c - the copying sink of the parser suites and its helpers. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdlib.h>
#include <string.h>

#include "common/encoding.h"
#include "common/stream.h"
#include "common/strview.h"
#include "support/capture.h"

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

/* Room for one more element in arr holding n of them (grown by doubling). */
static void *
more(void *arr, size_t n, size_t size)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return arr;
	arr = realloc(arr, (n ? 2 * n : 1) * size);
	cr_assert_not_null(arr);
	return arr;
}

static int
c_event(void *ctx, const struct ec_event *e)
{
	struct cap *c = ctx;
	struct cev *v;

	c->ev = more(c->ev, c->nev, sizeof(*c->ev));
	v = &c->ev[c->nev++];
	memset(v, 0, sizeof(*v));
	v->line = e->line;
	v->offset = e->offset;
	v->time_ms = e->time_ms;
	v->tod = e->tod_ms;
	v->tq = e->timeq;
	v->level = e->level;
	v->event_id = e->event_id;
	v->provider = dup(e->provider);
	v->thread = dup(e->thread);
	v->message = dup(e->message);
	v->message_len = e->message.n;
	v->ndata = e->ndata;
	v->dname = calloc(e->ndata + 1, sizeof(char *));
	v->dvalue = calloc(e->ndata + 1, sizeof(char *));
	cr_assert(v->dname && v->dvalue);
	for (size_t i = 0; i < e->ndata; i++) {
		v->dname[i] = dup(e->data[i].name);
		v->dvalue[i] = dup(e->data[i].value);
	}
	if (e->win) {
		v->has_win = true;
		v->win = *e->win;
		v->win.channel = v->win.computer = v->win.user_sid = SV_NULL;
		v->channel = dup(e->win->channel);
		v->computer = dup(e->win->computer);
		v->user_sid = dup(e->win->user_sid);
	}
	return c->stop_at && c->nev == c->stop_at ? 7 : 0;
}

static int
c_fact(void *ctx, const struct ec_fact *f)
{
	struct cap *c = ctx;
	struct cfact *v;

	c->f = more(c->f, c->nf, sizeof(*c->f));
	v = &c->f[c->nf++];
	v->name = dup(f->name);
	v->key = dup(f->key);
	v->value = dup(f->value);
	v->on_event = f->on_event;
	v->after = c->nev;
	return 0;
}

static int
c_problem(void *ctx, const struct ec_problem *p)
{
	struct cap *c = ctx;
	struct cprob *v;

	c->p = more(c->p, c->np, sizeof(*c->p));
	v = &c->p[c->np++];
	v->line = p->line;
	v->offset = p->offset;
	v->records = p->records;
	v->bytes = p->bytes;
	v->message = dup(sv_cstr(p->message));
	return 0;
}

static int
c_action(void *ctx, const struct ec_msi_action *a)
{
	struct cap *c = ctx;
	struct cact *v;

	c->a = more(c->a, c->na, sizeof(*c->a));
	v = &c->a[c->na++];
	v->session = a->session;
	v->seq = a->seq;
	v->depth = a->depth;
	v->name = dup(a->name);
	v->parent = dup(a->parent);
	v->ca_name = dup(a->ca_name);
	v->error_text = dup(a->error_text);
	v->start_line = a->start_line;
	v->end_line = a->end_line;
	v->ca_line = a->ca_line;
	v->error_line = a->error_line;
	v->start = a->start;
	v->end = a->end;
	v->return_value = a->return_value;
	v->ca_error = a->ca_error;
	v->error_number = a->error_number;
	return 0;
}

static int
c_session(void *ctx, const struct ec_msi_session *s)
{
	struct cap *c = ctx;
	struct csess *v;

	c->s = more(c->s, c->ns, sizeof(*c->s));
	v = &c->s[c->ns++];
	v->session = s->session;
	v->actions = s->actions;
	v->failed_actions = s->failed_actions;
	v->start_line = s->start_line;
	v->end_line = s->end_line;
	v->start = s->start;
	v->end = s->end;
	v->started = dup(s->started);
	v->calling_process = dup(s->calling_process);
	v->package = dup(s->package);
	v->command_line = dup(s->command_line);
	v->product = dup(s->product);
	v->version = dup(s->version);
	v->product_code = dup(s->product_code);
	v->upgrade_code = dup(s->upgrade_code);
	v->result = dup(s->result);
	v->status = s->status;
	v->engine_return = s->engine_return;
	v->footer = s->footer;
	return 0;
}

struct ec_sink
cap_sink(struct cap *c)
{
	struct ec_sink sink = { .ctx = c, .event = c_event, .fact = c_fact, .problem = c_problem,
				.msi_action = c_action, .msi_session = c_session };

	return sink;
}

const struct ec_format *
cap_format(const char *name)
{
	const struct ec_format *f = ec_format_find(name);

	cr_assert_not_null(f, "no \"%s\" format in the registry", name);
	return f;
}

int
cap_parse(struct cap *c, const struct ec_format *fmt, const void *data, size_t n,
	  size_t chunk, const struct ec_options *opt, const char *name)
{
	static const struct ec_options defaults;
	struct ec_sink sink = cap_sink(c);
	struct memstream m;
	struct ec_stream s;
	struct ec_input in;

	memstream_init(&m, &s, data, n);
	m.chunk = chunk;
	in.in = &s;
	in.enc = enc_sniff(data, n < 65536 ? n : 65536);
	in.name = name;
	in.opt = opt ? opt : &defaults;
	in.sink = &sink;
	return fmt->parse(&in);
}

int
cap_parse_str(struct cap *c, const struct ec_format *fmt, const char *text)
{
	return cap_parse(c, fmt, text, strlen(text), 0, NULL, NULL);
}

void
cap_free(struct cap *c)
{
	for (size_t i = 0; i < c->nev; i++) {
		struct cev *v = &c->ev[i];

		for (size_t k = 0; k < v->ndata; k++) {
			free(v->dname[k]);
			free(v->dvalue[k]);
		}
		free(v->dname);
		free(v->dvalue);
		free(v->provider);
		free(v->thread);
		free(v->message);
		free(v->channel);
		free(v->computer);
		free(v->user_sid);
	}
	for (size_t i = 0; i < c->nf; i++) {
		free(c->f[i].name);
		free(c->f[i].key);
		free(c->f[i].value);
	}
	for (size_t i = 0; i < c->np; i++)
		free(c->p[i].message);
	for (size_t i = 0; i < c->na; i++) {
		free(c->a[i].name);
		free(c->a[i].parent);
		free(c->a[i].ca_name);
		free(c->a[i].error_text);
	}
	for (size_t i = 0; i < c->ns; i++) {
		struct csess *s = &c->s[i];
		char *fields[] = { s->started, s->calling_process, s->package, s->command_line,
				   s->product, s->version, s->product_code, s->upgrade_code,
				   s->result };

		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			free(fields[k]);
	}
	free(c->ev);
	free(c->f);
	free(c->p);
	free(c->a);
	free(c->s);
	memset(c, 0, sizeof(*c));
}

static bool
fact_is(const struct cfact *f, const char *name, const char *key)
{
	return strcmp(f->name, name) == 0 && (!key || strcmp(f->key, key) == 0);
}

const struct cfact *
find_fact(const struct cap *c, const char *name, const char *key)
{
	for (size_t i = 0; i < c->nf; i++) {
		if (fact_is(&c->f[i], name, key))
			return &c->f[i];
	}
	return NULL;
}

size_t
count_facts(const struct cap *c, const char *name, const char *key)
{
	size_t k = 0;

	for (size_t i = 0; i < c->nf; i++)
		k += fact_is(&c->f[i], name, key);
	return k;
}

const struct cprob *
find_problem(const struct cap *c, const char *part)
{
	for (size_t i = 0; i < c->np; i++) {
		if (strstr(c->p[i].message, part))
			return &c->p[i];
	}
	return NULL;
}

size_t
count_problems(const struct cap *c, const char *part)
{
	size_t k = 0;

	for (size_t i = 0; i < c->np; i++)
		k += strstr(c->p[i].message, part) != NULL;
	return k;
}

void
dump_problems(const struct cap *c)
{
	for (size_t i = 0; i < c->np; i++)
		cr_log_info("problem line %llu: %s", (unsigned long long)c->p[i].line,
			    c->p[i].message);
}
