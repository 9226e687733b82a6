/* SPDX-License-Identifier: MIT */
/* report_configdiff.c - 'ecdiag config-diff' output, text and JSON: renders
 * a struct cd_result (analyzer/configdiff.h), decides nothing. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyzer/configdiff.h"
#include "reports/report.h"

#define SHOW_MAX 4000		/* longest value shown in text */

static void
esc(FILE *out, const char *s)
{
	report_put_escaped(out, s ? s : "", SHOW_MAX);
}

static void
put_export(FILE *out, const char *label, const char *path, const struct cx_export *x)
{
	fprintf(out, "  %-7s ", label);
	esc(out, path);
	fputc('\n', out);
	fputs("          ", out);
	if (x->export_time || x->version) {
		fputs("exported", out);
		if (x->export_time) {
			fputs(" ", out);
			esc(out, x->export_time);
		}
		if (x->version) {
			fputs(" by version ", out);
			esc(out, x->version);
		}
		if (x->type) {
			fputs(" (", out);
			esc(out, x->type);
			fputs(")", out);
		}
		fputs(", ", out);
	}
	fprintf(out, "%zu rule%s on %zu connector%s\n", x->nrules, x->nrules == 1 ? "" : "s",
		x->nconnectors, x->nconnectors == 1 ? "" : "s");
}

/* "name  [Inbound, contoso.com]" */
static void
put_rule_head(FILE *out, char mark, const struct cx_rule *r)
{
	fprintf(out, "  %c ", mark);
	esc(out, r->name);
	fputs("  [", out);
	esc(out, r->direction[0] ? r->direction : "direction unknown");
	fputs(", ", out);
	esc(out, r->connector);
	fputs("]\n", out);
}

/* "modified default, precedence 50, Microsoft.X.005, disabled, 3 attribute flows" */
static void
put_rule_line(FILE *out, const struct cx_rule *r)
{
	fputs(cx_rule_kind(r), out);
	if (r->has_precedence)
		fprintf(out, ", precedence %" PRId64, r->precedence);
	if (r->tag[0]) {
		fputs(", ", out);
		esc(out, r->tag);
	}
	if (r->has_disabled && r->disabled)
		fputs(", disabled", out);
	if (r->has_body)
		fprintf(out, ", %zu attribute flow%s", r->nflows, r->nflows == 1 ? "" : "s");
	fputc('\n', out);
}

static void
put_changes(FILE *out, const struct cd_item *it)
{
	for (size_t i = 0; i < it->nchanges; i++) {
		const struct cd_change *c = &it->changes[i];

		fprintf(out, "    %-14s ", c->what);
		if (strncmp(c->what, "flow ", 5) == 0) {
			/* flows: only the side that exists, or both when changed */
			if (strcmp(c->what, "flow changed") == 0) {
				esc(out, c->before);
				fputs("  =>  ", out);
				esc(out, c->after);
			} else {
				esc(out, c->before[0] ? c->before : c->after);
			}
		} else {
			esc(out, c->before[0] ? c->before : "(none)");
			fputs(" -> ", out);
			esc(out, c->after[0] ? c->after : "(none)");
		}
		fputc('\n', out);
	}
	if (it->content_not_compared)
		fputs("    (scoping, join and attribute flows not compared: one side is a standard rule, "
		      "which the export lists without its content)\n", out);
}

/* The content of a modified default that is gone: what to re-create. */
static void
put_content(FILE *out, const struct cx_rule *r)
{
	if (!r->has_body)
		return;
	fputs("    your version of it (before), to re-create as a custom rule if you still need it:\n",
	      out);
	if (r->scoping[0]) {
		fputs("      scoping  ", out);
		esc(out, r->scoping);
		fputc('\n', out);
	}
	if (r->join[0]) {
		fputs("      join     ", out);
		esc(out, r->join);
		fputc('\n', out);
	}
	for (size_t i = 0; i < r->nflows; i++) {
		fputs("      flow     ", out);
		esc(out, r->flows[i].text);
		if (r->flows[i].type[0]) {
			fputs(" (", out);
			esc(out, r->flows[i].type);
			fputc(')', out);
		}
		fputc('\n', out);
	}
}

