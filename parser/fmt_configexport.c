/* SPDX-License-Identifier: MIT */
/* fmt_configexport.c - Microsoft Entra Connect configuration exports (the
 * JSON settings files of "View or export current configuration",
 * Applied-SynchronizationPolicy-*.json, MigratedPolicy.json), and the API of
 * parser/configexport.h that reads them into rule summaries.
 *
 * The structure, from public sources (docs/FORMATS.md, "Configuration
 * exports"): an object with "policyMetadata" (type, author, timeCreated,
 * azureADConnectVersion), "deploymentMetadata" (hostName, serviceAccount,
 * database ..., connectorIds), "onpremisesDirectoryPolicy" (an array, one
 * entry per on-premises connector: friendlyName, fullyQualifiedDomainName,
 * uniqueIdentifier, partitionFilters, standardSynchronizationRules,
 * customSynchronizationRules) and "azureDirectoryPolicy" (one object, the
 * same two rule lists). A standard rule is a reference: name,
 * uniqueIdentifier, immutableTag, precedence. A custom rule carries its
 * content: name, description, direction, precedence, source, target,
 * linkType, scopeFilters, joinFilters, attributeMappings, identifiers.
 * Key names are matched without regard to case, and the nesting of filters
 * and flows is read in the shapes listed in docs/FORMATS.md.
 *
 * The input is read whole (at most CX_MAX_BYTES of text, 64 MiB; a bigger
 * one is refused with a problem) and parsed with cJSON. Rule lines are found
 * by searching the rule names in the text in document order. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/xalloc.h"
#include "parser/configexport.h"
#include "parser/parser.h"
#include "parser/textutil.h"

#define PROVIDER "configexport"
#define TEXT_MAX 65536		/* one rendered filter, flow or expression */
#define CX_PROBLEM_CAP 200	/* problems kept per export */

/* ---- the text of an input ------------------------------------------------------ */

void
cx_text_init(struct cx_text *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->text, max);
}

void
cx_text_release(struct cx_text *t)
{
	buf_release(&t->text);
	free(t->start);
	free(t->offset);
	memset(t, 0, sizeof(*t));
}

bool
cx_text_add(struct cx_text *t, const struct linereader *lr, struct sv line)
{
	if (t->too_big)
		return false;
	if (t->nlines == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->start = xrealloc(t->start, t->cap * sizeof(*t->start));
		t->offset = xrealloc(t->offset, t->cap * sizeof(*t->offset));
	}
	t->start[t->nlines] = t->text.len;
	t->offset[t->nlines] = lr->offset;
	t->nlines++;
	if (!buf_addsv(&t->text, line) || !buf_addc(&t->text, '\n')) {
		t->too_big = true;
		return false;
	}
	return true;
}

uint64_t
cx_text_line(const struct cx_text *t, size_t pos)
{
	size_t lo = 0, hi = t->nlines;

	if (!t->nlines)
		return 0;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->start[mid] <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return (uint64_t)lo + 1;
}

uint64_t
cx_text_offset(const struct cx_text *t, uint64_t line)
{
	if (line == 0 || line > t->nlines)
		return UINT64_MAX;
	return t->offset[line - 1];
}

uint64_t
cx_text_find_string(const struct cx_text *t, size_t *from, const char *s)
{
	size_t n = strlen(s);
	const char *p, *end;

	if (!s[0] || *from >= t->text.len)
		return 0;
	end = t->text.data + t->text.len;
	for (p = t->text.data + *from; (size_t)(end - p) >= n + 2; p++) {
		p = memchr(p, '"', (size_t)(end - p) - n - 1);
		if (!p)
			break;
		if (memcmp(p + 1, s, n) == 0 && p[n + 1] == '"') {
			size_t pos = (size_t)(p - t->text.data);

			*from = pos + n + 2;
			return cx_text_line(t, pos);
		}
	}
	return 0;
}

/* ---- small JSON helpers ---------------------------------------------------------- */

static const cJSON *
iget(const cJSON *o, const char *key)
{
	const cJSON *c;

	if (!cJSON_IsObject(o))
		return NULL;
	cJSON_ArrayForEach(c, o)
		if (c->string && strcasecmp(c->string, key) == 0)
			return c;
	return NULL;
}

/* The first of keys (NULL-terminated) that o has. */
static const cJSON *
iget_any(const cJSON *o, const char *const *keys)
{
	const cJSON *v;

	for (; *keys; keys++)
		if ((v = iget(o, *keys)) != NULL && !cJSON_IsNull(v))
			return v;
	return NULL;
}

