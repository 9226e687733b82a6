/* SPDX-License-Identifier: MIT */
/* report_json.c - the analysis as one JSON document (schema in
 * docs/REPORT-JSON.md; "report_schema" changes when fields change meaning). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "reports/report.h"

#define REPORT_SCHEMA 1

static cJSON *
str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void
add_value(cJSON *obj, const char *name, const struct an_value *v)
{
	cJSON *o = cJSON_AddObjectToObject(obj, name);

	cJSON_AddItemToObject(o, "value", str_or_null(v->value));
	cJSON_AddItemToObject(o, "path", str_or_null(v->path));
	if (v->line > 0)
		cJSON_AddNumberToObject(o, "line", (double)v->line);
	else
		cJSON_AddNullToObject(o, "line");
}

int
report_json(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *arr, *host;
	char *text;
	int rc;

	cJSON_AddNumberToObject(root, "report_schema", REPORT_SCHEMA);
	cJSON_AddStringToObject(root, "ecdiag_version", ECDIAG_VERSION);
	cJSON_AddItemToObject(root, "database", str_or_null(o->db_path));
	cJSON_AddBoolToObject(root, "analysis_current", a->current);
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

		cJSON_AddStringToObject(c, "name", a->components[i].name);
		cJSON_AddItemToObject(c, "version", str_or_null(a->components[i].version));
		cJSON_AddItemToObject(c, "path", str_or_null(a->components[i].path));
		cJSON_AddNumberToObject(c, "line", (double)a->components[i].line);
		cJSON_AddItemToArray(arr, c);
	}
	arr = cJSON_AddArrayToObject(root, "episodes");
	for (size_t i = 0; i < a->nepisodes; i++) {
		const struct an_episode *e = &a->episodes[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "kind", e->kind);
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
		if (e->first_error_line > 0)
			cJSON_AddNumberToObject(j, "first_error_line", (double)e->first_error_line);
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
		cJSON_AddStringToObject(j, "outcome", in->outcome);
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
			cJSON_AddNumberToObject(f, "line", (double)in->fail_line);
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
			cJSON_AddNumberToObject(f, "error_line", (double)in->error_line);
			{
				cJSON *c = cJSON_AddArrayToObject(f, "context");

				for (size_t k = 0; k < in->ncontext; k++) {
					cJSON *l = cJSON_CreateObject();

					cJSON_AddNumberToObject(l, "line", (double)in->context[k].line);
					cJSON_AddStringToObject(l, "text", in->context[k].text);
					cJSON_AddItemToArray(c, l);
				}
			}
		} else {
			cJSON_AddNullToObject(j, "first_failure");
		}
		cJSON_AddItemToObject(j, "trace", str_or_null(in->trace_path));
		cJSON_AddNumberToObject(j, "trace_line", (double)in->trace_line);
		cJSON_AddNumberToObject(j, "trace_error_line", (double)in->trace_error_line);
		cJSON_AddItemToObject(j, "missing_log", str_or_null(in->missing_log));
		cJSON_AddItemToArray(arr, j);
	}
	arr = cJSON_AddArrayToObject(root, "auto_upgrade");
	for (size_t i = 0; i < a->nautoupgrades; i++) {
		const struct an_autoupgrade *u = &a->autoupgrades[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddItemToObject(j, "code", str_or_null(u->code));
		cJSON_AddStringToObject(j, "kind", u->kind);
		cJSON_AddItemToObject(j, "time", str_or_null(u->time));
		cJSON_AddItemToObject(j, "path", str_or_null(u->path));
		cJSON_AddNumberToObject(j, "line", (double)u->line);
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
			cJSON_AddItemToArray(arr, j);
		}
		arr = cJSON_AddArrayToObject(root, "connectors");
		for (size_t i = 0; i < a->nconnectors; i++) {
			const struct an_connector *c = &a->connectors[i];
			cJSON *j = cJSON_CreateObject(), *b = NULL, *f = NULL;

			cJSON_AddStringToObject(j, "name", c->name);
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
	arr = cJSON_AddArrayToObject(root, "findings");
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct an_finding *f = &a->findings[i];
		cJSON *j = cJSON_CreateObject(), *ev;

		cJSON_AddStringToObject(j, "rule", f->rule);
		cJSON_AddStringToObject(j, "title", f->title);
		cJSON_AddStringToObject(j, "severity", f->severity);
		cJSON_AddStringToObject(j, "confidence", f->confidence);
		cJSON_AddItemToObject(j, "summary", str_or_null(f->summary));
		cJSON_AddItemToObject(j, "remediation", str_or_null(f->remediation));
		cJSON_AddItemToObject(j, "time", str_or_null(f->time));
		ev = cJSON_AddArrayToObject(j, "evidence");
		for (size_t k = 0; k < f->nev; k++) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddItemToObject(e, "path", str_or_null(f->ev[k].path));
			if (f->ev[k].line > 0)
				cJSON_AddNumberToObject(e, "line", (double)f->ev[k].line);
			cJSON_AddItemToObject(e, "time", str_or_null(f->ev[k].time));
			cJSON_AddItemToObject(e, "message", str_or_null(f->ev[k].message));
			cJSON_AddItemToArray(ev, e);
		}
		cJSON_AddItemToArray(arr, j);
	}
	arr = cJSON_AddArrayToObject(root, "sources");
	for (size_t i = 0; i < a->nsources; i++) {
		const struct an_source *s = &a->sources[i];
		cJSON *j = cJSON_CreateObject(), *pr;

		cJSON_AddStringToObject(j, "path", s->path);
		cJSON_AddStringToObject(j, "status", s->status);
		cJSON_AddItemToObject(j, "format", str_or_null(s->format));
		cJSON_AddItemToObject(j, "encoding", str_or_null(s->encoding));
		cJSON_AddItemToObject(j, "sha256", str_or_null(s->sha256));
		cJSON_AddNumberToObject(j, "records", (double)s->records);
		cJSON_AddNumberToObject(j, "skipped", (double)s->skipped);
		cJSON_AddItemToObject(j, "reason", str_or_null(s->reason));
		pr = cJSON_AddArrayToObject(j, "problems");
		for (size_t k = 0; k < s->nprobs; k++)
			cJSON_AddItemToArray(pr, cJSON_CreateString(s->probs[k].message));
		cJSON_AddItemToArray(arr, j);
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return -1;
	rc = fputs(text, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
	free(text);
	return rc;
}