static void
section(FILE *out, const char *title, size_t n)
{
	fprintf(out, "\n%s (%zu)\n", title, n);
}

/* Changed and removed rules other than the replaced defaults (which have
 * their own section and count). */
static void
count(const struct cd_result *r, size_t *changed, size_t *removed)
{
	*changed = *removed = 0;
	for (size_t i = 0; i < r->nitems; i++) {
		if (r->items[i].replaced_default)
			continue;
		*changed += r->items[i].kind == CD_CHANGED;
		*removed += r->items[i].kind == CD_REMOVED;
	}
}

int
report_configdiff_text(FILE *out, const struct cx_export *before, const struct cx_export *after,
		       const struct cd_result *r, const char *before_path, const char *after_path)
{
	size_t changed, removed;

	fputs("config-diff\n", out);
	put_export(out, "before:", before_path, before);
	put_export(out, "after:", after_path, after);
	if (r->nitems == 0) {
		fprintf(out, "\nno differences in the synchronization rules (%zu rule%s in both)\n",
			r->same, r->same == 1 ? "" : "s");
		return ferror(out) ? -1 : 0;
	}
	count(r, &changed, &removed);
	fprintf(out, "summary: %zu replaced customisation%s of default rules, %zu changed, "
		     "%zu removed, %zu added, %zu unchanged\n",
		r->replaced, r->replaced == 1 ? "" : "s", changed, removed, r->added, r->same);

	if (r->replaced) {
		section(out, "REPLACED CUSTOMISATIONS OF DEFAULT RULES", r->replaced);
		for (size_t i = 0; i < r->nitems; i++) {
			const struct cd_item *it = &r->items[i];

			if (!it->replaced_default)
				continue;
			put_rule_head(out, '!', it->before);
			fputs("    a default (out-of-box) rule you had modified was replaced by the new "
			      "version's default\n", out);
			fputs("    before: ", out);
			put_rule_line(out, it->before);
			fputs("    after:  ", out);
			put_rule_line(out, it->replaced_by);
			put_changes(out, it);
			put_content(out, it->before);
		}
	}
	if (changed) {
		section(out, "CHANGED", changed);
		for (size_t i = 0; i < r->nitems; i++) {
			const struct cd_item *it = &r->items[i];

			if (it->kind != CD_CHANGED || it->replaced_default)
				continue;
			put_rule_head(out, '~', it->after);
			put_changes(out, it);
		}
	}
	if (removed) {
		section(out, "REMOVED", removed);
		for (size_t i = 0; i < r->nitems; i++) {
			const struct cd_item *it = &r->items[i];

			if (it->kind != CD_REMOVED || it->replaced_default)
				continue;
			put_rule_head(out, '-', it->before);
			fputs("    ", out);
			put_rule_line(out, it->before);
		}
	}
	if (r->added) {
		section(out, "ADDED", r->added);
		for (size_t i = 0; i < r->nitems; i++) {
			const struct cd_item *it = &r->items[i];

			if (it->kind != CD_ADDED)
				continue;
			put_rule_head(out, '+', it->after);
			fputs("    ", out);
			put_rule_line(out, it->after);
		}
	}
	return ferror(out) ? -1 : 0;
}

/* ---- JSON ---------------------------------------------------------------------- */

static cJSON *
json_export(const char *path, const struct cx_export *x)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "path", path);
	if (x->export_time)
		cJSON_AddStringToObject(o, "export_time", x->export_time);
	else
		cJSON_AddNullToObject(o, "export_time");
	if (x->version)
		cJSON_AddStringToObject(o, "exported_from_version", x->version);
	else
		cJSON_AddNullToObject(o, "exported_from_version");
	if (x->type)
		cJSON_AddStringToObject(o, "type", x->type);
	cJSON_AddNumberToObject(o, "rules", (double)x->nrules);
	cJSON_AddNumberToObject(o, "connectors", (double)x->nconnectors);
	return o;
}

