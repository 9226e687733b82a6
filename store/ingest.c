/* SPDX-License-Identifier: MIT */
/* ingest.c - the store side of an ingest: one transaction per source, the
 * sink that inserts parser records, dedupe by SHA-256, unread sources. */
#include <string.h>
#include <time.h>

#include "common/timeutil.h"
#include "common/xalloc.h"
#include "store/store_int.h"

#define MAX_STORED_PROBLEMS 200

static const char *const level_names[] = {
	[LVL_NONE] = NULL, [LVL_VERBOSE] = "verbose", [LVL_INFO] = "info",
	[LVL_WARN] = "warning", [LVL_ERROR] = "error", [LVL_CRITICAL] = "critical",
};

static const char *const timeq_names[] = {
	[TQ_NONE] = "none", [TQ_TIME_OF_DAY] = "time-of-day", [TQ_LOCAL_ASSUMED] = "local-assumed",
	[TQ_LOCAL_GIVEN] = "local-given", [TQ_HEADER_OFFSET] = "header-offset", [TQ_EXACT] = "exact",
};

static void
now_iso(char out[32])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms_to_iso((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, out);
}

/* ---- ingest ----------------------------------------------------------- */

int64_t
store_source_find(struct store *s, const char *path, const char *sha256)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT id FROM source WHERE path=? AND sha256=?", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	bind_text(st, 1, path);
	bind_text(st, 2, sha256);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int64_t
store_content_find(struct store *s, const char *sha256)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT id FROM source WHERE sha256=? AND status IN ('parsed','skipped')"
			       " ORDER BY id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	bind_text(st, 1, sha256);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

bool
store_path_size_known(struct store *s, const char *path, uint64_t size)
{
	sqlite3_stmt *st;
	bool known = false;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM source WHERE path=? AND size=? LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return false;
	bind_text(st, 1, path);
	sqlite3_bind_int64(st, 2, (int64_t)size);
	known = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return known;
}

static char *
dup_or_null(const char *p)
{
	return p ? xstrdup(p) : NULL;
}

int
store_ingest_begin(struct store *s)
{
	sqlite3_stmt *st;
	bool empty = false;

	if (sqlite3_prepare_v2(s->db, "SELECT NOT EXISTS (SELECT 1 FROM event)", -1, &st, NULL) != SQLITE_OK)
		return fail(s, "checking events");
	if (sqlite3_step(st) == SQLITE_ROW)
		empty = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	if (!empty)
		return STORE_OK;
	s->bulk = true;
	return exec(s, "DROP INDEX IF EXISTS event_time");
}

int
store_ingest_end(struct store *s)
{
	if (!s->bulk)
		return STORE_OK;
	s->bulk = false;
	return exec(s, TIME_INDEX);
}

int
store_begin_source(struct store *s, const struct store_source *src)
{
	sqlite3_stmt *st = s->st[ST_INS_SOURCE];
	char now[32];

	if (s->src_id)
		store_rollback_source(s);
	if (exec(s, "BEGIN IMMEDIATE") != STORE_OK)
		return STORE_ERROR;
	now_iso(now);
	bind_text(st, 1, src->path);
	bind_text(st, 2, src->name);
	bind_text(st, 3, src->container);
	sqlite3_bind_int(st, 4, src->depth);
	bind_i64_or_null(st, 5, (int64_t)src->size, src->size == UINT64_MAX);
	bind_i64_or_null(st, 6, src->mtime, src->mtime == 0);
	bind_text(st, 7, src->format);
	bind_text(st, 8, src->encoding);
	bind_text(st, 9, now);
	if (step_reset(s, st, "storing source") != STORE_OK) {
		exec(s, "ROLLBACK");
		return STORE_ERROR;
	}
	s->src_id = sqlite3_last_insert_rowid(s->db);
	s->ordinal = 0;
	s->last_event = 0;
	s->min_time = INT64_MAX;
	s->max_time = INT64_MIN;
	s->tq_seen = 0;
	memset(&s->counts, 0, sizeof(s->counts));
	s->rc = STORE_OK;
	st_free_source_copy(s);
	s->src = *src;
	s->src.path = s->src_path = xstrdup(src->path);
	s->src.name = s->src_name = xstrdup(src->name);
	s->src.container = s->src_container = dup_or_null(src->container);
	s->src.format = s->src_format = dup_or_null(src->format);
	s->src.encoding = s->src_encoding = dup_or_null(src->encoding);
	return STORE_OK;
}

