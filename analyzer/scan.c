/* SPDX-License-Identifier: MIT */
/* scan.c - one pass over every stored record with the signatures: the
 * findings of the signatures that fired (with their evidence, captures and
 * the facts they set), the error records no signature explains grouped by
 * template, and the run events the sync verdict needs when a case has no
 * run history. Then the ranking of all findings, causes first. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/analyzer.h"
#include "analyzer/signature.h"
#include "common/buf.h"
#include "common/strview.h"
#include "common/xalloc.h"

#define TEMPLATES_MAX 5000
#define TEMPLATE_LEN 240
#define RUNEVENTS_MAX 20000

/* ---- facts for signature conditions ------------------------------------ */

struct fact_cache {
	struct store *s;
	const struct analysis *a;
	char **name, **value;
	size_t n;
};

struct last_fact {
	const char *name;
	char *value;
};

static int
on_last_fact(void *ctx, const struct store_fact_row *r)
{
	struct last_fact *lf = ctx;

	if (r->value) {
		free(lf->value);
		lf->value = xstrdup(r->value);
	}
	return 0;
}

/* The case's value of a fact: the analysis's reading for the versions it
 * settles, else the last stored fact of that name. */
static const char *
case_fact(void *ctx, const char *name)
{
	struct fact_cache *fc = ctx;
	const struct analysis *a = fc->a;
	const struct {
		const char *name;
		const struct an_value *v;
	} known[] = {
		{ "case.target_version", &a->target },
		{ "case.installed_version", &a->installed },
		{ "settings.server_configuration_version", &a->server_config_version },
		{ "gui.version", &a->gui_version },
		{ "os.version", &a->os_version },
		{ "dotnet.release", &a->dotnet_release },
	};
	struct last_fact lf = { name, NULL };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!strcmp(name, known[i].name))
			return known[i].v->value;
	}
	for (size_t i = 0; i < fc->n; i++) {
		if (!strcmp(fc->name[i], name))
			return fc->value[i];
	}
	store_facts(fc->s, name, on_last_fact, &lf);
	fc->name = xrealloc(fc->name, (fc->n + 1) * sizeof(char *));
	fc->value = xrealloc(fc->value, (fc->n + 1) * sizeof(char *));
	fc->name[fc->n] = xstrdup(name);
	fc->value[fc->n++] = lf.value;
	return lf.value;
}

/* ---- unexplained errors ---------------------------------------------------- */

struct tmpl {
	char *text, *example, *format, *provider, *level, *first_time;
	int64_t count, sources, last_source, source_id, event_id, line;
	uint64_t hash;
	size_t next;			/* chain, SIZE_MAX ends */
};

struct tmpls {
	struct tmpl *v;
	size_t n, cap;
	size_t heads[4096];
	int64_t dropped;		/* errors whose template did not fit */
};

static bool
is_hex(int c)
{
	return isxdigit(c) != 0;
}

static size_t
guid_len(const char *p, size_t n)
{
	static const int parts[] = { 8, 4, 4, 4, 12 };
	size_t i = 0;

	for (int k = 0; k < 5; k++) {
		for (int j = 0; j < parts[k]; j++, i++) {
			if (i >= n || !is_hex((unsigned char)p[i]))
				return 0;
		}
		if (k < 4 && (i >= n || p[i++] != '-'))
			return 0;
	}
	return i;
}

/* The first line of an error with what varies masked: GUIDs, hex and
 * decimal numbers (times, versions, addresses), quoted text, paths, user
 * names. */