static cJSON *
json_rule(const struct cx_rule *r)
{
	cJSON *o = cJSON_CreateObject(), *fl;

	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "connector", r->connector);
	cJSON_AddStringToObject(o, "direction", r->direction);
	cJSON_AddStringToObject(o, "kind", cx_rule_kind(r));
	if (r->has_precedence)
		cJSON_AddNumberToObject(o, "precedence", (double)r->precedence);
	else
		cJSON_AddNullToObject(o, "precedence");
	cJSON_AddStringToObject(o, "immutable_tag", r->tag);
	cJSON_AddStringToObject(o, "identifier", r->identifier);
	if (r->has_disabled)
		cJSON_AddBoolToObject(o, "disabled", r->disabled);
	else
		cJSON_AddNullToObject(o, "disabled");
	if (r->has_body) {
		cJSON_AddStringToObject(o, "scoping", r->scoping);
		cJSON_AddStringToObject(o, "join", r->join);
		fl = cJSON_AddArrayToObject(o, "attribute_flows");
		for (size_t i = 0; i < r->nflows; i++)
			cJSON_AddItemToArray(fl, cJSON_CreateString(r->flows[i].text));
	}
	cJSON_AddNumberToObject(o, "line", (double)r->line);
	return o;
}

int
report_configdiff_json(FILE *out, const struct cx_export *before, const struct cx_export *after,
		       const struct cd_result *r, const char *before_path, const char *after_path)
{
	static const char *const kinds[] = { "changed", "removed", "added" };
	cJSON *root = cJSON_CreateObject(), *sum, *diffs;
	char *text;
	size_t changed, removed;
	int rc = 0;

	count(r, &changed, &removed);
	cJSON_AddItemToObject(root, "before", json_export(before_path, before));
	cJSON_AddItemToObject(root, "after", json_export(after_path, after));
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "replaced_defaults", (double)r->replaced);
	cJSON_AddNumberToObject(sum, "changed", (double)changed);
	cJSON_AddNumberToObject(sum, "removed", (double)removed);
	cJSON_AddNumberToObject(sum, "added", (double)r->added);
	cJSON_AddNumberToObject(sum, "unchanged", (double)r->same);
	diffs = cJSON_AddArrayToObject(root, "differences");
	for (size_t i = 0; i < r->nitems; i++) {
		const struct cd_item *it = &r->items[i];
		const struct cx_rule *ru = it->after ? it->after : it->before;
		cJSON *d = cJSON_CreateObject(), *ch;

		cJSON_AddStringToObject(d, "kind", kinds[it->kind]);
		cJSON_AddStringToObject(d, "name", ru->name);
		cJSON_AddStringToObject(d, "connector", ru->connector);
		cJSON_AddStringToObject(d, "direction", ru->direction);
		cJSON_AddBoolToObject(d, "replaced_default", it->replaced_default);
		if (it->before)
			cJSON_AddItemToObject(d, "before", json_rule(it->before));
		else
			cJSON_AddNullToObject(d, "before");
		if (it->after)
			cJSON_AddItemToObject(d, "after", json_rule(it->after));
		else
			cJSON_AddNullToObject(d, "after");
		if (it->replaced_by && !it->after)
			cJSON_AddItemToObject(d, "replaced_by", json_rule(it->replaced_by));
		cJSON_AddBoolToObject(d, "content_compared", !it->content_not_compared);
		ch = cJSON_AddArrayToObject(d, "changes");
		for (size_t j = 0; j < it->nchanges; j++) {
			cJSON *c = cJSON_CreateObject();

			cJSON_AddStringToObject(c, "what", it->changes[j].what);
			cJSON_AddStringToObject(c, "before", it->changes[j].before);
			cJSON_AddStringToObject(c, "after", it->changes[j].after);
			cJSON_AddItemToArray(ch, c);
		}
		cJSON_AddItemToArray(diffs, d);
	}
	text = cJSON_Print(root);
	if (!text || fputs(text, out) == EOF || fputc('\n', out) == EOF)
		rc = -1;
	free(text);
	cJSON_Delete(root);
	if (ferror(out))
		rc = -1;
	return rc;
}