/* A scalar as text: strings as they are, numbers in decimal, booleans True/False. */
static void
scalar(const cJSON *v, struct buf *out)
{
	if (!v)
		return;
	if (cJSON_IsString(v) && v->valuestring)
		buf_adds(out, v->valuestring);
	else if (cJSON_IsBool(v))
		buf_adds(out, cJSON_IsTrue(v) ? "True" : "False");
	else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d >= -9e15 && d <= 9e15 && d == (double)(int64_t)d)
			buf_add_i64(out, (int64_t)d);
		else
			buf_addf(out, "%.17g", d);
	}
}

static char *
sdup(const cJSON *v)
{
	struct buf b;
	char *s;

	buf_init(&b, TEXT_MAX);
	scalar(v, &b);
	s = buf_detach(&b, NULL);
	return s;
}

static char *
sdup_key(const cJSON *o, const char *const *keys)
{
	const cJSON *v = iget_any(o, keys);

	return (v && !cJSON_IsObject(v) && !cJSON_IsArray(v)) ? sdup(v) : xstrdup("");
}

/* True/False from a boolean, "True"/"False" or 1/0. */
static bool
boolean(const cJSON *v, bool *out)
{
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return true;
	}
	if (cJSON_IsString(v) && v->valuestring) {
		if (strcasecmp(v->valuestring, "true") == 0 || strcmp(v->valuestring, "1") == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v->valuestring, "false") == 0 || strcmp(v->valuestring, "0") == 0) {
			*out = false;
			return true;
		}
	}
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble != 0;
		return true;
	}
	return false;
}

static bool
integer(const cJSON *v, int64_t *out)
{
	char *end;

	if (cJSON_IsNumber(v) && v->valuedouble >= -9e15 && v->valuedouble <= 9e15) {
		*out = (int64_t)v->valuedouble;
		return true;
	}
	if (cJSON_IsString(v) && v->valuestring && v->valuestring[0]) {
		long long n;

		errno = 0;
		n = strtoll(v->valuestring, &end, 10);
		if (!errno && *end == '\0') {
			*out = n;
			return true;
		}
	}
	return false;
}

/* ---- the reader -------------------------------------------------------------------- */

struct reader {
	const struct cx_text *t;
	struct cx_export *x;
	size_t cursor;		/* where the next name is searched in the text */
	size_t crules, cconn, cprob;
};

