/* SPDX-License-Identifier: MIT */
/* analyzer.c - versions, host, wizard runs and findings from the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyzer/analyzer.h"
#include "analyzer/clock.h"
#include "analyzer/signature.h"
#include "common/buf.h"
#include "common/xalloc.h"

/* Windows builds named in FORMATS-AND-SIGNATURES.md (c.1); the server SKU is
 * assumed, as the trace reads the kernel version only. */
static const struct {
	const char *prefix;
	const char *name;
} windows_builds[] = {
	{ "6.0.6002", "Windows Server 2008" },
	{ "6.1.7601", "Windows Server 2008 R2" },
	{ "6.2.9200", "Windows Server 2012" },
	{ "6.3.9600", "Windows Server 2012 R2" },
	{ "10.0.14393", "Windows Server 2016" },
	{ "10.0.17763", "Windows Server 2019" },
	{ "10.0.20348", "Windows Server 2022" },
	{ "10.0.26100", "Windows Server 2025" },
};

const char *
windows_name(const char *version)
{
	if (!version)
		return NULL;
	for (size_t i = 0; i < sizeof(windows_builds) / sizeof(windows_builds[0]); i++) {
		size_t n = strlen(windows_builds[i].prefix);

		if (strncmp(version, windows_builds[i].prefix, n) == 0 &&
		    (version[n] == '\0' || version[n] == '.'))
			return windows_builds[i].name;
	}
	return NULL;
}

/* .NET Framework release keys (FORMATS-AND-SIGNATURES.md c.2): the lowest
 * release of each version, highest first. */
const char *
dotnet_version(long release)
{
	static const struct {
		long min;
		const char *version;
	} keys[] = {
		{ 533320, "4.8.1" }, { 528040, "4.8" }, { 461808, "4.7.2" }, { 461308, "4.7.1" },
		{ 460798, "4.7" }, { 394802, "4.6.2" }, { 394254, "4.6.1" }, { 393295, "4.6" },
		{ 379893, "4.5.2" }, { 378675, "4.5.1" }, { 378389, "4.5" },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (release >= keys[i].min)
			return keys[i].version;
	}
	return NULL;
}

/* ---- collecting facts -------------------------------------------------- */

static void
value_set(struct an_value *v, const char *value, const char *path, int64_t line)
{
	free(v->value);
	free(v->path);
	v->value = value ? xstrdup(value) : NULL;
	v->path = path ? xstrdup(path) : NULL;
	v->line = line;
}

static void
value_release(struct an_value *v)
{
	free(v->value);
	free(v->path);
	memset(v, 0, sizeof(*v));
}

struct facts_ctx {
	struct {
		const char *name;
		struct an_value *v;
	} want[24];
	size_t nwant;
};

/* Facts come in source order (and event order within); the last one wins,
 * except that sources are first sorted by time by the query below. */
static int
on_fact(void *ctx, const struct store_fact_row *r)
{
	struct facts_ctx *fc = ctx;

	for (size_t i = 0; i < fc->nwant; i++) {
		if (strcmp(r->name, fc->want[i].name) == 0) {
			value_set(fc->want[i].v, r->value, r->path, r->line);
			fc->want[i].v->source_id = r->source_id;
			fc->want[i].v->event_id = r->event_id;
		}
	}
	return 0;
}

static void
want(struct facts_ctx *fc, const char *name, struct an_value *v)
{
	fc->want[fc->nwant].name = name;
	fc->want[fc->nwant].v = v;
	fc->nwant++;
}

/* The versions and host facts, latest reading of each (sources in time
 * order). Analyzer facts (os.name, dotnet.version) are found only once an
 * analysis has been stored. */