static void
template_of(const char *msg, size_t len, struct buf *out)
{
	size_t i = 0;

	buf_reset(out);
	while (i < len && msg[i] != '\n' && msg[i] != '\r' && out->len < TEMPLATE_LEN) {
		unsigned char c = (unsigned char)msg[i];
		size_t g;

		if ((g = guid_len(msg + i, len - i))) {
			buf_adds(out, "<guid>");
			i += g;
		} else if (c == '0' && i + 2 < len && (msg[i + 1] == 'x' || msg[i + 1] == 'X') &&
			   is_hex((unsigned char)msg[i + 2])) {
			buf_adds(out, "<hex>");
			for (i += 2; i < len && is_hex((unsigned char)msg[i]); i++)
				;
		} else if (c == '\'' || c == '"') {
			const char *e = memchr(msg + i + 1, c, len - i - 1);
			const char *nl = memchr(msg + i + 1, '\n', len - i - 1);

			if (e && (!nl || e < nl) && e - (msg + i) < 200) {
				buf_addc(out, (char)c);
				buf_adds(out, "<s>");
				buf_addc(out, (char)c);
				i = (size_t)(e - msg) + 1;
			} else {
				buf_addc(out, (char)c);
				i++;
			}
		} else if (isalpha(c) && i + 2 < len && msg[i + 1] == ':' && msg[i + 2] == '\\') {
			buf_adds(out, "<path>");
			while (i < len && !isspace((unsigned char)msg[i]) && msg[i] != '\'' && msg[i] != '"')
				i++;
		} else if (isalnum(c) || c == '_') {
			/* a word: masked when it is a number (digits, with . : , -
			 * between digits), kept whole otherwise ("0C" of the thread
			 * pair "(C0:0C)", "x64", "Win32") */
			size_t s = i, e = i;
			bool num = true, at = false;

			for (; e < len && (isalnum((unsigned char)msg[e]) || msg[e] == '_'); e++)
				num = num && isdigit((unsigned char)msg[e]);
			if (num) {
				while (e + 1 < len && msg[e] && strchr(".:,-", msg[e]) &&
				       isdigit((unsigned char)msg[e + 1])) {
					size_t k = e + 1;

					while (k < len && isdigit((unsigned char)msg[k]))
						k++;
					if (k < len && (isalpha((unsigned char)msg[k]) || msg[k] == '_'))
						break;
					e = k;
				}
				buf_adds(out, "<n>");
				i = e;
				continue;
			}
			i = s;
			while (i < len && (isalnum((unsigned char)msg[i]) || (msg[i] && strchr("_.@-$", msg[i])))) {
				at = at || msg[i] == '@';
				i++;
			}
			if (at)
				buf_adds(out, "<user>");
			else
				buf_add(out, msg + s, i - s);
		} else {
			buf_addc(out, (char)c);
			i++;
		}
	}
}