const struct ec_sink *
store_sink(struct store *s)
{
	return &s->sink;
}

const struct store_source_counts *
store_current_counts(const struct store *s)
{
	return &s->counts;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
json_string(struct buf *b, struct sv v)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	buf_addc(b, '"');
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		char esc[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, v.p + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; buf_add(b, esc, 2); break;
		case '\\': esc[1] = '\\'; buf_add(b, esc, 2); break;
		case '\n': esc[1] = 'n'; buf_add(b, esc, 2); break;
		case '\r': esc[1] = 'r'; buf_add(b, esc, 2); break;
		case '\t': esc[1] = 't'; buf_add(b, esc, 2); break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			buf_add(b, esc, 6);
		}
	}
	buf_add(b, v.p + run, v.n - run);
	buf_addc(b, '"');
}

/* An event's items as the data column holds them: [["name","value"],...]. */
static void
data_json(struct buf *b, const struct ec_kv *kv, size_t n)
{
	buf_reset(b);
	buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		buf_addc(b, '[');
		json_string(b, kv[i].name);
		buf_addc(b, ',');
		json_string(b, kv[i].value);
		buf_addc(b, ']');
	}
	buf_addc(b, ']');
}

/* Columns 13-22 of the event insert: the Windows event fields, or NULLs. */
static void
bind_win(sqlite3_stmt *st, const struct ec_winevent *w)
{
	char kw[24];

	if (!w) {
		for (int i = 13; i <= 22; i++)
			sqlite3_bind_null(st, i);
		return;
	}
	bind_i64_or_null(st, 13, (int64_t)w->record_id, w->record_id == 0);
	bind_sv(st, 14, w->channel, true);
	bind_sv(st, 15, w->computer, true);
	bind_sv(st, 16, w->user_sid, true);
	bind_i64_or_null(st, 17, w->qualifiers, w->qualifiers < 0);
	bind_i64_or_null(st, 18, w->task, w->task < 0);
	bind_i64_or_null(st, 19, w->opcode, w->opcode < 0);
	if (w->has_keywords) {
		static const char hex[] = "0123456789abcdef";
		char *o = kw + sizeof(kw);
		uint64_t v = w->keywords;

		do {
			*--o = hex[v & 15];
			v >>= 4;
		} while (v);
		*--o = 'x';
		*--o = '0';
		sqlite3_bind_text(st, 20, o, (int)(kw + sizeof(kw) - o), SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 20);
	}
	bind_i64_or_null(st, 21, w->process_id, w->process_id < 0);
	bind_i64_or_null(st, 22, w->thread_id, w->thread_id < 0);
}

int
st_sink_event(void *ctx, const struct ec_event *ev)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_EVENT];
	char iso[32], tod[16];
	bool dated = ev->timeq >= TQ_LOCAL_ASSUMED;

	if (s->rc != STORE_OK)
		return s->rc;
	s->ordinal++;
	s->tq_seen |= 1u << ev->timeq;
	sqlite3_bind_int64(st, 1, s->src_id);
	sqlite3_bind_int64(st, 2, s->ordinal);
	bind_i64_or_null(st, 3, (int64_t)ev->line, ev->line == 0);
	bind_i64_or_null(st, 4, (int64_t)ev->offset, ev->offset == UINT64_MAX);
	if (dated) {
		ms_to_iso(ev->time_ms, iso);
		sqlite3_bind_text(st, 5, iso, -1, SQLITE_TRANSIENT);
		if (ev->time_ms < s->min_time)
			s->min_time = ev->time_ms;
		if (ev->time_ms > s->max_time)
			s->max_time = ev->time_ms;
	} else {
		sqlite3_bind_null(st, 5);
	}
	if (!dated && ev->tod_ms >= 0) {
		snprintf(tod, sizeof(tod), "%02d:%02d:%02d.%03d", ev->tod_ms / 3600000,
			 ev->tod_ms / 60000 % 60, ev->tod_ms / 1000 % 60, ev->tod_ms % 1000);
		sqlite3_bind_text(st, 6, tod, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 6);
	}
	sqlite3_bind_text(st, 7, timeq_names[ev->timeq], -1, SQLITE_STATIC);
	bind_text(st, 8, level_names[ev->level]);
	bind_sv(st, 9, ev->provider, true);
	bind_i64_or_null(st, 10, ev->event_id, ev->event_id < 0);
	bind_sv(st, 11, ev->thread, true);
	bind_sv(st, 12, ev->message, false);
	bind_win(st, ev->win);
	if (ev->ndata) {
		data_json(&s->json, ev->data, ev->ndata);
		sqlite3_bind_text(st, 23, s->json.data, (int)s->json.len, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 23);
	}
	if (step_reset(s, st, "storing event") != STORE_OK)
		return s->rc = STORE_ERROR;
	s->last_event = sqlite3_last_insert_rowid(s->db);
	s->counts.records++;
	return STORE_OK;
}

