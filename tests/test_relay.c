/* SPDX-License-Identifier: MIT */
/* test_relay.c - the relay hands every record to its target, in order, on
 * its own thread: events with data and Windows fields, facts, problems,
 * MSI actions and sessions, a record too big for a buffer, and a target
 * that fails. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/relay.h"

struct seen {
	pthread_t main;
	bool other_thread;	/* every call came from another thread */
	char log[1 << 16];
	size_t len;
	size_t big;		/* length of the big message */
	int fail_at;		/* return 7 from this event on (0: never) */
	int events;
};

static void
logf_(struct seen *s, const char *fmt, struct sv a, struct sv b)
{
	size_t room = sizeof(s->log) - s->len;
	int n = snprintf(s->log + s->len, room, fmt, (int)a.n, a.p, (int)b.n, b.p);

	if (n > 0)
		s->len += (size_t)n < room ? (size_t)n : room - 1;
}

static int
t_event(void *ctx, const struct ec_event *ev)
{
	struct seen *s = ctx;

	s->other_thread = s->other_thread && !pthread_equal(pthread_self(), s->main);
	s->events++;
	if (s->fail_at && s->events >= s->fail_at)
		return 7;
	if (ev->message.n > 1000) {
		s->big = ev->message.n;
		logf_(s, "E[big%.*s%.*s]", SV_LIT(""), SV_LIT(""));
		return 0;
	}
	logf_(s, "E[%.*s|%.*s", ev->provider, ev->message);
	for (size_t i = 0; i < ev->ndata; i++)
		logf_(s, "|%.*s=%.*s", ev->data[i].name, ev->data[i].value);
	if (ev->win)
		logf_(s, "|%.*s@%.*s", ev->win->channel, ev->win->computer);
	logf_(s, "]%.*s%.*s", SV_LIT(""), SV_LIT(""));
	return 0;
}

static int
t_fact(void *ctx, const struct ec_fact *f)
{
	logf_(ctx, "F[%.*s=%.*s]", f->name, f->value);
	return 0;
}

static int
t_problem(void *ctx, const struct ec_problem *p)
{
	logf_(ctx, "P[%.*s%.*s]", sv_cstr(p->message), SV_LIT(""));
	return 0;
}

static int
t_action(void *ctx, const struct ec_msi_action *a)
{
	logf_(ctx, "A[%.*s<%.*s]", a->name, a->parent);
	return 0;
}

static int
t_session(void *ctx, const struct ec_msi_session *m)
{
	logf_(ctx, "S[%.*s %.*s]", m->product, m->version);
	return 0;
}

static void
feed(const struct ec_sink *k, char *big, size_t bign)
{
	struct ec_kv kv[2] = { { SV_LIT("a"), SV_LIT("1") }, { SV_LIT("Data[1]"), SV_LIT("two") } };
	struct ec_winevent w = { .channel = SV_LIT("Application"), .computer = SV_LIT("HOST") };
	struct ec_event ev = { .provider = SV_LIT("P"), .message = SV_LIT("m1"), .data = kv, .ndata = 2,
			       .event_id = -1 };
	struct ec_fact f = { SV_LIT("x.y"), SV_NULL, SV_LIT("v"), true };
	struct ec_problem p = { 1, 2, 0, 0, "bad line" };
	struct ec_msi_action a = { .name = SV_LIT("Act"), .parent = SV_LIT("INSTALL") };
	struct ec_msi_session m = { .product = SV_LIT("Prod"), .version = SV_LIT("1.0") };

	cr_assert_eq(k->event(k->ctx, &ev), 0);
	cr_assert_eq(k->fact(k->ctx, &f), 0);
	ev.win = &w;
	ev.message = SV_LIT("m2");
	cr_assert_eq(k->event(k->ctx, &ev), 0);
	cr_assert_eq(k->problem(k->ctx, &p), 0);
	cr_assert_eq(k->msi_action(k->ctx, &a), 0);
	cr_assert_eq(k->msi_session(k->ctx, &m), 0);
	ev.win = NULL;
	ev.ndata = 0;
	ev.message = sv_make(big, bign);
	cr_assert_eq(k->event(k->ctx, &ev), 0);
	ev.message = SV_LIT("m3");
	cr_assert_eq(k->event(k->ctx, &ev), 0);
}

Test(relay, every_record_in_order_on_another_thread)
{
	struct seen s = { .main = pthread_self(), .other_thread = true };
	struct ec_sink target = { .ctx = &s, .event = t_event, .fact = t_fact, .problem = t_problem,
				  .msi_action = t_action, .msi_session = t_session };
	struct relay *r = relay_start(&target);
	size_t bign = (size_t)5 << 20;	/* more than one buffer holds */
	char *big = malloc(bign);

	cr_assert_not_null(r);
	cr_assert_not_null(big);
	memset(big, 'x', bign);
	for (int round = 0; round < 2; round++) {
		s.len = 0;
		s.log[0] = '\0';
		feed(relay_sink(r), big, bign);
		cr_assert_eq(relay_finish(r), 0);
		cr_assert_str_eq(s.log, "E[P|m1|a=1|Data[1]=two]F[x.y=v]E[P|m2|a=1|Data[1]=two|Application@HOST]"
					"P[bad line]A[Act<INSTALL]S[Prod 1.0]E[big]E[P|m3]");
		cr_assert_eq(s.big, bign);
	}
	relay_stop(r);
	free(big);
}

/* Many records: more than the buffers hold at once. */
Test(relay, more_records_than_the_buffers_hold)
{
	struct seen s = { .main = pthread_self(), .other_thread = true };
	struct ec_sink target = { .ctx = &s, .event = t_event };
	struct relay *r = relay_start(&target);
	const struct ec_sink *k = relay_sink(r);
	static char msg[4000];
	struct ec_event ev = { .provider = SV_LIT("P"), .event_id = -1 };

	memset(msg, 'y', sizeof(msg));
	ev.message = sv_make(msg, 900);
	for (int i = 0; i < 100000; i++)
		cr_assert_eq(k->event(k->ctx, &ev), 0);
	cr_assert_eq(relay_finish(r), 0);
	cr_assert_eq(s.events, 100000);
	cr_assert(s.other_thread);
	relay_stop(r);
}

/* The target fails: the error comes back, at the latest from finish, and
 * the next source starts clean. */
Test(relay, a_failing_target)
{
	struct seen s = { .main = pthread_self(), .other_thread = true, .fail_at = 10 };
	struct ec_sink target = { .ctx = &s, .event = t_event };
	struct relay *r = relay_start(&target);
	const struct ec_sink *k = relay_sink(r);
	struct ec_event ev = { .provider = SV_LIT("P"), .message = SV_LIT("m"), .event_id = -1 };
	int rc = 0;

	for (int i = 0; i < 200000 && !rc; i++)
		rc = k->event(k->ctx, &ev);
	cr_assert_eq(rc ? rc : relay_finish(r), 7);
	if (rc)
		cr_assert_eq(relay_finish(r), 7);
	s.fail_at = 0;
	cr_assert_eq(k->event(k->ctx, &ev), 0);
	cr_assert_eq(relay_finish(r), 0);
	relay_stop(r);
}