static uint64_t
fnv(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static void
tmpl_add(struct tmpls *t, const struct buf *key, const struct store_scan_row *r)
{
	uint64_t h = fnv(key->data, key->len);
	size_t b = h % (sizeof(t->heads) / sizeof(t->heads[0]));
	struct tmpl *e;

	for (size_t i = t->heads[b]; i != SIZE_MAX; i = t->v[i].next) {
		e = &t->v[i];
		if (e->hash == h && strlen(e->text) == key->len && !memcmp(e->text, key->data, key->len)) {
			e->count++;
			if (e->last_source != r->source_id) {
				e->sources++;
				e->last_source = r->source_id;
			}
			return;
		}
	}
	if (t->n >= TEMPLATES_MAX) {
		t->dropped++;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	e->text = xstrndup(key->data, key->len);
	{
		const char *m = r->message ? r->message : "";
		size_t n = strcspn(m, "\r\n");

		e->example = xstrndup(m, n > 400 ? 400 : n);
	}
	e->format = xstrdup0(r->format);
	e->provider = xstrdup0(r->provider);
	e->level = xstrdup0(r->level);
	e->first_time = xstrdup0(r->time);
	e->count = 1;
	e->sources = 1;
	e->last_source = r->source_id;
	e->source_id = r->source_id;
	e->event_id = r->id;
	e->line = r->line;
	e->hash = h;
	e->next = t->heads[b];
	t->heads[b] = t->n++;
}

static int
cmp_tmpl(const void *x, const void *y)
{
	const struct tmpl *a = x, *b = y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->event_id < b->event_id ? -1 : a->event_id > b->event_id;
}

/* ---- the scan --------------------------------------------------------------- */

struct scan {
	struct store *s;
	struct analysis *a;
	struct sig_matcher *m;
	struct tmpls tm;
	struct buf key;
	cJSON *data;			/* the current event's items, parsed on demand */
	const char *data_text;
	struct an_runevent *rev;
	size_t nrev, caprev;
	/* a run record */
	const char *run_part[4];	/* result, connection_result, error_type, code */
	struct buf line;
	int64_t cur_source;		/* the source of the last record, and whether */
	bool cur_other;			/* it is another product's install log */
	int64_t other_records;		/* records of such logs, not matched */
	int rc;
};

/* A Windows Installer log of another product (and of no wizard run): read
 * and listed, but no Entra Connect finding rests on it. */
static bool
other_product_source(const struct analysis *a, int64_t source_id)
{
	bool other = false;

	for (size_t i = 0; i < a->ninstalls; i++) {
		if (a->installs[i].path && a->installs[i].source_id == source_id) {
			if (!a->installs[i].other_product)
				return false;
			other = true;
		}
	}
	return other;
}

static const char *
event_field(void *ctx, const char *name, size_t *len)
{
	struct scan *sc = ctx;
	const cJSON *pair;

	if (!sc->data_text)
		return NULL;
	if (!sc->data)
		sc->data = cJSON_Parse(sc->data_text);
	cJSON_ArrayForEach(pair, sc->data) {
		const cJSON *n = cJSON_GetArrayItem(pair, 0), *v = cJSON_GetArrayItem(pair, 1);

		if (cJSON_IsString(n) && cJSON_IsString(v) && !strcmp(n->valuestring, name)) {
			*len = strlen(v->valuestring);
			return v->valuestring;
		}
	}
	return NULL;
}

/* "The management agent "X" ... run profile "Y"": the quoted names. */
static char *
quoted_after(const char *msg, const char *lead)
{
	struct sv v = sv_cstr(msg);
	long at = sv_ifind(v, lead);
	const char *p, *e;

	if (at < 0)
		return NULL;
	p = msg + at + strlen(lead);
	while (*p == ' ')
		p++;
	if (*p != '"')
		return NULL;
	e = strchr(p + 1, '"');
	return e ? xstrndup(p + 1, (size_t)(e - p - 1)) : NULL;
}

static void
note_run_event(struct scan *sc, const struct store_scan_row *r)
{
	bool adsync = r->provider && !strcasecmp(r->provider, "ADSync");
	bool dirsync = r->provider && !strcasecmp(r->provider, "Directory Synchronization");
	struct an_runevent *e;

	if (!(adsync && (r->event_id == 6050 || r->event_id == 6100 || r->event_id == 6803 || r->event_id == 6941)) &&
	    !(dirsync && r->event_id == 904 && r->message && sv_ifind(sv_cstr(r->message), "finished") >= 0))
		return;
	if (!r->time || sc->nrev >= RUNEVENTS_MAX)
		return;
	if (sc->nrev == sc->caprev) {
		sc->caprev = sc->caprev ? sc->caprev * 2 : 16;
		sc->rev = xrealloc(sc->rev, sc->caprev * sizeof(*sc->rev));
	}
	e = &sc->rev[sc->nrev++];
	memset(e, 0, sizeof(*e));
	e->time = xstrdup(r->time);
	e->path = xstrdup0(r->path);
	e->event_id = r->event_id;
	e->line = r->line;
	e->record = r->record;
	e->failed = adsync;
	if (adsync && r->message) {
		e->connector = quoted_after(r->message, "management agent");
		e->profile = quoted_after(r->message, "run profile");
	}
}

static int
on_scan_event(void *ctx, const struct store_scan_row *r)
{
	struct scan *sc = ctx;
	unsigned kind = sig_kind_of_format(r->format);
	struct sig_record rec = {
		.kind = kind,
		.message = r->message ? r->message : "",
		.len = r->message ? strlen(r->message) : 0,
		.extra = r->data,
		.extra_len = r->data ? strlen(r->data) : 0,
		.provider = r->provider,
		.event_id = r->event_id,
		.level = r->level,
		.time = r->time,
		.field = event_field,
		.field_ctx = sc,
		.source_id = r->source_id,
		.row_id = r->id,
		.line = r->line,
		.record = r->record,
	};
	int hits;

	if (!kind)
		return 0;
	if (r->source_id != sc->cur_source) {
		sc->cur_source = r->source_id;
		sc->cur_other = other_product_source(sc->a, r->source_id);
	}
	if (sc->cur_other) {
		sc->other_records++;
		return 0;
	}
	sc->data = NULL;
	sc->data_text = r->data;
	hits = sigmatch_record(sc->m, &rec);
	if (sc->data)
		cJSON_Delete(sc->data);
	sc->data = NULL;
	if (hits == 0 && r->level && (!strcmp(r->level, "error") || !strcmp(r->level, "critical"))) {
		/* a record of a failure that stopped a run is context of the
		 * finding that explains it, not an unexplained error */
		long stop = stops_at(sc->a, r->source_id, r->line);

		if (stop >= 0) {
			stops_note_context(sc->a, stop, r->id, r->line);
		} else {
			template_of(rec.message, rec.len, &sc->key);
			if (sc->key.len)
				tmpl_add(&sc->tm, &sc->key, r);
		}
	}
	if (kind == SK_EVENT && r->provider)
		note_run_event(sc, r);
	return 0;
}

static const char *
run_field(void *ctx, const char *name, size_t *len)
{
	struct scan *sc = ctx;
	static const char *const names[] = { "result", "connection_result", "error_type", "code" };

	for (int i = 0; i < 4; i++) {
		if (!strcmp(name, names[i]) && sc->run_part[i]) {
			*len = strlen(sc->run_part[i]);
			return sc->run_part[i];
		}
	}
	return NULL;
}

#define OR_EMPTY(s) ((s) ? (s) : "")

static void
match_run_line(struct scan *sc, int64_t source_id, int64_t line, const char *time)
{
	struct sig_record rec = {
		.kind = SK_RUN, .message = sc->line.data ? sc->line.data : "", .len = sc->line.len,
		.event_id = -1, .time = time, .field = run_field, .field_ctx = sc,
		.source_id = source_id, .line = line, .record = -1,
	};

	sigmatch_record(sc->m, &rec);
}

static int
on_scan_step(void *ctx, const struct store_step_row *r)
{
	struct scan *sc = ctx;

	buf_reset(&sc->line);
	buf_addf(&sc->line, "%s | %s | %s | %s | connection %s | errors %lld", OR_EMPTY(r->connector),
		 OR_EMPTY(r->profile), OR_EMPTY(r->step_class), OR_EMPTY(r->result),
		 r->connection_result ? r->connection_result : "-", (long long)r->errors);
	sc->run_part[0] = r->result;
	sc->run_part[1] = r->connection_result;
	sc->run_part[2] = sc->run_part[3] = NULL;
	match_run_line(sc, r->source_id, r->line, r->start_time);
	return 0;
}

static int
on_scan_run_error(void *ctx, const struct store_run_error_row *r)
{
	struct scan *sc = ctx;

	buf_reset(&sc->line);
	buf_addf(&sc->line, "%s | %s | %s | %s | %s | %s | %s", OR_EMPTY(r->connector), OR_EMPTY(r->profile),
		 OR_EMPTY(r->category), OR_EMPTY(r->error_type), OR_EMPTY(r->code), OR_EMPTY(r->dn),
		 OR_EMPTY(r->detail));
	sc->run_part[0] = sc->run_part[1] = NULL;
	sc->run_part[2] = r->error_type;
	sc->run_part[3] = r->code;
	match_run_line(sc, r->source_id, r->line, r->time);
	return 0;
}

/* A run read without its steps (Get-ADSyncRunProfileResult without
 * -RunStepDetails) is matched as one record of its own. */
static int
on_scan_run(void *ctx, const struct store_run_row *r)
{
	struct scan *sc = ctx;

	if (r->steps > 0)
		return 0;
	buf_reset(&sc->line);
	buf_addf(&sc->line, "%s | %s | run | %s | connection %s | errors %lld", OR_EMPTY(r->connector),
		 OR_EMPTY(r->profile), OR_EMPTY(r->result), r->connection_result ? r->connection_result : "-",
		 (long long)r->errors);
	sc->run_part[0] = r->result;
	sc->run_part[1] = r->connection_result;
	sc->run_part[2] = sc->run_part[3] = NULL;
	match_run_line(sc, r->source_id, r->line, r->start_time);
	return 0;
}

static int
cmp_runevent(const void *x, const void *y)
{
	const struct an_runevent *a = x, *b = y;

	return strcmp(a->time, b->time);
}

static void
add_explained(struct analysis *a, const char *id)
{
	for (size_t i = 0; i < a->nexplained; i++) {
		if (!strcmp(a->explained[i], id))
			return;
	}
	a->explained = xrealloc(a->explained, (a->nexplained + 1) * sizeof(char *));
	a->explained[a->nexplained++] = xstrdup(id);
}

/* Store the finding of a signature that fired. */
static int
store_fired(struct scan *sc, const struct sig_set *ss, size_t i, const struct sig_result *res)
{
	const struct sig_info *in = res->info;
	const struct sig_hit *first = res->nkept ? &res->kept[0] : NULL;
	char *title = sigmatch_expand(sc->m, i, in->title), *data, summary[256];
	cJSON *d = cJSON_CreateObject(), *refs = cJSON_AddArrayToObject(d, "references"),
	      *ex = cJSON_AddArrayToObject(d, "explains"), *caps = cJSON_AddObjectToObject(d, "captures");
	struct store_finding f = { 0 };
	int64_t id;

	for (size_t k = 0; k < in->nreferences; k++)
		cJSON_AddItemToArray(refs, cJSON_CreateString(in->references[k]));
	for (size_t k = 0; k < in->nexplains; k++)
		cJSON_AddItemToArray(ex, cJSON_CreateString(in->explains[k]));
	for (size_t k = 0; first && k < first->ncaptures; k++)
		cJSON_AddStringToObject(caps, first->cap_name[k], first->cap_value[k]);
	cJSON_AddNumberToObject(d, "hits", (double)res->hits);
	cJSON_AddStringToObject(d, "origin", in->origin);
	data = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	snprintf(summary, sizeof(summary), "%llu matching record%s (signature %s)", (unsigned long long)res->hits,
		 res->hits == 1 ? "" : "s", in->origin);
	f.rule = in->id;
	f.title = title;
	f.severity = in->severity;
	f.confidence = in->confidence;
	f.summary = summary;
	f.remediation = in->remediation;
	f.time = first ? first->time : NULL;
	f.kind = "signature";
	f.data = data;
	id = store_add_finding(sc->s, &f);
	free(title);
	free(data);
	if (id < 0)
		return STORE_ERROR;
	for (size_t k = 0; k < res->nkept; k++) {
		const struct sig_hit *h = &res->kept[k];
		struct buf note;

		buf_init(&note, 1024);
		buf_addf(&note, "when[%d]", h->clause);
		for (size_t c = 0; c < h->ncaptures; c++)
			buf_addf(&note, " %s=%s", h->cap_name[c], h->cap_value[c]);
		if (store_add_evidence(sc->s, id, h->source_id, h->row_id, h->line, note.data) != STORE_OK) {
			buf_release(&note);
			return STORE_ERROR;
		}
		buf_release(&note);
	}
	for (size_t k = 0; first && k < sigset_nsets(ss, i); k++) {
		const char *fact, *tmpl;
		char *val;

		sigset_set(ss, i, k, &fact, &tmpl);
		val = sigmatch_expand(sc->m, i, tmpl);
		if (store_add_fact(sc->s, first->source_id, first->row_id, fact, NULL, val) != STORE_OK) {
			free(val);
			return STORE_ERROR;
		}
		free(val);
	}
	for (size_t k = 0; k < in->nexplains; k++)
		add_explained(sc->a, in->explains[k]);
	return STORE_OK;
}

int
scan_run(struct store *s, const struct sig_set *ss, struct analysis *a)
{
	struct fact_cache fc = { s, a, NULL, NULL, 0 };
	struct scan sc = { .s = s, .a = a, .rc = STORE_OK };
	int rc = STORE_OK;

	memset(sc.tm.heads, 0xff, sizeof(sc.tm.heads));
	buf_init(&sc.key, 4096);
	buf_init(&sc.line, 1u << 16);
	sc.m = sigmatch_new(ss, case_fact, &fc, a->window_start);
	if (store_scan_events(s, on_scan_event, &sc) != STORE_OK)
		rc = STORE_ERROR;
	sigmatch_source_end(sc.m);
	if (rc == STORE_OK && (store_scan_steps(s, on_scan_step, &sc) != STORE_OK ||
			       store_scan_run_errors(s, on_scan_run_error, &sc) != STORE_OK ||
			       store_runs(s, on_scan_run, &sc) != STORE_OK))
		rc = STORE_ERROR;
	sigmatch_source_end(sc.m);
	for (size_t i = 0; rc == STORE_OK && i < sigset_count(ss); i++) {
		struct sig_result res;

		sigmatch_result(sc.m, i, &res);
		if (res.fired)
			rc = store_fired(&sc, ss, i, &res);
	}
	/* Unexplained errors, most frequent first. */
	if (sc.tm.n > 1)
		qsort(sc.tm.v, sc.tm.n, sizeof(*sc.tm.v), cmp_tmpl);
	for (size_t i = 0; i < sc.tm.n; i++) {
		struct tmpl *t = &sc.tm.v[i];
		struct store_unexplained u = {
			.template = t->text, .example = t->example, .format = t->format, .provider = t->provider,
			.level = t->level, .first_time = t->first_time, .count = t->count, .sources = t->sources,
			.source_id = t->source_id, .event_id = t->event_id, .line = t->line,
		};

		if (rc == STORE_OK && store_add_unexplained(s, &u) != STORE_OK)
			rc = STORE_ERROR;
		free(t->text), free(t->example), free(t->format), free(t->provider), free(t->level);
		free(t->first_time);
	}
	free(sc.tm.v);
	if (sc.nrev > 1)
		qsort(sc.rev, sc.nrev, sizeof(*sc.rev), cmp_runevent);
	a->runevents = sc.rev;
	a->nrunevents = sc.nrev;
	sigmatch_free(sc.m);
	buf_release(&sc.key);
	buf_release(&sc.line);
	for (size_t i = 0; i < fc.n; i++) {
		free(fc.name[i]);
		free(fc.value[i]);
	}
	free(fc.name);
	free(fc.value);
	return rc;
}

/* ---- ranking ------------------------------------------------------------------ */

/* What checks in code explain (signatures say it in their files). */
static const struct {
	const char *rule, *explains;
} check_explains[] = {
	{ "msi-failed", "version-unchanged" },
	{ "half-migrated-database", "version-mismatch" },
	{ "version-unchanged", "unsupported-version" },
};

struct rk {
	int64_t id, explained_by;
	char *rule, *time;
	char **explains;
	size_t nexplains;
	int score;
	int tier;			/* 0 explains a stop, 1 other findings from logs, 2 errors
					 * a run survived, 3 pasted text only, 4 notes only */
	bool placed;
};

struct rk_list {
	struct rk *v;
	size_t n;
};

static int
sev_rank(const char *s)
{
	return !strcmp(s, "critical") ? 4 : !strcmp(s, "error") ? 3 : !strcmp(s, "warning") ? 2 : 1;
}

static int
conf_rank(const char *s)
{
	return !strcmp(s, "high") ? 3 : !strcmp(s, "medium") ? 2 : 1;
}

static int
on_rank_finding(void *ctx, const struct store_finding_row *r)
{
	struct rk_list *l = ctx;
	struct rk *k;
	cJSON *d = r->data ? cJSON_Parse(r->data) : NULL;
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(d, "explains"), *e;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	k = &l->v[l->n++];
	memset(k, 0, sizeof(*k));
	k->id = r->id;
	k->rule = xstrdup(r->rule);
	k->time = xstrdup0(r->time);
	k->score = sev_rank(r->severity) * 10 + conf_rank(r->confidence);
	{
		const cJSON *stop = cJSON_GetObjectItemCaseSensitive(d, "stop");
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(stop, "role");
		const cJSON *basis = cJSON_GetObjectItemCaseSensitive(d, "basis");

		k->tier = 1;
		if (cJSON_IsString(basis) && !strcmp(basis->valuestring, "notes"))
			k->tier = 4;
		else if (cJSON_IsString(basis) && !strcmp(basis->valuestring, "pasted"))
			k->tier = 3;
		else if (cJSON_IsString(role) && !strcmp(role->valuestring, "stopped"))
			k->tier = 0;
		else if (cJSON_IsString(role) && !strcmp(role->valuestring, "survived"))
			k->tier = 2;
	}
	cJSON_ArrayForEach(e, ex) {
		if (cJSON_IsString(e)) {
			k->explains = xrealloc(k->explains, (k->nexplains + 1) * sizeof(char *));
			k->explains[k->nexplains++] = xstrdup(e->valuestring);
		}
	}
	for (size_t i = 0; i < sizeof(check_explains) / sizeof(check_explains[0]); i++) {
		if (!strcmp(r->rule, check_explains[i].rule) && (!r->kind || strcmp(r->kind, "signature"))) {
			k->explains = xrealloc(k->explains, (k->nexplains + 1) * sizeof(char *));
			k->explains[k->nexplains++] = xstrdup(check_explains[i].explains);
		}
	}
	cJSON_Delete(d);
	return 0;
}

static bool
explains(const struct rk *a, const struct rk *b)
{
	for (size_t i = 0; i < a->nexplains; i++) {
		if (!strcmp(a->explains[i], b->rule))
			return true;
	}
	return false;
}

/* Better first: the finding that explains the error that stopped a run,
 * then other findings from logs, then those resting on errors a run
 * survived, then on pasted text, then on notes (k->tier); within a tier
 * higher severity and confidence, then explaining more, then earlier. */
static bool
better(const struct rk_list *l, const struct rk *a, const struct rk *b)
{
	size_t na = 0, nb = 0;

	if (a->tier != b->tier)
		return a->tier < b->tier;
	if (a->score != b->score)
		return a->score > b->score;
	for (size_t i = 0; i < l->n; i++) {
		na += explains(a, &l->v[i]);
		nb += explains(b, &l->v[i]);
	}
	if (na != nb)
		return na > nb;
	/* a cause (it explains something) before a finding that causes nothing */
	if ((a->nexplains > 0) != (b->nexplains > 0))
		return a->nexplains > 0;
	if (a->time && b->time && strcmp(a->time, b->time))
		return strcmp(a->time, b->time) < 0;
	return a->id < b->id;
}

static int
place(struct store *s, struct rk_list *l, struct rk *k, int64_t *rank)
{
	k->placed = true;
	if (store_rank_finding(s, k->id, ++*rank, k->explained_by) != STORE_OK)
		return STORE_ERROR;
	for (;;) {
		struct rk *best = NULL;

		for (size_t i = 0; i < l->n; i++) {
			struct rk *c = &l->v[i];

			if (!c->placed && c->explained_by == k->id && (!best || better(l, c, best)))
				best = c;
		}
		if (!best)
			return STORE_OK;
		if (place(s, l, best, rank) != STORE_OK)
			return STORE_ERROR;
	}
}

int
rank_findings(struct store *s)
{
	struct rk_list l = { NULL, 0 };
	int64_t rank = 0;
	int rc = STORE_OK;

	if (store_findings(s, on_rank_finding, &l) != STORE_OK)
		return STORE_ERROR;
	/* Each finding's cause: the best finding that explains it, unless it
	 * explains that one too and is the better of the two. */
	for (size_t i = 0; i < l.n; i++) {
		struct rk *b = &l.v[i], *by = NULL;

		for (size_t j = 0; j < l.n; j++) {
			struct rk *c = &l.v[j];

			if (i == j || !explains(c, b) || (explains(b, c) && better(&l, b, c)))
				continue;
			if (!by || better(&l, c, by))
				by = c;
		}
		b->explained_by = by ? by->id : 0;
	}
	/* Causes (and findings nothing explains) by merit, each followed by
	 * what it explains; a finding left in a cycle goes last. */
	for (;;) {
		struct rk *best = NULL;

		for (size_t i = 0; i < l.n; i++) {
			struct rk *c = &l.v[i];

			if (!c->placed && !c->explained_by && (!best || better(&l, c, best)))
				best = c;
		}
		if (!best)
			break;
		if ((rc = place(s, &l, best, &rank)) != STORE_OK)
			break;
	}
	for (size_t i = 0; rc == STORE_OK && i < l.n; i++) {
		if (!l.v[i].placed) {
			l.v[i].explained_by = 0;
			rc = place(s, &l, &l.v[i], &rank);
		}
	}
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].rule);
		free(l.v[i].time);
		for (size_t k = 0; k < l.v[i].nexplains; k++)
			free(l.v[i].explains[k]);
		free(l.v[i].explains);
	}
	free(l.v);
	return rc;
}