int
st_sink_fact(void *ctx, const struct ec_fact *f)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_FACT];

	if (s->rc != STORE_OK)
		return s->rc;
	sqlite3_bind_int64(st, 1, s->src_id);
	bind_i64_or_null(st, 2, s->last_event, !f->on_event || s->last_event == 0);
	sqlite3_bind_text(st, 3, "parser", -1, SQLITE_STATIC);
	bind_sv(st, 4, f->name, false);
	bind_sv(st, 5, f->key, true);
	bind_sv(st, 6, f->value, false);
	if (step_reset(s, st, "storing fact") != STORE_OK)
		return s->rc = STORE_ERROR;
	return STORE_OK;
}

int
st_sink_problem(void *ctx, const struct ec_problem *p)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_PROBLEM];

	if (s->rc != STORE_OK)
		return s->rc;
	s->counts.problems++;
	s->counts.skipped += p->records;
	s->counts.bytes_skipped += p->bytes;
	if (s->counts.problems > MAX_STORED_PROBLEMS)
		return STORE_OK;
	sqlite3_bind_int64(st, 1, s->src_id);
	bind_i64_or_null(st, 2, (int64_t)p->line, p->line == 0);
	bind_i64_or_null(st, 3, (int64_t)p->offset, p->offset == UINT64_MAX);
	sqlite3_bind_int64(st, 4, (int64_t)p->records);
	sqlite3_bind_int64(st, 5, (int64_t)p->bytes);
	bind_text(st, 6, s->counts.problems == MAX_STORED_PROBLEMS ? "more problems not stored"
								   : p->message);
	if (step_reset(s, st, "storing problem") != STORE_OK)
		return s->rc = STORE_ERROR;
	return STORE_OK;
}

/* Bind a parser time to two columns: UTC time when dated, else the time of
 * day as written. */
static void
bind_time(sqlite3_stmt *st, int col_time, int col_local, const struct ec_time *t)
{
	char iso[32];

	if (t->q >= TQ_LOCAL_ASSUMED) {
		ms_to_iso(t->ms, iso);
		sqlite3_bind_text(st, col_time, iso, -1, SQLITE_TRANSIENT);
		sqlite3_bind_null(st, col_local);
	} else if (t->tod_ms >= 0) {
		snprintf(iso, sizeof(iso), "%02d:%02d:%02d.%03d", t->tod_ms / 3600000,
			 t->tod_ms / 60000 % 60, t->tod_ms / 1000 % 60, t->tod_ms % 1000);
		sqlite3_bind_null(st, col_time);
		sqlite3_bind_text(st, col_local, iso, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, col_time);
		sqlite3_bind_null(st, col_local);
	}
}

/* The weaker of two time qualities, ignoring times not seen. */
static enum ec_timeq
weaker(enum ec_timeq a, enum ec_timeq b)
{
	if (a == TQ_NONE)
		return b;
	if (b == TQ_NONE)
		return a;
	return a < b ? a : b;
}

int
st_sink_msi_action(void *ctx, const struct ec_msi_action *a)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_MSI_ACTION];

	if (s->rc != STORE_OK)
		return s->rc;
	sqlite3_bind_int64(st, 1, s->src_id);
	sqlite3_bind_int64(st, 2, a->session);
	sqlite3_bind_int64(st, 3, a->seq);
	bind_sv(st, 4, a->name, false);
	bind_sv(st, 5, a->parent, true);
	sqlite3_bind_int64(st, 6, a->depth);
	bind_i64_or_null(st, 7, (int64_t)a->start_line, a->start_line == 0);
	bind_i64_or_null(st, 8, (int64_t)a->end_line, a->end_line == 0);
	bind_time(st, 9, 11, &a->start);
	bind_time(st, 10, 12, &a->end);
	sqlite3_bind_text(st, 13, timeq_names[weaker(a->start.q, a->end.q)], -1, SQLITE_STATIC);
	s->tq_seen |= 1u << weaker(a->start.q, a->end.q);
	bind_i64_or_null(st, 14, a->return_value, a->return_value < 0);
	bind_sv(st, 15, a->ca_name, true);
	bind_i64_or_null(st, 16, a->ca_error, a->ca_line == 0);
	bind_i64_or_null(st, 17, (int64_t)a->ca_line, a->ca_line == 0);
	bind_i64_or_null(st, 18, a->error_number, a->error_line == 0);
	bind_i64_or_null(st, 19, (int64_t)a->error_line, a->error_line == 0);
	bind_sv(st, 20, a->error_text, true);
	if (step_reset(s, st, "storing msi action") != STORE_OK)
		return s->rc = STORE_ERROR;
	return STORE_OK;
}