static void
problem(struct reader *r, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
problem(struct reader *r, uint64_t line, const char *fmt, ...)
{
	struct cx_export *x = r->x;
	va_list ap;

	if (x->nproblems >= CX_PROBLEM_CAP)
		return;
	if (x->nproblems == r->cprob) {
		r->cprob = r->cprob ? 2 * r->cprob : 8;
		x->problems = xrealloc(x->problems, r->cprob * sizeof(*x->problems));
	}
	va_start(ap, fmt);
	x->problems[x->nproblems].message = xvasprintf(fmt, ap);
	va_end(ap);
	x->problems[x->nproblems++].line = line;
}

/* Locate a key or a value string in the text from the cursor. */
static uint64_t
locate(struct reader *r, const char *s)
{
	return s && s[0] ? cx_text_find_string(r->t, &r->cursor, s) : 0;
}

static const char *const k_scope_groups[] = { "scopeConditionList", "scopeConditions", "conditions",
					       "scopeFilter", NULL };
static const char *const k_join_groups[] = { "joinConditionList", "joinConditions", "conditions",
					      "joinFilter", NULL };

static void
scope_condition(const cJSON *c, struct buf *out)
{
	static const char *const attr[] = { "attribute", "attributeName", NULL };
	static const char *const op[] = { "condition", "comparisonOperator", "operator", NULL };
	static const char *const val[] = { "value", "comparisonValue", NULL };

	scalar(iget_any(c, attr), out);
	buf_addc(out, ' ');
	scalar(iget_any(c, op), out);
	buf_addc(out, ' ');
	scalar(iget_any(c, val), out);
}

static void
join_condition(const cJSON *c, struct buf *out)
{
	static const char *const cs[] = { "csAttribute", "sourceAttribute", "connectedSystemAttribute",
					  "source", NULL };
	static const char *const mv[] = { "mvAttribute", "metaverseAttribute", "targetAttribute",
					  "target", NULL };
	const cJSON *cv = iget(c, "caseSensitive");
	bool cased = false;

	scalar(iget_any(c, cs), out);
	buf_adds(out, " = ");
	scalar(iget_any(c, mv), out);
	if (cv && boolean(cv, &cased) && cased)
		buf_adds(out, " (case-sensitive)");
}

/* Is c a condition (not a group)? */
static bool
is_condition(const cJSON *c, bool join)
{
	if (!cJSON_IsObject(c))
		return false;
	if (join)
		return iget(c, "csAttribute") || iget(c, "mvAttribute") || iget(c, "sourceAttribute") ||
		       iget(c, "metaverseAttribute") || iget(c, "source");
	return iget(c, "attribute") || iget(c, "attributeName");
}

/* One group: an array of conditions, or an object holding one. */
static void
render_group(const cJSON *g, bool join, struct buf *out)
{
	const cJSON *list = cJSON_IsArray(g) ? g : iget_any(g, join ? k_join_groups : k_scope_groups);
	const cJSON *c;
	bool first = true;

	buf_addc(out, '(');
	if (cJSON_IsArray(list)) {
		cJSON_ArrayForEach(c, list) {
			if (!is_condition(c, join))
				continue;
			if (!first)
				buf_adds(out, " AND ");
			first = false;
			(join ? join_condition : scope_condition)(c, out);
		}
	} else if (is_condition(g, join)) {
		(join ? join_condition : scope_condition)(g, out);
	}
	buf_addc(out, ')');
}

/* Scoping filter or join rules as text; "" when there are none. Groups are
 * ORed (scoping) or tried in turn (join); a flat list of conditions is one
 * group. */
static char *
render_filter(const cJSON *v, bool join)
{
	struct buf out;
	const cJSON *c;
	bool flat = true, any = false;

	buf_init(&out, TEXT_MAX);
	if (!v || cJSON_IsNull(v))
		return buf_detach(&out, NULL);
	if (cJSON_IsString(v)) {
		buf_adds(&out, v->valuestring ? v->valuestring : "");
		return buf_detach(&out, NULL);
	}
	if (cJSON_IsObject(v)) {
		render_group(v, join, &out);
		return buf_detach(&out, NULL);
	}
	cJSON_ArrayForEach(c, v)
		if (!is_condition(c, join))
			flat = false;
	if (flat) {
		if (cJSON_GetArraySize(v) > 0)
			render_group(v, join, &out);
		return buf_detach(&out, NULL);
	}
	cJSON_ArrayForEach(c, v) {
		if (any)
			buf_adds(&out, join ? " ; " : " OR ");
		render_group(c, join, &out);
		any = true;
	}
	return buf_detach(&out, NULL);
}

static void
read_flow(const cJSON *m, struct cx_flow *f)
{
	static const char *const tgt[] = { "destination", "target", "targetAttribute", NULL };
	static const char *const typ[] = { "flowType", "mappingType", "type", NULL };
	static const char *const src[] = { "source", "sources", "sourceAttribute", NULL };
	const cJSON *s = iget_any(m, src), *e = iget(m, "expression"), *c;
	struct buf b;

	f->target = sdup_key(m, tgt);
	f->type = sdup_key(m, typ);
	buf_init(&b, TEXT_MAX);
	if (cJSON_IsString(e) && e->valuestring && e->valuestring[0]) {
		buf_adds(&b, e->valuestring);
	} else {
		bool constant = strcasecmp(f->type, "Constant") == 0;

		if (constant)
			buf_addc(&b, '"');
		if (cJSON_IsArray(s)) {
			bool first = true;

			cJSON_ArrayForEach(c, s) {
				if (!first)
					buf_addc(&b, ',');
				first = false;
				scalar(c, &b);
			}
		} else {
			scalar(s, &b);
		}
		if (constant)
			buf_addc(&b, '"');
	}
	f->source = buf_detach(&b, NULL);
	f->text = xasprintf("%s -> %s", f->source, f->target);
}

static const char *
direction_from_name(const char *name)
{
	if (strncasecmp(name, "In from ", 8) == 0)
		return "Inbound";
	if (strncasecmp(name, "Out to ", 7) == 0)
		return "Outbound";
	return "";
}

static void
read_rule(struct reader *r, const cJSON *o, enum cx_origin origin, const char *connector,
	  size_t index)
{
	static const char *const k_name[] = { "name", "displayName", NULL };
	static const char *const k_id[] = { "uniqueIdentifier", "identifier", "internalIdentifier", NULL };
	static const char *const k_src[] = { "sourceObjectType", "source", NULL };
	static const char *const k_tgt[] = { "targetObjectType", "target", NULL };
	static const char *const k_scope[] = { "scopeFilters", "scopeFilter", "scopingFilter",
					       "scopingFilters", NULL };
	static const char *const k_join[] = { "joinFilters", "joinFilter", "joinConditions", "joinRules",
					      NULL };
	static const char *const k_flows[] = { "attributeMappings", "attributeFlowMappings",
					       "attributeFlows", NULL };
	static const char *const k_dis[] = { "disabled", "isDisabled", NULL };
	static const char *const k_mod[] = { "modified", "isModified", NULL };
	const cJSON *name = iget_any(o, k_name), *v, *sc, *jn, *fl;
	struct cx_export *x = r->x;
	struct cx_rule *rule;
	bool b;

	if (!cJSON_IsObject(o)) {
		problem(r, 0, "%s rule %zu of connector '%s' is not an object: skipped",
			origin == CX_STANDARD ? "standard" : "custom", index + 1, connector);
		return;
	}
	if (!cJSON_IsString(name) || !name->valuestring || !name->valuestring[0]) {
		problem(r, 0, "%s rule %zu of connector '%s' has no name: skipped",
			origin == CX_STANDARD ? "standard" : "custom", index + 1, connector);
		return;
	}
	if (x->nrules == r->crules) {
		r->crules = r->crules ? 2 * r->crules : 64;
		x->rules = xrealloc(x->rules, r->crules * sizeof(*x->rules));
	}
	rule = &x->rules[x->nrules++];
	memset(rule, 0, sizeof(*rule));
	rule->origin = origin;
	rule->name = xstrdup(name->valuestring);
	rule->line = locate(r, rule->name);
	rule->identifier = sdup_key(o, k_id);
	rule->connector = xstrdup(connector);
	rule->direction = sdup_key(o, (const char *const[]){ "direction", NULL });
	if (!rule->direction[0]) {
		free(rule->direction);
		rule->direction = xstrdup(direction_from_name(rule->name));
	}
	rule->tag = sdup_key(o, (const char *const[]){ "immutableTag", NULL });
	rule->link_type = sdup_key(o, (const char *const[]){ "linkType", NULL });
	rule->source_type = sdup_key(o, k_src);
	rule->target_type = sdup_key(o, k_tgt);
	if ((v = iget(o, "precedence")) != NULL) {
		rule->has_precedence = integer(v, &rule->precedence);
		if (!rule->has_precedence)
			problem(r, rule->line, "rule '%s': precedence is not a number", rule->name);
	}
	if ((v = iget_any(o, k_dis)) != NULL && boolean(v, &b)) {
		rule->has_disabled = true;
		rule->disabled = b;
	}
	if ((v = iget_any(o, k_mod)) != NULL && boolean(v, &b))
		rule->modified = b;
	if ((v = iget(o, "isStandardRule")) != NULL && boolean(v, &b) && b)
		rule->is_default = true;
	sc = iget_any(o, k_scope);
	jn = iget_any(o, k_join);
	fl = iget_any(o, k_flows);
	rule->has_body = origin == CX_CUSTOM || sc || jn || fl;
	rule->scoping = render_filter(sc, false);
	rule->join = render_filter(jn, true);
	if (cJSON_IsArray(fl)) {
		const cJSON *m;
		size_t n = (size_t)cJSON_GetArraySize(fl), i = 0;

		rule->flows = xcalloc(n ? n : 1, sizeof(*rule->flows));
		cJSON_ArrayForEach(m, fl) {
			i++;
			if (!cJSON_IsObject(m)) {
				problem(r, rule->line, "rule '%s': attribute flow %zu is not an object",
					rule->name, i);
				continue;
			}
			read_flow(m, &rule->flows[rule->nflows++]);
		}
	} else if (fl && !cJSON_IsNull(fl)) {
		problem(r, rule->line, "rule '%s': attribute flows are not a list: not read", rule->name);
	}
}

static void
read_rules(struct reader *r, const cJSON *list, enum cx_origin origin, const char *connector)
{
	const cJSON *c;
	size_t i = 0;

	if (!list || cJSON_IsNull(list))
		return;
	if (!cJSON_IsArray(list)) {
		problem(r, 0, "the %s rules of connector '%s' are not a list: not read",
			origin == CX_STANDARD ? "standard" : "custom", connector);
		return;
	}
	cJSON_ArrayForEach(c, list)
		read_rule(r, c, origin, connector, i++);
}

/* One directory entry: a connector and its rules, read in document order. */
static void
read_directory(struct reader *r, const cJSON *d, const char *type, size_t index)
{
	static const char *const k_name[] = { "friendlyName", "fullyQualifiedDomainName", "name",
					      "connectorName", NULL };
	static const char *const k_id[] = { "uniqueIdentifier", "identifier", "connectorId", NULL };
	struct cx_export *x = r->x;
	struct cx_connector *cn;
	const cJSON *c;
	char *name;

	if (!cJSON_IsObject(d)) {
		problem(r, 0, "%s directory entry %zu is not an object: skipped", type, index + 1);
		return;
	}
	name = sdup_key(d, k_name);
	if (!name[0]) {
		free(name);
		name = strcmp(type, "AAD") == 0 ? xstrdup("AAD") : xasprintf("connector %zu", index + 1);
	}
	if (x->nconnectors == r->cconn) {
		r->cconn = r->cconn ? 2 * r->cconn : 8;
		x->connectors = xrealloc(x->connectors, r->cconn * sizeof(*x->connectors));
	}
	cn = &x->connectors[x->nconnectors++];
	cn->name = name;
	cn->type = xstrdup(type);
	cn->identifier = sdup_key(d, k_id);
	cn->line = locate(r, name);
	cJSON_ArrayForEach(c, d) {
		if (!c->string)
			continue;
		if (strcasecmp(c->string, "standardSynchronizationRules") == 0) {
			locate(r, c->string);
			read_rules(r, c, CX_STANDARD, name);
		} else if (strcasecmp(c->string, "customSynchronizationRules") == 0) {
			locate(r, c->string);
			read_rules(r, c, CX_CUSTOM, name);
		}
	}
}

static void
read_policy(struct reader *r, const cJSON *p, const char *type)
{
	const cJSON *c;
	size_t i = 0;

	if (cJSON_IsArray(p)) {
		cJSON_ArrayForEach(c, p)
			read_directory(r, c, type, i++);
	} else if (cJSON_IsObject(p)) {
		read_directory(r, p, type, 0);
	} else if (!cJSON_IsNull(p)) {
		problem(r, 0, "the %s directory policy is neither an object nor a list: not read",
			type);
	}
}

static char *
opt_str(const cJSON *o, const char *key)
{
	const cJSON *v = iget(o, key);

	return v && (cJSON_IsString(v) || cJSON_IsNumber(v)) ? sdup(v) : NULL;
}

/* Default rules: listed as standard, flagged isStandardRule, carrying a
 * Microsoft.* immutable tag, or named like a standard rule of the same
 * connector. Those listed as custom carry content: modified. */
static void
classify(struct cx_export *x)
{
	for (size_t i = 0; i < x->nrules; i++) {
		struct cx_rule *ru = &x->rules[i];

		if (ru->origin == CX_STANDARD) {
			ru->is_default = true;
			continue;
		}
		if (strncasecmp(ru->tag, "Microsoft.", 10) == 0)
			ru->is_default = true;
		for (size_t j = 0; !ru->is_default && j < x->nrules; j++) {
			const struct cx_rule *s = &x->rules[j];

			if (s->origin == CX_STANDARD && strcasecmp(s->name, ru->name) == 0 &&
			    strcasecmp(s->connector, ru->connector) == 0)
				ru->is_default = true;
		}
		if (ru->is_default)
			ru->modified = true;
	}
}

/* Does the text end inside a string, an object or an array? */
static bool
unclosed(const char *p, size_t n)
{
	long depth = 0;
	bool str = false;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
		} else if (c == '"') {
			str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return str || depth > 0;
}

/* Build x from the text. Returns 0, or -1 with *err (and *errline). */
static int
build(const struct cx_text *t, struct cx_export *x, char **err, uint64_t *errline)
{
	struct reader r;
	cJSON *root;
	const cJSON *c, *pm = NULL, *dm = NULL;
	bool onprem = false, azure = false;

	*errline = 0;
	{
		struct sv all = sv_trim(buf_sv(&t->text));

		if (!all.n || (all.p[0] != '{' && all.p[0] != '[')) {
			*errline = all.n ? cx_text_line(t, (size_t)(all.p - t->text.data)) : 0;
			*err = xstrdup(all.n ? "not a configuration export: not JSON"
					     : "not a configuration export: the file is empty");
			return -1;
		}
	}
	root = cJSON_ParseWithLength(t->text.data, t->text.len);
	if (!root) {
		const char *e = cJSON_GetErrorPtr();
		size_t pos = e && e >= t->text.data && e <= t->text.data + t->text.len ?
				     (size_t)(e - t->text.data) : t->text.len;

		*errline = cx_text_line(t, pos);
		*err = xasprintf("not valid JSON (at line %" PRIu64 ")%s", *errline,
				 unclosed(t->text.data, t->text.len) ? ": the file is cut off" : "");
		return -1;
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		*errline = 1;
		*err = xstrdup("not a configuration export: the JSON is not an object");
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.t = t;
	r.x = x;
	cJSON_ArrayForEach(c, root) {
		if (!c->string)
			continue;
		if (strcasecmp(c->string, "policyMetadata") == 0) {
			pm = c;
			x->metadata_line = locate(&r, c->string);
		} else if (strcasecmp(c->string, "deploymentMetadata") == 0) {
			dm = c;
		} else if (strcasecmp(c->string, "onpremisesDirectoryPolicy") == 0) {
			onprem = true;
			locate(&r, c->string);
			read_policy(&r, c, "AD");
		} else if (strcasecmp(c->string, "azureDirectoryPolicy") == 0) {
			azure = true;
			locate(&r, c->string);
			read_policy(&r, c, "AAD");
		}
	}
	if (!pm && !onprem && !azure) {
		cJSON_Delete(root);
		cx_release(x);
		*errline = 1;
		*err = xstrdup("not a configuration export: no policyMetadata, onpremisesDirectoryPolicy "
			       "or azureDirectoryPolicy");
		return -1;
	}
	if (pm) {
		x->export_time = opt_str(pm, "timeCreated");
		x->version = opt_str(pm, "azureADConnectVersion");
		x->type = opt_str(pm, "type");
		x->author = opt_str(pm, "author");
	}
	if (dm)
		x->host = opt_str(dm, "hostName");
	if (!onprem && !azure)
		problem(&r, x->metadata_line,
			"no synchronization rules in the file%s",
			x->type && strcasecmp(x->type, "migration") == 0 ?
				" (a MigratedPolicy.json holds metadata only: the rules are in the XML "
				"files of its Exported-ServerConfiguration folder)" : "");
	classify(x);
	cJSON_Delete(root);
	return 0;
}

/* ---- the API ------------------------------------------------------------------------ */

void
cx_release(struct cx_export *x)
{
	if (!x)
		return;
	free(x->export_time);
	free(x->version);
	free(x->type);
	free(x->author);
	free(x->host);
	for (size_t i = 0; i < x->nconnectors; i++) {
		free(x->connectors[i].name);
		free(x->connectors[i].type);
		free(x->connectors[i].identifier);
	}
	free(x->connectors);
	for (size_t i = 0; i < x->nrules; i++) {
		struct cx_rule *r = &x->rules[i];

		free(r->name);
		free(r->identifier);
		free(r->connector);
		free(r->direction);
		free(r->tag);
		free(r->link_type);
		free(r->source_type);
		free(r->target_type);
		free(r->scoping);
		free(r->join);
		for (size_t j = 0; j < r->nflows; j++) {
			free(r->flows[j].target);
			free(r->flows[j].source);
			free(r->flows[j].type);
			free(r->flows[j].text);
		}
		free(r->flows);
	}
	free(x->rules);
	for (size_t i = 0; i < x->nproblems; i++)
		free(x->problems[i].message);
	free(x->problems);
	memset(x, 0, sizeof(*x));
}

const char *
cx_rule_kind(const struct cx_rule *r)
{
	if (r->is_default)
		return r->modified ? "modified default" : "standard";
	return "custom";
}

/* Read a stream into t; -1 with *err when it cannot be. */
static int
slurp(struct linereader *lr, struct cx_text *t, char **err)
{
	struct sv line;
	int r;

	while ((r = lr_next(lr, &line)) > 0)
		if (!cx_text_add(t, lr, line)) {
			*err = xasprintf("larger than %zu MiB: not read", CX_MAX_BYTES >> 20);
			return -1;
		}
	if (r < 0) {
		const char *why = lr->in->error ? lr->in->error(lr->in->ctx) : NULL;

		*err = xasprintf("read error: %s", why ? why : "unknown");
		return -1;
	}
	return 0;
}

int
cx_read_stream(struct ec_stream *in, struct enc_guess enc, struct cx_export *x, char **err)
{
	struct linereader lr;
	struct cx_text t;
	uint64_t line;
	int rc;

	*err = NULL;
	cx_release(x);
	if (enc.enc == ENC_BINARY) {
		*err = xstrdup("not a configuration export: not text");
		return -1;
	}
	lr_init(&lr, in, enc.enc, enc.bom, CX_MAX_BYTES);
	cx_text_init(&t, CX_MAX_BYTES);
	rc = slurp(&lr, &t, err);
	if (rc == 0)
		rc = build(&t, x, err, &line);
	cx_text_release(&t);
	lr_release(&lr);
	return rc;
}

int
cx_read_mem(const void *p, size_t n, struct cx_export *x, char **err)
{
	struct memstream m;
	struct ec_stream s;

	memstream_init(&m, &s, p, n);
	return cx_read_stream(&s, enc_sniff(p, n < 65536 ? n : 65536), x, err);
}

struct filectx {
	FILE *f;
	int err;
};

static long
file_read(void *ctx, void *p, size_t n)
{
	struct filectx *fc = ctx;
	size_t got = fread(p, 1, n, fc->f);

	if (got == 0 && ferror(fc->f)) {
		fc->err = errno ? errno : EIO;
		return -1;
	}
	return (long)got;
}

static const char *
file_error(void *ctx)
{
	struct filectx *fc = ctx;

	return fc->err ? strerror(fc->err) : NULL;
}

int
cx_read_path(const char *path, struct cx_export *x, char **err)
{
	unsigned char head[65536];
	struct filectx fc = { NULL, 0 };
	struct ec_stream s;
	struct stat st;
	size_t n;
	int rc;

	*err = NULL;
	cx_release(x);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		*err = xstrdup("is a directory: give the export's JSON file (of an "
			       "Exported-ServerConfiguration folder, its MigratedPolicy.json)");
		return -1;
	}
	if ((fc.f = fopen(path, "rb")) == NULL) {
		*err = xasprintf("cannot open: %s", strerror(errno));
		return -1;
	}
	n = fread(head, 1, sizeof(head), fc.f);
	if (ferror(fc.f) || fseek(fc.f, 0, SEEK_SET) != 0) {
		*err = xasprintf("read error: %s", strerror(errno ? errno : EIO));
		fclose(fc.f);
		return -1;
	}
	s.read = file_read;
	s.error = file_error;
	s.ctx = &fc;
	rc = cx_read_stream(&s, enc_sniff(head, n), x, err);
	fclose(fc.f);
	return rc;
}

/* ---- the format ----------------------------------------------------------------------- */

static int
event(const struct ec_sink *sink, uint64_t line, uint64_t offset, struct sv msg,
      const struct ec_kv *kv, size_t nkv)
{
	struct ec_event ev;

	if (!sink->event)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.line = line;
	ev.offset = offset == UINT64_MAX ? 0 : offset;
	ev.tod_ms = -1;
	ev.timeq = TQ_NONE;
	ev.level = LVL_INFO;
	ev.provider = sv_cstr(PROVIDER);
	ev.event_id = -1;
	ev.message = msg;
	ev.data = kv;
	ev.ndata = nkv;
	return sink->event(sink->ctx, &ev);
}

static int
emit_metadata(const struct ec_sink *sink, const struct cx_text *t, const struct cx_export *x)
{
	struct buf msg;
	struct ec_kv kv[4];
	size_t n = 0;
	int rc;

	if (!x->export_time && !x->version && !x->type)
		return 0;
	buf_init(&msg, 4096);
	buf_adds(&msg, "policyMetadata:");
	if (x->type) {
		buf_addf(&msg, " type=%s", x->type);
		kv[n++] = (struct ec_kv){ SV_LIT("type"), sv_cstr(x->type) };
	}
	if (x->export_time) {
		buf_addf(&msg, " timeCreated=%s", x->export_time);
		kv[n++] = (struct ec_kv){ SV_LIT("timeCreated"), sv_cstr(x->export_time) };
	}
	if (x->version) {
		buf_addf(&msg, " azureADConnectVersion=%s", x->version);
		kv[n++] = (struct ec_kv){ SV_LIT("azureADConnectVersion"), sv_cstr(x->version) };
	}
	if (x->host) {
		buf_addf(&msg, " hostName=%s", x->host);
		kv[n++] = (struct ec_kv){ SV_LIT("hostName"), sv_cstr(x->host) };
	}
	rc = event(sink, x->metadata_line, cx_text_offset(t, x->metadata_line), buf_sv(&msg), kv, n);
	buf_release(&msg);
	if (!rc && x->export_time)
		rc = ec_fact_report(sink, "config.export_time", SV_NULL, sv_cstr(x->export_time), true);
	if (!rc && x->version)
		rc = ec_fact_report(sink, "config.exported_from_version", SV_NULL, sv_cstr(x->version),
				    true);
	if (!rc && x->type)
		rc = ec_fact_report(sink, "config.export_type", SV_NULL, sv_cstr(x->type), true);
	if (!rc && x->host && *x->host)
		rc = ec_fact_report(sink, "host.name", SV_NULL, sv_cstr(x->host), true);
	return rc;
}

static int
emit_rule(const struct ec_sink *sink, const struct cx_text *t, const struct cx_rule *r)
{
	struct buf msg, val;
	struct ec_kv kv[7];
	char prec[24];
	size_t n = 0;
	int rc;

	if (r->has_precedence)
		snprintf(prec, sizeof(prec), "%" PRId64, r->precedence);
	else
		snprintf(prec, sizeof(prec), "?");
	buf_init(&msg, 8192);
	buf_init(&val, 8192);
	buf_addf(&msg, "sync rule '%s' (%s, %s, precedence %s%s%s%s) on %s", r->name,
		 r->direction[0] ? r->direction : "direction unknown", cx_rule_kind(r), prec,
		 r->tag[0] ? ", " : "", r->tag, r->has_disabled && r->disabled ? ", disabled" : "",
		 r->connector);
	kv[n++] = (struct ec_kv){ SV_LIT("connector"), sv_cstr(r->connector) };
	kv[n++] = (struct ec_kv){ SV_LIT("direction"), sv_cstr(r->direction) };
	kv[n++] = (struct ec_kv){ SV_LIT("precedence"), sv_cstr(prec) };
	kv[n++] = (struct ec_kv){ SV_LIT("kind"), sv_cstr(cx_rule_kind(r)) };
	if (r->tag[0])
		kv[n++] = (struct ec_kv){ SV_LIT("immutableTag"), sv_cstr(r->tag) };
	if (r->identifier[0])
		kv[n++] = (struct ec_kv){ SV_LIT("identifier"), sv_cstr(r->identifier) };
	if (r->has_disabled)
		kv[n++] = (struct ec_kv){ SV_LIT("disabled"), sv_cstr(r->disabled ? "True" : "False") };
	rc = event(sink, r->line, cx_text_offset(t, r->line), buf_sv(&msg), kv, n);
	buf_addf(&val, "direction=%s precedence=%s %s", r->direction[0] ? r->direction : "?", prec,
		 r->is_default ? "default" : "custom");
	if (r->is_default && r->modified)
		buf_adds(&val, " modified");
	if (r->has_disabled && r->disabled)
		buf_adds(&val, " disabled");
	if (!rc)
		rc = ec_fact_report(sink, "config.sync_rule", sv_cstr(r->name), buf_sv(&val), true);
	buf_release(&val);
	buf_release(&msg);
	return rc;
}

static int
configexport_parse(const struct ec_input *inp)
{
	const struct ec_sink *sink = inp->sink;
	struct linereader lr;
	struct cx_text t;
	struct cx_export x;
	struct sv line;
	uint64_t problems = 0, errline;
	char *err = NULL;
	bool has_nul;
	int r, rc = 0;

	memset(&x, 0, sizeof(x));
	lr_init(&lr, inp->in, inp->enc.enc, inp->enc.bom, CX_MAX_BYTES);
	cx_text_init(&t, CX_MAX_BYTES);
	while ((r = lr_next(&lr, &line)) > 0) {
		has_nul = line.n && memchr(line.p, 0, line.n);
		if ((lr.nul_bytes || lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&lr, sink, has_nul, &problems)) != 0)
			goto out;
		if (!cx_text_add(&t, &lr, line)) {
			rc = ec_problemf(sink, lr.lineno, lr.offset, 0, 0,
					 "larger than %zu MiB: not read", CX_MAX_BYTES >> 20);
			r = 0;
			goto out;
		}
	}
	if (r < 0)
		goto out;
	if (build(&t, &x, &err, &errline) != 0) {
		rc = ec_problemf(sink, errline, cx_text_offset(&t, errline), 0, 0, "%s: nothing read",
				 err);
		free(err);
		goto out;
	}
	if ((rc = emit_metadata(sink, &t, &x)) != 0)
		goto out;
	for (size_t i = 0; i < x.nconnectors; i++) {
		const struct cx_connector *c = &x.connectors[i];
		struct ec_kv kv[2] = { { SV_LIT("type"), sv_cstr(c->type) },
				       { SV_LIT("identifier"), sv_cstr(c->identifier) } };
		char *msg = xasprintf("connector '%s' (%s)", c->name, c->type);

		rc = event(sink, c->line, cx_text_offset(&t, c->line), sv_cstr(msg), kv,
			   c->identifier[0] ? 2 : 1);
		free(msg);
		if (!rc)
			rc = ec_fact_report(sink, "config.connector", sv_cstr(c->name), sv_cstr(c->type),
					    true);
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < x.nrules; i++)
		if ((rc = emit_rule(sink, &t, &x.rules[i])) != 0)
			goto out;
	for (size_t i = 0; i < x.nproblems; i++)
		if ((rc = ec_problemf(sink, x.problems[i].line, cx_text_offset(&t, x.problems[i].line),
				      0, 0, "%s", x.problems[i].message)) != 0)
			goto out;
out:
	if (!rc)
		rc = text_finish(&lr, sink, problems, r);
	cx_release(&x);
	cx_text_release(&t);
	lr_release(&lr);
	return rc;
}

