/* SPDX-License-Identifier: MIT */
/* configdiff.c - sync rules of two configuration exports compared
 * (configdiff.h says how rules are matched and what is flagged). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/configdiff.h"
#include "common/xalloc.h"

struct builder {
	struct cd_result *r;
	size_t cap;
};

static struct cd_item *
add_item(struct builder *b, enum cd_kind kind, const struct cx_rule *before,
	 const struct cx_rule *after)
{
	struct cd_result *r = b->r;
	struct cd_item *it;

	if (r->nitems == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		r->items = xrealloc(r->items, b->cap * sizeof(*r->items));
	}
	it = &r->items[r->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->before = before;
	it->after = after;
	return it;
}

static void
add_change(struct cd_item *it, size_t *cap, const char *what, char *before, char *after)
{
	if (it->nchanges == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		it->changes = xrealloc(it->changes, *cap * sizeof(*it->changes));
	}
	it->changes[it->nchanges].what = what;
	it->changes[it->nchanges].before = before;
	it->changes[it->nchanges].after = after;
	it->nchanges++;
}

static bool
same_key(const struct cx_rule *a, const struct cx_rule *b)
{
	return strcasecmp(a->name, b->name) == 0 && strcasecmp(a->connector, b->connector) == 0 &&
	       strcasecmp(a->direction, b->direction) == 0;
}

static char *
prec_text(const struct cx_rule *r)
{
	return r->has_precedence ? xasprintf("%" PRId64, r->precedence) : xstrdup("");
}

static bool
is_disabled(const struct cx_rule *r)
{
	return r->has_disabled && r->disabled;
}

/* A flow as shown in a change: "source -> target", with its type when it
 * is not Direct. */
static char *
flow_text(const struct cx_flow *f)
{
	if (f->type[0] && strcasecmp(f->type, "Direct") != 0)
		return xasprintf("%s (%s)", f->text, f->type);
	return xstrdup(f->text);
}

static void
compare_flows(struct cd_item *it, size_t *cap, const struct cx_rule *b, const struct cx_rule *a)
{
	bool *used = xcalloc(a->nflows ? a->nflows : 1, sizeof(*used));

	for (size_t i = 0; i < b->nflows; i++) {
		const struct cx_flow *fb = &b->flows[i];
		size_t k = a->nflows;

		/* the same flow first, then any flow to the same target */
		for (size_t j = 0; j < a->nflows && k == a->nflows; j++)
			if (!used[j] && strcasecmp(fb->target, a->flows[j].target) == 0 &&
			    strcmp(fb->source, a->flows[j].source) == 0)
				k = j;
		for (size_t j = 0; j < a->nflows && k == a->nflows; j++)
			if (!used[j] && strcasecmp(fb->target, a->flows[j].target) == 0)
				k = j;
		if (k == a->nflows) {
			add_change(it, cap, "flow removed", flow_text(fb), xstrdup(""));
			continue;
		}
		used[k] = true;
		{
			char *tb = flow_text(fb), *ta = flow_text(&a->flows[k]);

			if (strcmp(tb, ta) != 0) {
				add_change(it, cap, "flow changed", tb, ta);
			} else {
				free(tb);
				free(ta);
			}
		}
	}
	for (size_t j = 0; j < a->nflows; j++)
		if (!used[j])
			add_change(it, cap, "flow added", xstrdup(""), flow_text(&a->flows[j]));
	free(used);
}

static void
compare_text(struct cd_item *it, size_t *cap, const char *what, const char *b, const char *a)
{
	if (strcmp(b, a) != 0)
		add_change(it, cap, what, xstrdup(b), xstrdup(a));
}

/* The differences of a matched pair; false (and nothing added) if none. */
static bool
compare(struct builder *bd, const struct cx_rule *b, const struct cx_rule *a)
{
	struct cd_item tmp, *it;
	size_t cap = 0;
	bool replaced = b->is_default && b->modified && a->is_default && !a->modified;

	memset(&tmp, 0, sizeof(tmp));
	compare_text(&tmp, &cap, "name", b->name, a->name);
	compare_text(&tmp, &cap, "kind", cx_rule_kind(b), cx_rule_kind(a));
	if (b->has_precedence != a->has_precedence ||
	    (b->has_precedence && b->precedence != a->precedence))
		add_change(&tmp, &cap, "precedence", prec_text(b), prec_text(a));
	compare_text(&tmp, &cap, "immutable tag", b->tag, a->tag);
	if ((b->has_disabled || a->has_disabled) && is_disabled(b) != is_disabled(a))
		add_change(&tmp, &cap, "disabled", xstrdup(is_disabled(b) ? "True" : "False"),
			   xstrdup(is_disabled(a) ? "True" : "False"));
	if (b->has_body && a->has_body) {
		char *ob = xasprintf("%s -> %s", b->source_type, b->target_type);
		char *oa = xasprintf("%s -> %s", a->source_type, a->target_type);

		compare_text(&tmp, &cap, "link type", b->link_type, a->link_type);
		compare_text(&tmp, &cap, "object types", ob, oa);
		free(ob);
		free(oa);
		compare_text(&tmp, &cap, "scoping", b->scoping, a->scoping);
		compare_text(&tmp, &cap, "join", b->join, a->join);
		compare_flows(&tmp, &cap, b, a);
	} else if (b->has_body != a->has_body) {
		tmp.content_not_compared = true;
	}
	if (!tmp.nchanges && !replaced) {
		free(tmp.changes);
		return false;
	}
	it = add_item(bd, CD_CHANGED, b, a);
	it->changes = tmp.changes;
	it->nchanges = tmp.nchanges;
	it->content_not_compared = tmp.content_not_compared;
	it->replaced_default = replaced;
	if (replaced)
		it->replaced_by = a;
	return true;
}