int
st_sink_msi_session(void *ctx, const struct ec_msi_session *m)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_MSI_SESSION];

	if (s->rc != STORE_OK)
		return s->rc;
	sqlite3_bind_int64(st, 1, s->src_id);
	sqlite3_bind_int64(st, 2, m->session);
	bind_i64_or_null(st, 3, (int64_t)m->start_line, m->start_line == 0);
	bind_i64_or_null(st, 4, (int64_t)m->end_line, m->end_line == 0);
	bind_time(st, 5, 7, &m->start);
	bind_time(st, 6, 8, &m->end);
	sqlite3_bind_text(st, 9, timeq_names[weaker(m->start.q, m->end.q)], -1, SQLITE_STATIC);
	s->tq_seen |= 1u << weaker(m->start.q, m->end.q);
	bind_sv(st, 10, m->started, true);
	bind_sv(st, 11, m->calling_process, true);
	bind_sv(st, 12, m->package, true);
	bind_sv(st, 13, m->command_line, true);
	bind_sv(st, 14, m->product, true);
	bind_sv(st, 15, m->version, true);
	bind_sv(st, 16, m->product_code, true);
	bind_sv(st, 17, m->upgrade_code, true);
	bind_sv(st, 18, m->result, true);
	bind_i64_or_null(st, 19, m->status, m->status < 0);
	bind_i64_or_null(st, 20, m->engine_return, m->engine_return == -1);
	sqlite3_bind_int(st, 21, m->footer);
	sqlite3_bind_int64(st, 22, m->actions);
	sqlite3_bind_int64(st, 23, m->failed_actions);
	if (step_reset(s, st, "storing msi session") != STORE_OK)
		return s->rc = STORE_ERROR;
	return STORE_OK;
}

/* A counter's value by name, or 0. */
static int64_t
counter(const struct ec_run_step *st, const char *name)
{
	for (size_t i = 0; i < st->ncounters; i++) {
		if (sv_eq(st->counters[i].name, name)) {
			char tmp[24];
			size_t n = st->counters[i].value.n < sizeof(tmp) - 1 ? st->counters[i].value.n
									      : sizeof(tmp) - 1;

			memcpy(tmp, st->counters[i].value.p, n);
			tmp[n] = '\0';
			return strtoll(tmp, NULL, 10);
		}
	}
	return 0;
}

/* {"stage-add": 3, ...}: numbers as numbers when they are. */
static void
counters_json(struct buf *b, const struct ec_run_step *st)
{
	buf_reset(b);
	buf_addc(b, '{');
	for (size_t i = 0; i < st->ncounters; i++) {
		struct sv v = sv_trim(st->counters[i].value);
		bool num = v.n > 0 && v.n < 20;

		for (size_t k = 0; num && k < v.n; k++)
			num = (v.p[k] >= '0' && v.p[k] <= '9') || (k == 0 && v.p[k] == '-' && v.n > 1);
		if (i)
			buf_addc(b, ',');
		json_string(b, st->counters[i].name);
		buf_addc(b, ':');
		if (num)
			buf_addsv(b, v);
		else
			json_string(b, v);
	}
	buf_addc(b, '}');
}

static void
bind_ectime(sqlite3_stmt *st, int col, const struct ec_time *t)
{
	char iso[32];

	if (t->q >= TQ_LOCAL_ASSUMED) {
		ms_to_iso(t->ms, iso);
		sqlite3_bind_text(st, col, iso, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, col);
	}
}

