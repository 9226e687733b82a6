/* SPDX-License-Identifier: MIT */
/* report_json.c - the analysis as one JSON document (docs/REPORT-SCHEMA.md,
 * docs/report.schema.json). "schema" changes when a member changes type or
 * meaning; within a schema number members are only added. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

#include "analyzer/timeline.h"
#include "common/encoding.h"
#include "reports/report.h"

#define REPORT_SCHEMA 2
#define MESSAGE_MAX 300		/* characters of an evidence message */
#define CONTEXT_MAX 2000	/* characters of a context record */

/* A JSON string of s: invalid UTF-8 becomes U+FFFD (cJSON escapes the
 * rest); with one_line, only up to the first line break; at most max
 * characters (0: no limit). NULL and "" (unknown) give null. */
static cJSON *
jtext(const char *s, bool one_line, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, o = 0, chars = 0;
	uint32_t cp;
	char *buf;
	cJSON *j;

	if (!s || !*s)
		return cJSON_CreateNull();
	len = strlen(s);
	if (max && len > max * 4)
		len = max * 4;		/* max characters are at most 4 bytes each */
	buf = xmalloc(len * 3 + 1);
	while (*p && (!max || chars < max)) {
		size_t n;

		if (one_line && (*p == '\n' || *p == '\r'))
			break;
		n = utf8_seq(p, 4, &cp);
		if (n) {
			memcpy(buf + o, p, n);
			o += n, p += n;
		} else {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3, p++;
		}
		chars++;
	}
	buf[o] = '\0';
	j = o ? cJSON_CreateString(buf) : cJSON_CreateNull();
	free(buf);
	return j;
}

static cJSON *
str_or_null(const char *s)
{
	return jtext(s, false, 0);
}

/* Line numbers and record ids: null unless positive. */
static cJSON *
pos_or_null(int64_t v)
{
	return v > 0 ? cJSON_CreateNumber((double)v) : cJSON_CreateNull();
}

/* Counts, seconds and offsets: null when negative (unknown). */
static cJSON *
count_or_null(int64_t v)
{
	return v >= 0 ? cJSON_CreateNumber((double)v) : cJSON_CreateNull();
}

static void
add_value(cJSON *obj, const char *name, const struct an_value *v)
{
	cJSON *o = cJSON_AddObjectToObject(obj, name);

	cJSON_AddItemToObject(o, "value", str_or_null(v->value));
	cJSON_AddItemToObject(o, "path", str_or_null(v->path));
	cJSON_AddItemToObject(o, "line", pos_or_null(v->line));
}

/* An enumerated value the analyzer left unset is its "unknown" word. */
static cJSON *
enum_or(const char *s, const char *unknown)
{
	return cJSON_CreateString(s && *s ? s : unknown);
}

/* references and captures from a finding's data (a JSON object). */
static void
add_data(cJSON *j, const char *data)
{
	cJSON *d = data ? cJSON_Parse(data) : NULL;
	cJSON *refs = cJSON_AddArrayToObject(j, "references");
	cJSON *caps = cJSON_AddObjectToObject(j, "captures");
	cJSON *it;

	if (!cJSON_IsObject(d)) {
		cJSON_Delete(d);
		return;
	}
	it = cJSON_GetObjectItemCaseSensitive(d, "references");
	if (cJSON_IsArray(it)) {
		cJSON *r;

		cJSON_ArrayForEach(r, it)
			if (cJSON_IsString(r) && r->valuestring[0])
				cJSON_AddItemToArray(refs, str_or_null(r->valuestring));
	}
	it = cJSON_GetObjectItemCaseSensitive(d, "captures");
	if (cJSON_IsObject(it)) {
		cJSON *c;

		cJSON_ArrayForEach(c, it) {
			if (!c->string || cJSON_GetObjectItemCaseSensitive(caps, c->string))
				continue;
			if (cJSON_IsString(c)) {
				cJSON_AddItemToObject(caps, c->string, jtext(c->valuestring, false, 0));
			} else if (cJSON_IsNumber(c)) {
				char *t = cJSON_PrintUnformatted(c);

				if (t)
					cJSON_AddItemToObject(caps, c->string, cJSON_CreateString(t));
				free(t);
			}
		}
	}
	cJSON_Delete(d);
}