static int
read_values(struct store *s, struct analysis *a)
{
	struct facts_ctx fc = { .nwant = 0 };

	want(&fc, "engine.installed_version", &a->installed);
	want(&fc, "upgrade.from", &a->installed);
	want(&fc, "wizard.version", &a->wizard);
	want(&fc, "upgrade.to", &a->target);
	want(&fc, "os.version", &a->os_version);
	want(&fc, "os.name", &a->os_name);
	want(&fc, "dotnet.release", &a->dotnet_release);
	want(&fc, "dotnet.version", &a->dotnet_version);
	want(&fc, "tls12.status", &a->tls12);
	want(&fc, "settings.server_configuration_version", &a->server_config_version);
	want(&fc, "gui.version", &a->gui_version);
	want(&fc, "settings.staging_mode", &a->staging_mode);
	want(&fc, "settings.scheduler_suspended", &a->scheduler_suspended);
	want(&fc, "settings.autoupgrade_state", &a->autoupgrade_state);
	want(&fc, "settings.autoupgrade_suspension_reason", &a->autoupgrade_reason);
	want(&fc, "config.exported_from_version", &a->config_export_version);
	want(&fc, "config.export_time", &a->config_export_time);
	if (store_facts(s, NULL, on_fact, &fc) != STORE_OK)
		return STORE_ERROR;
	if (!a->target.value && a->wizard.value)
		value_set(&a->target, a->wizard.value, a->wizard.path, a->wizard.line);
	return STORE_OK;
}

/* ---- wizard runs ------------------------------------------------------- */

struct runs_ctx {
	struct store *s;
	int rc;
};

struct first_fact {
	const char *name;
	int64_t source_id;
	char *value;
};

static int
on_first_fact(void *ctx, const struct store_fact_row *r)
{
	struct first_fact *ff = ctx;

	if (r->source_id == ff->source_id && !ff->value && r->value) {
		ff->value = xstrdup(r->value);
		return 1;
	}
	return 0;
}

static char *
source_fact(struct store *s, int64_t source_id, const char *name)
{
	struct first_fact ff = { name, source_id, NULL };

	store_facts(s, name, on_first_fact, &ff);
	return ff.value;
}

static int
on_trace_span(void *ctx, const struct store_span_row *r)
{
	struct runs_ctx *rc = ctx;
	char *version = source_fact(rc->s, r->source_id, "wizard.version");
	char label[256], outcome[64];
	struct store_episode e = { 0 };

	snprintf(label, sizeof(label), "wizard %s", version ? version : "(version unknown)");
	if (r->errors)
		snprintf(outcome, sizeof(outcome), "%lld error%s", (long long)r->errors,
			 r->errors == 1 ? "" : "s");
	else
		snprintf(outcome, sizeof(outcome), "no errors");
	e.kind = "wizard-run";
	e.source_id = r->source_id;
	e.label = label;
	e.start_time = r->first_time;
	e.end_time = r->last_time;
	e.time_q = r->time_q;
	e.outcome = outcome;
	e.errors = r->errors;
	e.warnings = r->warnings;
	e.first_error_event = r->first_error_id;
	if (store_add_episode(rc->s, &e) != STORE_OK)
		rc->rc = STORE_ERROR;
	free(version);
	return rc->rc != STORE_OK;
}

/* ---- loading ------------------------------------------------------------ */

#define GROW(arr, n, cap)                                                        \
	do {                                                                     \
		if ((n) == (cap)) {                                              \
			(cap) = (cap) ? (cap) * 2 : 8;                           \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));         \
		}                                                                \
	} while (0)

struct load_ctx {
	struct analysis *a;
	struct store *s;
	size_t cap;
};

/* The wizard's own word that no sync engine is installed. */
static int
on_engine_state(void *ctx, const struct store_fact_row *r)
{
	struct an_value *v = ctx;

	if (r->key && r->value && strstr(r->key, "Sync Engine"))
		value_set(v, r->value, r->path, r->line);
	return 0;
}

static int
on_component(void *ctx, const struct store_fact_row *r)
{
	struct load_ctx *lc = ctx;
	struct analysis *a = lc->a;

	if (!r->key)
		return 0;
	/* Keep the latest reading of each package. */
	for (size_t i = 0; i < a->ncomponents; i++) {
		if (strcmp(a->components[i].name, r->key) == 0) {
			free(a->components[i].version);
			free(a->components[i].path);
			a->components[i].version = xstrdup0(r->value);
			a->components[i].path = xstrdup0(r->path);
			a->components[i].line = r->line;
			return 0;
		}
	}
	GROW(a->components, a->ncomponents, lc->cap);
	a->components[a->ncomponents++] = (struct an_component){
		xstrdup0(r->key), xstrdup0(r->value), xstrdup0(r->path), r->line,
	};
	return 0;
}