int
st_sink_run(void *ctx, const struct ec_run *r)
{
	struct store *s = ctx;
	sqlite3_stmt *st = s->st[ST_INS_RUN];
	int64_t run_id;

	if (s->rc != STORE_OK)
		return s->rc;
	sqlite3_bind_int64(st, 1, s->src_id);
	bind_sv(st, 2, r->connector, true);
	bind_sv(st, 3, r->connector_id, true);
	bind_sv(st, 4, r->profile, true);
	bind_i64_or_null(st, 5, r->run_number, r->run_number < 0);
	bind_sv(st, 6, r->result, true);
	bind_ectime(st, 7, &r->start);
	bind_ectime(st, 8, &r->end);
	bind_sv(st, 9, r->user, true);
	bind_sv(st, 10, r->run_history_id, true);
	bind_text(st, 11, r->result_class);
	bind_i64_or_null(st, 12, (int64_t)r->line, r->line == 0);
	sqlite3_bind_text(st, 13, timeq_names[weaker(r->start.q, r->end.q)], -1, SQLITE_STATIC);
	s->tq_seen |= 1u << weaker(r->start.q, r->end.q);
	if (step_reset(s, st, "storing run") != STORE_OK)
		return s->rc = STORE_ERROR;
	run_id = sqlite3_last_insert_rowid(s->db);
	s->counts.records++;
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct ec_run_step *p = &r->steps[i];
		sqlite3_stmt *q = s->st[ST_INS_STEP];
		int64_t step_id, errors = p->error_count >= 0 ? p->error_count
				      : counter(p, "stage-failure") + counter(p, "flow-failure") +
					counter(p, "export-failure") + (int64_t)p->nerrors;

		sqlite3_bind_int64(q, 1, run_id);
		bind_i64_or_null(q, 2, p->step_number, p->step_number < 0);
		bind_sv(q, 3, p->step_type, true);
		bind_sv(q, 4, p->result, true);
		bind_ectime(q, 5, &p->start);
		bind_ectime(q, 6, &p->end);
		/* Changes of the step: staged by an import, exported by an export. */
		sqlite3_bind_int64(q, 7, counter(p, "stage-add") + counter(p, "export-add"));
		sqlite3_bind_int64(q, 8, counter(p, "stage-update") + counter(p, "export-update"));
		sqlite3_bind_int64(q, 9, counter(p, "stage-rename") + counter(p, "export-rename"));
		sqlite3_bind_int64(q, 10, counter(p, "stage-delete") + counter(p, "export-delete"));
		sqlite3_bind_int64(q, 11, errors);
		bind_sv(q, 12, p->step_subtype, true);
		bind_text(q, 13, p->step_class);
		bind_text(q, 14, p->result_class);
		bind_sv(q, 15, p->connection_result, true);
		bind_sv(q, 16, p->connection_server, true);
		if (p->ncounters) {
			counters_json(&s->json, p);
			sqlite3_bind_text(q, 17, s->json.data, (int)s->json.len, SQLITE_STATIC);
		} else {
			sqlite3_bind_null(q, 17);
		}
		if (step_reset(s, q, "storing run step") != STORE_OK)
			return s->rc = STORE_ERROR;
		step_id = sqlite3_last_insert_rowid(s->db);
		for (size_t k = 0; k < p->nerrors; k++) {
			const struct ec_run_error *e = &p->errors[k];
			sqlite3_stmt *x = s->st[ST_INS_RUN_ERROR];

			sqlite3_bind_int64(x, 1, step_id);
			bind_sv(x, 2, e->category, true);
			bind_sv(x, 3, e->dn, true);
			bind_sv(x, 4, e->error_type, true);
			bind_sv(x, 5, e->code, true);
			bind_sv(x, 6, e->detail, true);
			bind_ectime(x, 7, &e->when);
			if (step_reset(s, x, "storing run error") != STORE_OK)
				return s->rc = STORE_ERROR;
		}
	}
	return STORE_OK;
}

static int
bump_meta(struct store *s, const char *key)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO meta(key, value) VALUES ('%s', 1) ON CONFLICT(key) DO UPDATE"
		 " SET value = value + 1",
		 key);
	return exec(s, sql);
}

/* The clock of the current source as its parser left it (schema 6): its
 * weakest kind of time decides; the analyzer's clock settles the rest. */
