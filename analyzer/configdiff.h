/* SPDX-License-Identifier: MIT */
/* configdiff.h - compares the synchronization rules of two configuration
 * exports (parser/configexport.h): rules added, removed and changed, and
 * what changed in each. It decides; reports/report_configdiff.c renders.
 *
 * Matching: first by identifier when both rules have the same one, then by
 * name, connector and direction (case ignored), a standard rule preferring
 * a standard one and a custom rule a custom one. Identifiers of custom
 * rules survive an in-place upgrade; those of rules re-created by an import
 * or an upgrade do not, hence the second pass.
 *
 * A default (out-of-box) rule the user had modified (listed with its
 * content as a custom rule: parser/configexport.h) whose counterpart in the
 * second export is the unmodified default of the same name is flagged: the
 * new version's default replaced the customisation. This holds for a pair
 * and for a removed modified rule when the second export has that default. */
#ifndef ANALYZER_CONFIGDIFF_H
#define ANALYZER_CONFIGDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "parser/configexport.h"

enum cd_kind {
	CD_CHANGED = 0,
	CD_REMOVED = 1,
	CD_ADDED = 2,
};

/* One difference in a matched pair. what is one of "name" (a pair matched
 * by identifier), "kind", "precedence",
 * "immutable tag", "disabled", "link type", "object types", "scoping", "join",
 * "flow added", "flow removed", "flow changed"; before/after are the values
 * ("" when there is none), owned by the result. */
struct cd_change {
	const char *what;
	char *before;
	char *after;
};

/* A rule added, removed or changed. before/after point into the exports
 * (NULL for the side it is absent from); the exports must outlive the
 * result. */
struct cd_item {
	enum cd_kind kind;
	const struct cx_rule *before, *after;
	/* the new version's unmodified default replaced a modified default;
	 * for a removed rule, replaced_by is that default in the second export */
	bool replaced_default;
	const struct cx_rule *replaced_by;
	/* one side carries no content (a standard rule is a reference): scoping,
	 * join and flows were not compared */
	bool content_not_compared;
	struct cd_change *changes;
	size_t nchanges;
};

struct cd_result {
	struct cd_item *items;		/* replaced defaults first, then changed, removed, added;
					 * by connector, direction, name within each */
	size_t nitems;
	/* matched pairs that differ and unmatched rules; changed and removed
	 * include the replaced defaults (replaced), same the identical pairs */
	size_t changed, removed, added, replaced, same;
};

/* Compare before with after into r (which it fills; release it). */
void configdiff_run(const struct cx_export *before, const struct cx_export *after,
		    struct cd_result *r);
void configdiff_release(struct cd_result *r);

#endif