struct line_ctx {
	int64_t line;
	char *local;
};

static int
on_event_line(void *ctx, const struct store_event_row *r)
{
	struct line_ctx *lc = ctx;

	lc->line = r->line;
	return 0;
}

static int
on_episode(void *ctx, const struct store_episode_row *r)
{
	struct load_ctx *lc = ctx;
	struct analysis *a = lc->a;
	struct an_episode *e;
	struct line_ctx l = { 0, NULL };

	GROW(a->episodes, a->nepisodes, lc->cap);
	e = &a->episodes[a->nepisodes++];
	memset(e, 0, sizeof(*e));
	e->kind = xstrdup0(r->kind);
	e->label = xstrdup0(r->label);
	e->path = xstrdup0(r->path);
	e->start = xstrdup0(r->start_time);
	e->end = xstrdup0(r->end_time);
	e->time_q = xstrdup0(r->time_q);
	e->outcome = xstrdup0(r->outcome);
	e->errors = r->errors;
	e->warnings = r->warnings;
	if (r->first_error_event > 0 && store_event(lc->s, r->first_error_event, on_event_line, &l) == 1)
		e->first_error_line = l.line;
	return 0;
}

#define CONTEXT_TEXT_MAX 4096	/* bytes of one context record kept */

struct ev_ctx {
	struct store *s;
	struct an_finding *f;
};

static int
on_context(void *ctx, const struct store_event_row *r)
{
	struct an_evidence *e = ctx;
	struct an_ctxline *c;
	size_t n = strlen(r->message);

	if (e->nctx == 2 * EVIDENCE_CONTEXT + 1)
		return 1;
	c = &e->ctx[e->nctx];
	if (r->id == e->event_id)
		e->self = e->nctx;
	c->line = r->line;
	/* cut on a UTF-8 character boundary */
	if (n > CONTEXT_TEXT_MAX)
		for (n = CONTEXT_TEXT_MAX; n > 0 && ((unsigned char)r->message[n] & 0xC0) == 0x80; n--)
			;
	c->text = xstrndup(r->message, n);
	e->nctx++;
	return 0;
}