static void
add_findings(cJSON *root, const struct analysis *a)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "findings");

	for (size_t i = 0; i < a->nfindings; i++) {
		const struct an_finding *f = &a->findings[i];
		cJSON *j = cJSON_CreateObject(), *ev, *ex;

		cJSON_AddItemToObject(j, "id", str_or_null(f->rule));
		cJSON_AddItemToObject(j, "rule", str_or_null(f->rule));
		cJSON_AddNumberToObject(j, "rank", (double)(f->rank > 0 ? f->rank : (int64_t)i + 1));
		cJSON_AddItemToObject(j, "kind", enum_or(f->kind, "check"));
		cJSON_AddItemToObject(j, "severity", str_or_null(f->severity));
		cJSON_AddItemToObject(j, "confidence", str_or_null(f->confidence));
		cJSON_AddItemToObject(j, "title", str_or_null(f->title));
		cJSON_AddItemToObject(j, "summary", str_or_null(f->summary));
		cJSON_AddItemToObject(j, "remediation", str_or_null(f->remediation));
		cJSON_AddItemToObject(j, "time", str_or_null(f->time));
		cJSON_AddItemToObject(j, "explained_by", str_or_null(f->explained_by));
		ex = cJSON_AddArrayToObject(j, "explains");
		for (size_t k = 0; k < a->nfindings; k++) {
			const struct an_finding *g = &a->findings[k];
			const cJSON *x;
			bool seen = false;

			if (k == i || !f->rule || !g->rule || !*g->rule || !g->explained_by ||
			    strcmp(g->explained_by, f->rule) != 0)
				continue;
			cJSON_ArrayForEach(x, ex)
				seen = seen || strcmp(x->valuestring, g->rule) == 0;
			if (!seen)
				cJSON_AddItemToArray(ex, cJSON_CreateString(g->rule));
		}
		add_data(j, f->data);
		cJSON_AddItemToObject(j, "basis", enum_or(f->basis, "logs"));
		if (f->stop_role && *f->stop_role) {
			cJSON *st = cJSON_AddObjectToObject(j, "stop");

			cJSON_AddItemToObject(st, "role", str_or_null(f->stop_role));
			cJSON_AddItemToObject(st, "run", str_or_null(f->stop_run));
			cJSON_AddItemToObject(st, "path", str_or_null(f->stop_path));
			cJSON_AddItemToObject(st, "line", pos_or_null(f->stop_line));
		} else {
			cJSON_AddNullToObject(j, "stop");
		}
		ev = cJSON_AddArrayToObject(j, "evidence");
		for (size_t k = 0; k < f->nev; k++) {
			const struct an_evidence *e = &f->ev[k];
			cJSON *o = cJSON_CreateObject();

			cJSON_AddItemToObject(o, "path", str_or_null(e->path));
			cJSON_AddItemToObject(o, "line", pos_or_null(e->line));
			cJSON_AddItemToObject(o, "record", pos_or_null(e->record));
			cJSON_AddItemToObject(o, "format", str_or_null(e->format));
			cJSON_AddItemToObject(o, "time", str_or_null(e->time));
			cJSON_AddItemToObject(o, "note", str_or_null(e->note));
			cJSON_AddBoolToObject(o, "part_of_failure", e->context);
			cJSON_AddItemToObject(o, "message", jtext(e->message, true, MESSAGE_MAX));
			if (e->nctx) {
				cJSON *ctx = cJSON_AddArrayToObject(o, "context");

				for (size_t c = 0; c < e->nctx; c++) {
					cJSON *l = cJSON_CreateObject();

					cJSON_AddItemToObject(l, "line", pos_or_null(e->ctx[c].line));
					cJSON_AddItemToObject(l, "text", jtext(e->ctx[c].text, false, CONTEXT_MAX));
					cJSON_AddBoolToObject(l, "self", c == e->self);
					cJSON_AddItemToArray(ctx, l);
				}
			}
			cJSON_AddItemToArray(ev, o);
		}
		cJSON_AddItemToArray(arr, j);
	}
}