static int
rank(const struct cd_item *it)
{
	if (it->replaced_default)
		return 0;
	return 1 + (int)it->kind;
}

static int
cmp_items(const void *pa, const void *pb)
{
	const struct cd_item *a = pa, *b = pb;
	const struct cx_rule *ra = a->after ? a->after : a->before;
	const struct cx_rule *rb = b->after ? b->after : b->before;
	int c;

	if ((c = rank(a) - rank(b)) != 0)
		return c;
	if ((c = strcasecmp(ra->connector, rb->connector)) != 0)
		return c;
	if ((c = strcasecmp(ra->direction, rb->direction)) != 0)
		return c;
	if ((c = strcasecmp(ra->name, rb->name)) != 0)
		return c;
	return strcmp(ra->name, rb->name);
}

void
configdiff_run(const struct cx_export *before, const struct cx_export *after, struct cd_result *r)
{
	size_t nb = before->nrules, na = after->nrules;
	size_t *mb = xmalloc((nb ? nb : 1) * sizeof(*mb));
	bool *ma = xcalloc(na ? na : 1, sizeof(*ma));
	struct builder bd;

	memset(r, 0, sizeof(*r));
	bd.r = r;
	bd.cap = 0;
	for (size_t i = 0; i < nb; i++)
		mb[i] = SIZE_MAX;
	/* 1: the same identifier */
	for (size_t i = 0; i < nb; i++) {
		const struct cx_rule *b = &before->rules[i];

		if (!b->identifier[0])
			continue;
		for (size_t j = 0; j < na; j++)
			if (!ma[j] && strcasecmp(b->identifier, after->rules[j].identifier) == 0) {
				mb[i] = j;
				ma[j] = true;
				break;
			}
	}
	/* 2: name, connector, direction; the same origin first */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nb; i++) {
			const struct cx_rule *b = &before->rules[i];

			if (mb[i] != SIZE_MAX)
				continue;
			for (size_t j = 0; j < na; j++) {
				const struct cx_rule *a = &after->rules[j];

				if (ma[j] || !same_key(b, a) || (pass == 0 && a->origin != b->origin))
					continue;
				mb[i] = j;
				ma[j] = true;
				break;
			}
		}
	for (size_t i = 0; i < nb; i++) {
		const struct cx_rule *b = &before->rules[i];

		if (mb[i] != SIZE_MAX) {
			if (compare(&bd, b, &after->rules[mb[i]]))
				r->changed++;
			else
				r->same++;
			continue;
		}
		{
			struct cd_item *it = add_item(&bd, CD_REMOVED, b, NULL);

			r->removed++;
			if (!(b->is_default && b->modified))
				continue;
			for (size_t j = 0; j < na; j++) {
				const struct cx_rule *a = &after->rules[j];

				if (a->is_default && !a->modified && same_key(b, a)) {
					it->replaced_default = true;
					it->replaced_by = a;
					break;
				}
			}
		}
	}
	for (size_t j = 0; j < na; j++)
		if (!ma[j]) {
			add_item(&bd, CD_ADDED, NULL, &after->rules[j]);
			r->added++;
		}
	for (size_t i = 0; i < r->nitems; i++)
		r->replaced += r->items[i].replaced_default;
	if (r->nitems > 1)
		qsort(r->items, r->nitems, sizeof(*r->items), cmp_items);
	free(mb);
	free(ma);
}

void
configdiff_release(struct cd_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nitems; i++) {
		for (size_t j = 0; j < r->items[i].nchanges; j++) {
			free(r->items[i].changes[j].before);
			free(r->items[i].changes[j].after);
		}
		free(r->items[i].changes);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}