static int
on_evidence(void *ctx, const struct store_evidence_row *r)
{
	struct ev_ctx *ec = ctx;
	struct an_finding *f = ec->f;
	struct an_evidence *e;

	f->ev = xrealloc(f->ev, (f->nev + 1) * sizeof(*f->ev));
	e = &f->ev[f->nev++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup0(r->path);
	e->time = xstrdup0(r->time);
	e->note = xstrdup0(r->note);
	e->message = xstrdup0(r->message);
	e->format = xstrdup0(r->format);
	e->line = r->line;
	e->record = r->record;
	e->source_id = r->source_id;
	e->event_id = r->event_id;
	e->context = r->note && !strncmp(r->note, "context:", 8);
	if (e->event_id > 0 && !e->context) {
		e->ctx = xcalloc(2 * EVIDENCE_CONTEXT + 1, sizeof(*e->ctx));
		if (store_events_around(ec->s, e->event_id, EVIDENCE_CONTEXT, EVIDENCE_CONTEXT, on_context, e) ==
		    STORE_ERROR)
			return 1;
	}
	return 0;
}

/* The role and basis stops_classify() wrote into the finding's data. */
static void
finding_roles(struct an_finding *f)
{
	cJSON *d = f->data ? cJSON_Parse(f->data) : NULL;
	const cJSON *stop = cJSON_GetObjectItemCaseSensitive(d, "stop");
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(stop, "role");
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(stop, "run");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(stop, "path");
	const cJSON *line = cJSON_GetObjectItemCaseSensitive(stop, "line");
	const cJSON *basis = cJSON_GetObjectItemCaseSensitive(d, "basis");

	if (cJSON_IsString(role))
		f->stop_role = xstrdup(role->valuestring);
	if (cJSON_IsString(run))
		f->stop_run = xstrdup(run->valuestring);
	if (cJSON_IsString(path) && *path->valuestring)
		f->stop_path = xstrdup(path->valuestring);
	if (cJSON_IsNumber(line))
		f->stop_line = (int64_t)line->valuedouble;
	f->basis = xstrdup(cJSON_IsString(basis) ? basis->valuestring : "logs");
	cJSON_Delete(d);
}

static int
on_finding(void *ctx, const struct store_finding_row *r)
{
	struct load_ctx *lc = ctx;
	struct analysis *a = lc->a;
	struct an_finding *f;

	GROW(a->findings, a->nfindings, lc->cap);
	f = &a->findings[a->nfindings++];
	memset(f, 0, sizeof(*f));
	f->rule = xstrdup0(r->rule);
	f->title = xstrdup0(r->title);
	f->severity = xstrdup0(r->severity);
	f->confidence = xstrdup0(r->confidence);
	f->summary = xstrdup0(r->summary);
	f->remediation = xstrdup0(r->remediation);
	f->time = xstrdup0(r->time);
	f->kind = xstrdup0(r->kind);
	f->data = xstrdup0(r->data);
	f->id = r->id;
	f->rank = r->rank;
	f->explained_by = r->explained_by ? xasprintf("%lld", (long long)r->explained_by) : NULL;
	finding_roles(f);
	struct ev_ctx ec = { lc->s, f };

	return store_evidence(lc->s, r->id, on_evidence, &ec) == STORE_OK ? 0 : 1;
}

/* explained_by holds the finding id until all are loaded; then its rule. */
static void
resolve_causes(struct analysis *a)
{
	for (size_t i = 0; i < a->nfindings; i++) {
		struct an_finding *f = &a->findings[i];
		int64_t id;

		if (!f->explained_by)
			continue;
		id = strtoll(f->explained_by, NULL, 10);
		free(f->explained_by);
		f->explained_by = NULL;
		for (size_t k = 0; k < a->nfindings; k++) {
			if (a->findings[k].id == id)
				f->explained_by = xstrdup(a->findings[k].rule);
		}
	}
}

static int
on_unexplained(void *ctx, const struct store_unexplained *u)
{
	struct load_ctx *lc = ctx;
	struct analysis *a = lc->a;
	struct an_unexplained *e;

	GROW(a->unexplained, a->nunexplained, lc->cap);
	e = &a->unexplained[a->nunexplained++];
	e->template = xstrdup0(u->template);
	e->example = xstrdup0(u->example);
	e->format = xstrdup0(u->format);
	e->provider = xstrdup0(u->provider);
	e->level = xstrdup0(u->level);
	e->path = xstrdup0(u->path);
	e->first_time = xstrdup0(u->first_time);
	e->count = u->count;
	e->sources = u->sources;
	e->line = u->line;
	e->record = u->record;
	return 0;
}

#define MAX_PROBLEMS_SHOWN 5

static int
on_problem(void *ctx, const struct store_problem_row *r)
{
	struct an_source *src = ctx;
	struct an_problem *p;

	src->probs = xrealloc(src->probs, (src->nprobs + 1) * sizeof(*src->probs));
	p = &src->probs[src->nprobs++];
	p->line = r->line;
	p->offset = r->offset;
	p->message = xstrdup0(r->message);
	return src->nprobs >= MAX_PROBLEMS_SHOWN;
}

/* Count a source on its computer (first DNS label, without case). */
static void
add_computer(struct analysis *a, const char *host)
{
	char key[64], other[64];
	size_t k;

	clock_host_key(host, key, sizeof(key));
	for (k = 0; k < a->ncomputers; k++) {
		clock_host_key(a->computers[k].name, other, sizeof(other));
		if (strcmp(key, other) == 0)
			break;
	}
	if (k == a->ncomputers) {
		a->computers = xrealloc(a->computers, (k + 1) * sizeof(*a->computers));
		a->computers[k].name = xstrndup(host, strcspn(host, "."));
		a->computers[k].files = 0;
		a->ncomputers++;
	}
	a->computers[k].files++;
}

static int
on_source(void *ctx, const struct store_source_row *r)
{
	struct load_ctx *lc = ctx;
	struct analysis *a = lc->a;
	struct an_source *src;

	GROW(a->sources, a->nsources, lc->cap);
	src = &a->sources[a->nsources++];
	memset(src, 0, sizeof(*src));
	src->path = xstrdup0(r->path);
	src->format = xstrdup0(r->format);
	src->encoding = xstrdup0(r->encoding);
	src->status = xstrdup0(r->status);
	src->reason = xstrdup0(r->reason);
	src->sha256 = xstrdup0(r->sha256);
	src->duplicate_of = xstrdup0(r->duplicate_of_path);
	src->first_time = xstrdup0(r->first_time);
	src->last_time = xstrdup0(r->last_time);
	src->host = xstrdup0(r->host);
	src->host_from = xstrdup0(r->host_from);
	src->clock = xstrdup0(r->clock);
	src->clock_from = xstrdup0(r->clock_from);
	if (r->has_offset && r->clock && strcmp(r->clock, "exact") != 0) {
		src->utc_offset = xmalloc(8);
		clock_offset_text(r->utc_offset, src->utc_offset);
	}
	if (r->host && strcmp(r->status, "parsed") == 0)
		add_computer(a, r->host);
	src->size = r->size;
	src->records = r->records;
	src->skipped = r->skipped;
	src->bytes_skipped = r->bytes_skipped;
	src->problems = r->problems;
	if (strcmp(r->status, "parsed") == 0) {
		a->nparsed++;
		a->nrecords += r->records;
	} else if (strcmp(r->status, "skipped") == 0) {
		a->nskipped++;
	} else if (strcmp(r->status, "duplicate") == 0) {
		a->nduplicate++;
	} else if (strcmp(r->status, "archive") == 0) {
		a->narchives++;
	} else {
		a->nfailed++;
	}
	if (r->problems && store_problems(lc->s, r->id, on_problem, src) < 0)
		return 1;
	return 0;
}

static int
on_episode_local(void *ctx, const struct store_span_row *r)
{
	struct analysis *a = ctx;

	for (size_t i = 0; i < a->nepisodes; i++) {
		struct an_episode *e = &a->episodes[i];

		if (e->path && strcmp(e->path, r->path) == 0 && !e->start) {
			e->first_local = xstrdup0(r->first_local);
			e->last_local = xstrdup0(r->last_local);
		}
	}
	return 0;
}

static int
on_errevent(void *ctx, const struct store_error_row *r)
{
	struct load_ctx *lc = ctx;
	struct analysis *a = lc->a;
	struct an_errevent *e;

	GROW(a->errevents, a->nerrevents, lc->cap);
	e = &a->errevents[a->nerrevents++];
	e->time = xstrdup0(r->time);
	e->level = xstrdup0(r->level);
	e->provider = xstrdup0(r->provider);
	e->path = xstrdup0(r->path);
	e->format = xstrdup0(r->format);
	e->message = xstrndup(r->message, strcspn(r->message, "\r\n"));
	e->event_id = r->event_id;
	e->line = r->line;
	e->record = r->record;
	return 0;
}

static void judge(struct analysis *a);

int
analysis_load(struct store *s, struct analysis *a)
{
	struct load_ctx lc = { a, s, 0 };

	memset(a, 0, sizeof(*a));
	a->current = store_analysis_current(s);
	if (read_values(s, a) != STORE_OK)
		return STORE_ERROR;
	if (store_facts(s, "component.package", on_component, &lc) != STORE_OK)
		return STORE_ERROR;
	if (!a->installed.value &&
	    store_facts(s, "component.installed", on_engine_state, &a->engine_absent) != STORE_OK)
		return STORE_ERROR;
	if (a->engine_absent.value && strcmp(a->engine_absent.value, "not installed") != 0)
		value_release(&a->engine_absent);
	lc.cap = 0;
	if (store_episodes(s, on_episode, &lc) != STORE_OK)
		return STORE_ERROR;
	store_spans(s, "trace", on_episode_local, a);
	if (installs_load(s, a) != STORE_OK || runs_load(s, a) != STORE_OK)
		return STORE_ERROR;
	lc.cap = 0;
	if (store_findings(s, on_finding, &lc) != STORE_OK)
		return STORE_ERROR;
	resolve_causes(a);
	lc.cap = 0;
	if (store_unexplained(s, on_unexplained, &lc) != STORE_OK || checks_load(s, a) != STORE_OK)
		return STORE_ERROR;
	lc.cap = 0;
	if (store_error_events(s, ERROR_EVENTS_MAX, &a->errevents_total, on_errevent, &lc) != STORE_OK)
		return STORE_ERROR;
	lc.cap = 0;
	if (store_sources(s, on_source, &lc) != STORE_OK)
		return STORE_ERROR;
	judge(a);
	return STORE_OK;
}

void
analysis_release(struct analysis *a)
{
	struct an_value *vals[] = { &a->installed, &a->target, &a->wizard, &a->engine_absent, &a->os_version,
				    &a->os_name, &a->dotnet_release, &a->dotnet_version, &a->tls12,
				    &a->server_config_version, &a->gui_version, &a->staging_mode,
				    &a->scheduler_suspended, &a->autoupgrade_state, &a->autoupgrade_reason,
				    &a->config_export_version, &a->config_export_time };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		value_release(vals[i]);
	for (size_t i = 0; i < a->ncomponents; i++) {
		free(a->components[i].name);
		free(a->components[i].version);
		free(a->components[i].path);
	}
	free(a->components);
	for (size_t i = 0; i < a->nepisodes; i++) {
		struct an_episode *e = &a->episodes[i];

		free(e->kind), free(e->label), free(e->path), free(e->start), free(e->end);
		free(e->time_q), free(e->outcome), free(e->first_local), free(e->last_local);
	}
	free(a->episodes);
	for (size_t i = 0; i < a->nfindings; i++) {
		struct an_finding *f = &a->findings[i];

		free(f->rule), free(f->title), free(f->severity), free(f->confidence);
		free(f->summary), free(f->remediation), free(f->time);
		free(f->kind), free(f->data), free(f->explained_by);
		free(f->stop_role), free(f->stop_run), free(f->stop_path), free(f->basis);
		for (size_t k = 0; k < f->nev; k++) {
			free(f->ev[k].path), free(f->ev[k].time), free(f->ev[k].note);
			free(f->ev[k].message), free(f->ev[k].format);
			for (size_t c = 0; c < f->ev[k].nctx; c++)
				free(f->ev[k].ctx[c].text);
			free(f->ev[k].ctx);
		}
		free(f->ev);
	}
	free(a->findings);
	for (size_t i = 0; i < a->nsources; i++) {
		struct an_source *src = &a->sources[i];

		free(src->path), free(src->format), free(src->encoding), free(src->status);
		free(src->reason), free(src->sha256), free(src->duplicate_of);
		free(src->first_time), free(src->last_time);
		free(src->host), free(src->host_from), free(src->utc_offset), free(src->clock);
		free(src->clock_from);
		for (size_t k = 0; k < src->nprobs; k++)
			free(src->probs[k].message);
		free(src->probs);
	}
	free(a->sources);
	for (size_t i = 0; i < a->ncomputers; i++)
		free(a->computers[i].name);
	free(a->computers);
	for (size_t i = 0; i < a->nunexplained; i++) {
		struct an_unexplained *u = &a->unexplained[i];

		free(u->template), free(u->example), free(u->format), free(u->provider);
		free(u->level), free(u->path), free(u->first_time);
	}
	free(a->unexplained);
	for (size_t i = 0; i < a->nerrevents; i++) {
		struct an_errevent *e = &a->errevents[i];

		free(e->time), free(e->level), free(e->provider), free(e->path), free(e->format);
		free(e->message);
	}
	free(a->errevents);
	installs_release(a);
	runs_release(a);
	checks_release(a);
	stops_release(a);
	free(a->judgement_basis);
	memset(a, 0, sizeof(*a));
}

/* What the case as a whole says: findings that need attention, positive
 * evidence of health, or neither. */
static void
judge(struct analysis *a)
{
	size_t ok_upgrades = 0;

	a->judgement = "not-enough-evidence";
	for (size_t i = 0; i < a->nfindings; i++) {
		const char *sev = a->findings[i].severity;

		if (strcmp(sev, "warning") == 0 || strcmp(sev, "error") == 0 || strcmp(sev, "critical") == 0) {
			a->judgement = "findings";
			a->judgement_basis = xasprintf("%s: %s", a->findings[i].rule, a->findings[i].title);
			return;
		}
	}
	for (size_t i = 0; i < a->nupgrades; i++)
		ok_upgrades += a->upgrades[i].outcome && !strcmp(a->upgrades[i].outcome, "succeeded");
	if (a->sync_verdict && (!strcmp(a->sync_verdict, "resumed") || !strcmp(a->sync_verdict, "resumed-staging"))) {
		a->judgement = "healthy";
		a->judgement_basis = xstrdup(ok_upgrades ? "the upgrade succeeded and every connector ran "
							   "successfully after it"
							 : "every connector's last runs succeeded");
	} else if (ok_upgrades && (!a->sync_verdict || strcmp(a->sync_verdict, "unknown") == 0)) {
		a->judgement = "healthy";
		a->judgement_basis = xstrdup("the upgrade succeeded; no run history or sync events say "
					     "whether sync resumed");
	} else {
		a->judgement_basis = xstrdup(a->nupgrades ? "no upgrade of the case is known to have succeeded "
							    "and no sync run shows health"
							  : "no upgrade attempt, no successful sync runs and nothing "
							    "else that shows health");
	}
}

enum ec_exit
analysis_exit_code(const struct analysis *a)
{
	if (a->nparsed == 0)
		return EC_EXIT_NOINPUT;
	if (a->judgement && !strcmp(a->judgement, "findings"))
		return EC_EXIT_FINDINGS;
	if (a->judgement && !strcmp(a->judgement, "healthy"))
		return EC_EXIT_HEALTHY;
	return EC_EXIT_UNKNOWN;
}

/* ---- analysing ---------------------------------------------------------- */

int
analyzer_run(struct store *s, const struct sig_set *ss)
{
	struct analysis a = { 0 };
	struct runs_ctx rc = { s, STORE_OK };
	struct sig_set *own = NULL;
	struct load_ctx lc = { &a, s, 0 };
	char buf[64];

	if (!ss) {
		char *err = NULL;

		own = sigset_new();
		if (sigset_add_builtin(own, &err) != 0) {
			/* tools/sigcheck.c checked them at build time */
			free(err);
			sigset_free(own);
			return STORE_ERROR;
		}
		sigset_finish(own);
		ss = own;
	}
	/* The times the analysis reads are on the case's one clock. */
	if (clock_settle(s, NULL) != STORE_OK || store_begin_analysis(s) != STORE_OK) {
		sigset_free(own);
		return STORE_ERROR;
	}
	if (store_spans(s, "trace", on_trace_span, &rc) != STORE_OK || rc.rc != STORE_OK)
		goto fail;
	/* Versions: the engine installed before the upgrade and the target. */
	if (read_values(s, &a) != STORE_OK)
		goto fail;
	if (store_episodes(s, on_episode, &lc) != STORE_OK || installs_load(s, &a) != STORE_OK ||
	    runs_load(s, &a) != STORE_OK)
		goto fail;
	/* Signatures first: the checks need to know what they explain. */
	if (stops_find(s, &a) != STORE_OK || scan_run(s, ss, &a) != STORE_OK ||
	    installs_analyze(s, &a) != STORE_OK || checks_run(s, &a) != STORE_OK ||
	    stops_classify(s, &a) != STORE_OK || rank_findings(s) != STORE_OK)
		goto fail;
	if (a.installed.value && store_add_fact(s, a.installed.source_id, 0, "case.installed_version",
						NULL, a.installed.value) != STORE_OK)
		goto fail;
	if (a.target.value && store_add_fact(s, 0, 0, "case.target_version", NULL, a.target.value) != STORE_OK)
		goto fail;
	if (a.os_version.value && windows_name(a.os_version.value) &&
	    store_add_fact(s, a.os_version.source_id, a.os_version.event_id, "os.name", NULL,
			   windows_name(a.os_version.value)) != STORE_OK)
		goto fail;
	if (a.dotnet_release.value && dotnet_version(atol(a.dotnet_release.value))) {
		snprintf(buf, sizeof(buf), "%s", dotnet_version(atol(a.dotnet_release.value)));
		if (store_add_fact(s, a.dotnet_release.source_id, a.dotnet_release.event_id,
				   "dotnet.version", NULL,
				   buf) != STORE_OK)
			goto fail;
	}
	analysis_release(&a);
	sigset_free(own);
	return store_end_analysis(s, true);
fail:
	analysis_release(&a);
	sigset_free(own);
	store_end_analysis(s, false);
	return STORE_ERROR;
}