static int
set_clock(struct store *s)
{
	unsigned q = s->tq_seen;
	const char *clock = q & (1u << TQ_LOCAL_ASSUMED) ? "assumed"
			    : q & (1u << TQ_LOCAL_GIVEN) ? "given"
			    : q & (1u << TQ_HEADER_OFFSET) ? "header"
			    : q & (1u << TQ_EXACT) ? "exact" : NULL;
	bool given = clock && strcmp(clock, "given") == 0 && s->given;
	bool assumed = clock && strcmp(clock, "assumed") == 0;
	sqlite3_stmt *st;
	int rc;

	if (!clock)
		return STORE_OK;
	if (prepare(s, "UPDATE source SET clock = ?2, utc_offset = ?3, clock_from = ?4 WHERE id = ?1", &st,
		    "finishing source") != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, s->src_id);
	sqlite3_bind_text(st, 2, clock, -1, SQLITE_STATIC);
	bind_i64_or_null(st, 3, given ? s->given_offset : 0, !given && !assumed);
	bind_text(st, 4, given ? "--utc-offset" : NULL);
	rc = sqlite3_step(st);
	return finish(s, st, rc, 0, "finishing source");
}

int
store_commit_source(struct store *s, const char *sha256, uint64_t size, int64_t *dup_of)
{
	sqlite3_stmt *st = s->st[ST_UPD_SOURCE];
	int64_t dup;
	char t0[32], t1[32];

	if (!s->src_id)
		return STORE_ERROR;
	if (s->rc != STORE_OK) {
		store_rollback_source(s);
		return STORE_ERROR;
	}
	dup = store_content_find(s, sha256);
	if (dup) {
		struct store_source src = s->src;
		char *keep_path = s->src_path;

		/* Same bytes as an earlier source: keep only a pointer to it. */
		s->src_path = NULL;
		store_rollback_source(s);
		src.path = keep_path;
		src.size = size;
		if (dup_of)
			*dup_of = dup;
		int rc = store_note_source(s, &src, sha256, "duplicate", "same content as an earlier source",
					   dup, 0);
		free(keep_path);
		return rc == STORE_OK ? STORE_DUPLICATE : rc;
	}
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)size);
	sqlite3_bind_int64(st, 3, (int64_t)s->counts.records);
	sqlite3_bind_int64(st, 4, (int64_t)s->counts.skipped);
	sqlite3_bind_int64(st, 5, (int64_t)s->counts.bytes_skipped);
	sqlite3_bind_int64(st, 6, (int64_t)s->counts.problems);
	if (s->min_time != INT64_MAX) {
		ms_to_iso(s->min_time, t0);
		ms_to_iso(s->max_time, t1);
		sqlite3_bind_text(st, 7, t0, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, t1, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 9, s->src_id);
	if (step_reset(s, st, "finishing source") != STORE_OK || set_clock(s) != STORE_OK ||
	    bump_meta(s, "ingested") != STORE_OK || exec(s, "COMMIT") != STORE_OK) {
		store_rollback_source(s);
		return STORE_ERROR;
	}
	s->src_id = 0;
	return STORE_OK;
}

void
store_rollback_source(struct store *s)
{
	if (!s->src_id)
		return;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->src_id = 0;
}

/* A source that could not be read (no hash) recorded before with the
 * same path, status and reason. */
static bool
unread_known(struct store *s, const char *path, const char *status, const char *reason)
{
	sqlite3_stmt *st;
	bool known = false;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT 1 FROM source WHERE path = ? AND sha256 IS NULL AND status = ?"
			       " AND reason IS ?",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	bind_text(st, 1, path);
	bind_text(st, 2, status);
	bind_text(st, 3, reason);
	known = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return known;
}

int
store_note_source(struct store *s, const struct store_source *src, const char *sha256,
		  const char *status, const char *reason, int64_t dup_of, uint64_t records)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if (sha256 ? store_source_find(s, src->path, sha256) != 0
		   : unread_known(s, src->path, status, reason))
		return STORE_OK;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO source(path, name, container, depth, size, mtime, sha256, status,"
			       " reason, format, encoding, duplicate_of, records, ingested_at)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "storing source");
	now_iso(now);
	bind_text(st, 1, src->path);
	bind_text(st, 2, src->name);
	bind_text(st, 3, src->container);
	sqlite3_bind_int(st, 4, src->depth);
	bind_i64_or_null(st, 5, (int64_t)src->size, src->size == UINT64_MAX);
	bind_i64_or_null(st, 6, src->mtime, src->mtime == 0);
	bind_text(st, 7, sha256);
	bind_text(st, 8, status);
	bind_text(st, 9, reason);
	bind_text(st, 10, src->format);
	bind_text(st, 11, src->encoding);
	bind_i64_or_null(st, 12, dup_of, dup_of == 0);
	sqlite3_bind_int64(st, 13, (int64_t)records);
	bind_text(st, 14, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, "storing source");
	return STORE_OK;
}