/* The timeline (analyzer/timeline.c): what the HTML report draws. */
static void
add_timeline(cJSON *root, const struct analysis *a)
{
	struct timeline t;
	cJSON *tl = cJSON_AddObjectToObject(root, "timeline"), *lanes, *items;

	timeline_build(a, &t);
	lanes = cJSON_AddArrayToObject(tl, "lanes");
	for (size_t i = 0; i < t.nlanes; i++)
		cJSON_AddItemToArray(lanes, jtext(t.lanes[i].name, true, 0));
	items = cJSON_AddArrayToObject(tl, "items");
	for (size_t i = 0; i < t.nitems; i++) {
		const struct tl_item *it = &t.items[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "kind", tl_kind_name(it->kind));
		cJSON_AddItemToObject(o, "lane", jtext(t.lanes[it->lane].name, true, 0));
		cJSON_AddItemToObject(o, "start", str_or_null(it->start));
		cJSON_AddItemToObject(o, "end", str_or_null(it->end));
		cJSON_AddStringToObject(o, "status", tl_status_name(it->status));
		cJSON_AddItemToObject(o, "label", jtext(it->label, true, MESSAGE_MAX));
		cJSON_AddItemToObject(o, "detail", jtext(it->detail, true, MESSAGE_MAX));
		cJSON_AddItemToObject(o, "path", str_or_null(it->path));
		cJSON_AddItemToObject(o, "line", pos_or_null(it->line));
		cJSON_AddItemToObject(o, "record", pos_or_null(it->record));
		cJSON_AddItemToArray(items, o);
	}
	cJSON_AddNumberToObject(tl, "unplaced", (double)t.unplaced);
	cJSON_AddNumberToObject(tl, "error_events", (double)t.errors_total);
	timeline_release(&t);
}

static void
add_upgrades(cJSON *root, const struct analysis *a)
{
	static const char *const names[PHASES] = { "baseline", "backup", "upgrade", "verify" };
	cJSON *arr = cJSON_AddArrayToObject(root, "upgrades");

	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];
		cJSON *j = cJSON_CreateObject(), *p, *ph;

		cJSON_AddItemToObject(j, "from", str_or_null(u->from));
		cJSON_AddItemToObject(j, "to", str_or_null(u->to));
		cJSON_AddItemToObject(j, "outcome", enum_or(u->outcome, "unknown"));
		cJSON_AddItemToObject(j, "started", str_or_null(u->started));
		cJSON_AddItemToObject(j, "ended", str_or_null(u->ended));
		cJSON_AddItemToObject(j, "path", str_or_null(u->path));
		cJSON_AddItemToObject(j, "line", pos_or_null(u->line));
		p = cJSON_AddObjectToObject(j, "sync_paused");
		cJSON_AddItemToObject(p, "from", str_or_null(u->pause_start));
		cJSON_AddItemToObject(p, "to", str_or_null(u->pause_end));
		cJSON_AddItemToObject(p, "seconds", count_or_null(u->pause_seconds));
		ph = cJSON_AddObjectToObject(j, "phases");
		for (int k = 0; k < PHASES; k++) {
			const struct an_phase *x = &u->phases[k];
			cJSON *o = cJSON_AddObjectToObject(ph, names[k]);

			cJSON_AddItemToObject(o, "state", enum_or(x->state, "unknown"));
			cJSON_AddItemToObject(o, "time", str_or_null(x->time));
			cJSON_AddItemToObject(o, "path", str_or_null(x->path));
			cJSON_AddItemToObject(o, "line", pos_or_null(x->line));
			cJSON_AddItemToObject(o, "detail", str_or_null(x->detail));
		}
		cJSON_AddItemToArray(arr, j);
	}
}