/* 90 for a JSON object whose first 64 KiB name onpremisesDirectoryPolicy,
 * azureDirectoryPolicy, or policyMetadata with deploymentMetadata or
 * azureADConnectVersion. */
static int
configexport_sniff(const struct ec_sniff *s)
{
	struct sv v;

	if (!s->text)
		return 0;
	v = sv_trim(sv_make(s->text, s->text_len));
	if (v.n >= 3 && memcmp(v.p, "\xEF\xBB\xBF", 3) == 0)
		v = sv_trim(sv_make(v.p + 3, v.n - 3));
	if (!v.n || v.p[0] != '{')
		return 0;
	if (sv_ifind(v, "\"onpremisesDirectoryPolicy\"") >= 0 ||
	    sv_ifind(v, "\"azureDirectoryPolicy\"") >= 0)
		return 90;
	if (sv_ifind(v, "\"policyMetadata\"") >= 0 &&
	    (sv_ifind(v, "\"deploymentMetadata\"") >= 0 ||
	     sv_ifind(v, "\"azureADConnectVersion\"") >= 0))
		return 90;
	return 0;
}

const struct ec_format fmt_configexport = {
	.name = "configexport",
	.title = "Entra Connect configuration export (settings JSON)",
	.identifies = "a JSON object with onpremisesDirectoryPolicy / azureDirectoryPolicy, or "
		      "policyMetadata with deploymentMetadata (MigratedPolicy.json)",
	.binary = false,
	.sniff = configexport_sniff,
	.parse = configexport_parse,
};