static void
add_sync(cJSON *root, const struct analysis *a)
{
	cJSON *s = cJSON_AddObjectToObject(root, "sync");
	cJSON *arr;

	cJSON_AddItemToObject(s, "verdict", enum_or(a->sync_verdict, "unknown"));
	arr = cJSON_AddArrayToObject(s, "connectors");
	for (size_t i = 0; i < a->nsyncs; i++) {
		const struct an_sync *c = &a->syncs[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddItemToObject(j, "name", str_or_null(c->connector));
		cJSON_AddItemToObject(j, "verdict", enum_or(c->verdict, "unknown"));
		cJSON_AddItemToObject(j, "basis", enum_or(c->basis, "none"));
		cJSON_AddItemToObject(j, "import", str_or_null(c->import_time));
		cJSON_AddItemToObject(j, "sync", str_or_null(c->sync_time));
		cJSON_AddItemToObject(j, "export", str_or_null(c->export_time));
		cJSON_AddItemToObject(j, "resumed", str_or_null(c->resumed_time));
		cJSON_AddItemToObject(j, "seconds_to_resume", count_or_null(c->seconds_to_resume));
		cJSON_AddItemToObject(j, "runs_after", count_or_null(c->runs_after));
		cJSON_AddItemToObject(j, "failed_after", count_or_null(c->failed_after));
		cJSON_AddItemToObject(j, "note", str_or_null(c->note));
		cJSON_AddItemToObject(j, "path", str_or_null(c->path));
		cJSON_AddItemToObject(j, "line", pos_or_null(c->line));
		cJSON_AddItemToArray(arr, j);
	}
}

static void
add_missing_unexplained(cJSON *root, const struct analysis *a)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "missing_evidence");

	for (size_t i = 0; i < a->nmissing; i++) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddItemToObject(j, "question", str_or_null(a->missing[i].question));
		cJSON_AddItemToObject(j, "collect", str_or_null(a->missing[i].collect));
		cJSON_AddItemToObject(j, "how", str_or_null(a->missing[i].how));
		cJSON_AddItemToArray(arr, j);
	}
	arr = cJSON_AddArrayToObject(root, "unexplained");
	for (size_t i = 0; i < a->nunexplained; i++) {
		const struct an_unexplained *u = &a->unexplained[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddItemToObject(j, "template", str_or_null(u->template));
		cJSON_AddNumberToObject(j, "count", (double)(u->count > 0 ? u->count : 0));
		cJSON_AddNumberToObject(j, "sources", (double)(u->sources > 0 ? u->sources : 0));
		cJSON_AddItemToObject(j, "example", str_or_null(u->example));
		cJSON_AddItemToObject(j, "format", str_or_null(u->format));
		cJSON_AddItemToObject(j, "provider", str_or_null(u->provider));
		cJSON_AddItemToObject(j, "level", str_or_null(u->level));
		cJSON_AddItemToObject(j, "first_time", str_or_null(u->first_time));
		cJSON_AddItemToObject(j, "path", str_or_null(u->path));
		cJSON_AddItemToObject(j, "line", pos_or_null(u->line));
		cJSON_AddItemToObject(j, "record", pos_or_null(u->record));
		cJSON_AddItemToArray(arr, j);
	}
}

static void
add_sources(cJSON *root, const struct analysis *a)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "sources");

	for (size_t i = 0; i < a->nsources; i++) {
		const struct an_source *s = &a->sources[i];
		cJSON *j = cJSON_CreateObject(), *pr;

		cJSON_AddItemToObject(j, "path", str_or_null(s->path));
		cJSON_AddItemToObject(j, "format", str_or_null(s->format));
		cJSON_AddItemToObject(j, "encoding", str_or_null(s->encoding));
		cJSON_AddItemToObject(j, "status", str_or_null(s->status));
		cJSON_AddItemToObject(j, "reason", str_or_null(s->reason));
		cJSON_AddItemToObject(j, "sha256", str_or_null(s->sha256));
		cJSON_AddItemToObject(j, "size", count_or_null(s->size));
		cJSON_AddNumberToObject(j, "records", (double)(s->records > 0 ? s->records : 0));
		cJSON_AddNumberToObject(j, "skipped", (double)(s->skipped > 0 ? s->skipped : 0));
		cJSON_AddNumberToObject(j, "bytes_skipped", (double)(s->bytes_skipped > 0 ? s->bytes_skipped : 0));
		cJSON_AddNumberToObject(j, "problems", (double)(s->problems > 0 ? s->problems : 0));
		cJSON_AddItemToObject(j, "first_time", str_or_null(s->first_time));
		cJSON_AddItemToObject(j, "last_time", str_or_null(s->last_time));
		cJSON_AddItemToObject(j, "duplicate_of", str_or_null(s->duplicate_of));
		cJSON_AddItemToObject(j, "computer", str_or_null(s->host));
		cJSON_AddItemToObject(j, "computer_from", str_or_null(s->host_from));
		cJSON_AddItemToObject(j, "clock", str_or_null(s->clock));
		cJSON_AddItemToObject(j, "utc_offset", str_or_null(s->utc_offset));
		cJSON_AddItemToObject(j, "clock_from", str_or_null(s->clock_from));
		pr = cJSON_AddArrayToObject(j, "problems_shown");
		for (size_t k = 0; k < s->nprobs; k++) {
			cJSON *p = cJSON_CreateObject();

			cJSON_AddItemToObject(p, "line", pos_or_null(s->probs[k].line));
			cJSON_AddItemToObject(p, "offset", count_or_null(s->probs[k].offset));
			cJSON_AddItemToObject(p, "message", str_or_null(s->probs[k].message));
			cJSON_AddItemToArray(pr, p);
		}
		cJSON_AddItemToArray(arr, j);
	}
}

int
report_json(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *arr, *host;
	char *text;
	int rc;

	cJSON_AddNumberToObject(root, "schema", REPORT_SCHEMA);
	cJSON_AddNumberToObject(root, "report_schema", REPORT_SCHEMA);
	cJSON_AddStringToObject(root, "ecdiag_version", ECDIAG_VERSION);
	cJSON_AddItemToObject(root, "database", str_or_null(o->db_path));
	cJSON_AddBoolToObject(root, "analysis_current", a->current);
	{
		cJSON *jd = cJSON_AddObjectToObject(root, "judgement");

		cJSON_AddItemToObject(jd, "state", enum_or(a->judgement, "not-enough-evidence"));
		cJSON_AddItemToObject(jd, "basis", str_or_null(a->judgement_basis));
		cJSON_AddNumberToObject(jd, "exit_code", analysis_exit_code(a));
	}
	add_value(root, "installed_version", &a->installed);
	add_value(root, "target_version", &a->target);
	add_value(root, "wizard_version", &a->wizard);
	add_value(root, "engine_absent", &a->engine_absent);
	host = cJSON_AddObjectToObject(root, "host");
	add_value(host, "os_version", &a->os_version);
	add_value(host, "os_name", &a->os_name);
	add_value(host, "dotnet_release", &a->dotnet_release);
	add_value(host, "dotnet_version", &a->dotnet_version);
	add_value(host, "tls12", &a->tls12);
	arr = cJSON_AddArrayToObject(host, "components");
	for (size_t i = 0; i < a->ncomponents; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddItemToObject(c, "name", str_or_null(a->components[i].name));
		cJSON_AddItemToObject(c, "version", str_or_null(a->components[i].version));
		cJSON_AddItemToObject(c, "path", str_or_null(a->components[i].path));
		cJSON_AddItemToObject(c, "line", pos_or_null(a->components[i].line));
		cJSON_AddItemToArray(arr, c);
	}
	arr = cJSON_AddArrayToObject(root, "computers");
	for (size_t i = 0; i < a->ncomputers; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddItemToObject(c, "name", str_or_null(a->computers[i].name));
		cJSON_AddNumberToObject(c, "files", (double)a->computers[i].files);
		cJSON_AddItemToArray(arr, c);
	}
	arr = cJSON_AddArrayToObject(root, "episodes");
	for (size_t i = 0; i < a->nepisodes; i++) {
		const struct an_episode *e = &a->episodes[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddItemToObject(j, "kind", str_or_null(e->kind));
		cJSON_AddItemToObject(j, "label", str_or_null(e->label));
		cJSON_AddItemToObject(j, "path", str_or_null(e->path));
		cJSON_AddItemToObject(j, "start", str_or_null(e->start));
		cJSON_AddItemToObject(j, "end", str_or_null(e->end));
		cJSON_AddItemToObject(j, "start_local", str_or_null(e->first_local));
		cJSON_AddItemToObject(j, "end_local", str_or_null(e->last_local));
		cJSON_AddItemToObject(j, "time_quality", str_or_null(e->time_q));
		cJSON_AddItemToObject(j, "outcome", str_or_null(e->outcome));
		cJSON_AddNumberToObject(j, "errors", (double)e->errors);
		cJSON_AddNumberToObject(j, "warnings", (double)e->warnings);
		cJSON_AddItemToObject(j, "first_error_line", pos_or_null(e->first_error_line));
		cJSON_AddItemToArray(arr, j);
	}
	{
		cJSON *g = cJSON_AddObjectToObject(root, "settings");

		add_value(g, "server_configuration_version", &a->server_config_version);
		add_value(g, "gui_version", &a->gui_version);
		add_value(g, "staging_mode", &a->staging_mode);
		add_value(g, "scheduler_suspended", &a->scheduler_suspended);
		add_value(g, "autoupgrade_state", &a->autoupgrade_state);
		add_value(g, "autoupgrade_suspension_reason", &a->autoupgrade_reason);
		add_value(g, "config_export_version", &a->config_export_version);
		add_value(g, "config_export_time", &a->config_export_time);
	}
	arr = cJSON_AddArrayToObject(root, "installs");
	for (size_t i = 0; i < a->ninstalls; i++) {
		const struct an_install *in = &a->installs[i];
		cJSON *j = cJSON_CreateObject(), *f;

		cJSON_AddItemToObject(j, "path", str_or_null(in->path));
		cJSON_AddNumberToObject(j, "session", (double)in->session);
		cJSON_AddItemToObject(j, "product", str_or_null(in->product));
		cJSON_AddItemToObject(j, "version", str_or_null(in->version));
		cJSON_AddItemToObject(j, "package", str_or_null(in->package));
		cJSON_AddItemToObject(j, "outcome", str_or_null(in->outcome));
		if (in->status >= 0)
			cJSON_AddNumberToObject(j, "status", (double)in->status);
		else
			cJSON_AddNullToObject(j, "status");
		cJSON_AddItemToObject(j, "status_text",
				      str_or_null(in->status >= 0 ? msi_status_text(in->status) : NULL));
		cJSON_AddItemToObject(j, "result", str_or_null(in->result));
		cJSON_AddItemToObject(j, "start", str_or_null(in->start));
		cJSON_AddItemToObject(j, "end", str_or_null(in->end));
		cJSON_AddItemToObject(j, "start_local", str_or_null(in->start_local));
		cJSON_AddItemToObject(j, "end_local", str_or_null(in->end_local));
		cJSON_AddItemToObject(j, "time_quality", str_or_null(in->time_q));
		cJSON_AddItemToObject(j, "utc_offset", str_or_null(in->offset));
		cJSON_AddBoolToObject(j, "log_complete", in->footer);
		if (in->fail_action || in->ca_name || in->error_number >= 0) {
			f = cJSON_AddObjectToObject(j, "first_failure");
			cJSON_AddItemToObject(f, "action", str_or_null(in->fail_action));
			cJSON_AddItemToObject(f, "time", str_or_null(in->fail_time));
			cJSON_AddItemToObject(f, "time_local", str_or_null(in->fail_local));
			cJSON_AddItemToObject(f, "line", pos_or_null(in->fail_line));
			cJSON_AddItemToObject(f, "custom_action", str_or_null(in->ca_name));
			if (in->ca_name)
				cJSON_AddNumberToObject(f, "custom_action_error", (double)in->ca_error);
			else
				cJSON_AddNullToObject(f, "custom_action_error");
			if (in->error_number >= 0)
				cJSON_AddNumberToObject(f, "error_number", (double)in->error_number);
			else
				cJSON_AddNullToObject(f, "error_number");
			cJSON_AddItemToObject(f, "error_text", str_or_null(in->error_text));
			cJSON_AddItemToObject(f, "error_line", pos_or_null(in->error_line));
			{
				cJSON *c = cJSON_AddArrayToObject(f, "context");

				for (size_t k = 0; k < in->ncontext; k++) {
					cJSON *l = cJSON_CreateObject();

					cJSON_AddItemToObject(l, "line", pos_or_null(in->context[k].line));
					cJSON_AddItemToObject(l, "text", str_or_null(in->context[k].text));
					cJSON_AddItemToArray(c, l);
				}
			}
		} else {
			cJSON_AddNullToObject(j, "first_failure");
		}
		cJSON_AddItemToObject(j, "trace", str_or_null(in->trace_path));
		cJSON_AddItemToObject(j, "trace_line", pos_or_null(in->trace_line));
		cJSON_AddItemToObject(j, "trace_error_line", pos_or_null(in->trace_error_line));
		cJSON_AddItemToObject(j, "missing_log", str_or_null(in->missing_log));
		cJSON_AddItemToArray(arr, j);
	}
	arr = cJSON_AddArrayToObject(root, "auto_upgrade");
	for (size_t i = 0; i < a->nautoupgrades; i++) {
		const struct an_autoupgrade *u = &a->autoupgrades[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddItemToObject(j, "code", str_or_null(u->code));
		cJSON_AddItemToObject(j, "kind", str_or_null(u->kind));
		cJSON_AddItemToObject(j, "time", str_or_null(u->time));
		cJSON_AddItemToObject(j, "path", str_or_null(u->path));
		cJSON_AddItemToObject(j, "line", pos_or_null(u->line));
		cJSON_AddItemToArray(arr, j);
	}
	{
		static const char *const kinds[RUN_KINDS] = { "import", "sync", "export" };
		cJSON *w = cJSON_AddObjectToObject(root, "upgrade_window");

		cJSON_AddItemToObject(w, "start", str_or_null(a->window_start));
		cJSON_AddItemToObject(w, "end", str_or_null(a->window_end));
		cJSON_AddItemToObject(w, "from", str_or_null(a->window_from));
		cJSON_AddNumberToObject(root, "runs_total", (double)a->runs_total);
		arr = cJSON_AddArrayToObject(root, "runs");
		for (size_t i = 0; i < a->nruns; i++) {
			const struct an_run *r = &a->runs[i];
			cJSON *j = cJSON_CreateObject();

			cJSON_AddItemToObject(j, "connector", str_or_null(r->connector));
			cJSON_AddItemToObject(j, "profile", str_or_null(r->profile));
			if (r->run_number >= 0)
				cJSON_AddNumberToObject(j, "run_number", (double)r->run_number);
			else
				cJSON_AddNullToObject(j, "run_number");
			cJSON_AddItemToObject(j, "steps", str_or_null(r->kinds));
			cJSON_AddItemToObject(j, "start", str_or_null(r->start));
			cJSON_AddItemToObject(j, "end", str_or_null(r->end));
			cJSON_AddItemToObject(j, "result", str_or_null(r->result));
			cJSON_AddItemToObject(j, "result_class", str_or_null(r->result_class));
			cJSON_AddNumberToObject(j, "errors", (double)r->errors);
			cJSON_AddItemToObject(j, "connection_result", str_or_null(r->connection));
			cJSON_AddBoolToObject(j, "after_upgrade", r->after_window);
			cJSON_AddItemToObject(j, "path", str_or_null(r->path));
			cJSON_AddItemToObject(j, "line", pos_or_null(r->line));
			cJSON_AddItemToArray(arr, j);
		}
		arr = cJSON_AddArrayToObject(root, "connectors");
		for (size_t i = 0; i < a->nconnectors; i++) {
			const struct an_connector *c = &a->connectors[i];
			cJSON *j = cJSON_CreateObject(), *b = NULL, *f = NULL;

			cJSON_AddItemToObject(j, "name", str_or_null(c->name));
			cJSON_AddNumberToObject(j, "runs", (double)c->runs);
			cJSON_AddNumberToObject(j, "runs_after_upgrade", (double)c->runs_after);
			cJSON_AddNumberToObject(j, "failed_after_upgrade", (double)c->failed_after);
			b = cJSON_AddObjectToObject(j, "last_success_before");
			f = cJSON_AddObjectToObject(j, "first_success_after");
			for (int k = 0; k < RUN_KINDS; k++) {
				const struct an_run_ref *x[2] = { &c->before[k], &c->after[k] };
				cJSON *dst[2] = { b, f };

				for (int m = 0; m < 2; m++) {
					if (x[m]->present) {
						cJSON *ref = cJSON_AddObjectToObject(dst[m], kinds[k]);

						cJSON_AddItemToObject(ref, "time", str_or_null(x[m]->time));
						cJSON_AddItemToObject(ref, "profile", str_or_null(x[m]->profile));
						cJSON_AddItemToObject(ref, "result", str_or_null(x[m]->result));
					} else {
						cJSON_AddNullToObject(dst[m], kinds[k]);
					}
				}
			}
			cJSON_AddItemToArray(arr, j);
		}
	}
	add_findings(root, a);
	add_upgrades(root, a);
	add_sync(root, a);
	add_missing_unexplained(root, a);
	add_sources(root, a);
	add_timeline(root, a);
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return -1;
	rc = fputs(text, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
	free(text);
	return rc;
}
