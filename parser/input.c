/* SPDX-License-Identifier: MIT */
/* input.c - placeholder, replaced by the discovery walker. */
#include "parser/input.h"

bool
ec_member_finish(struct ec_member *m, char sha256[65], uint64_t *size, const char **err)
{
	(void)m; (void)size; (void)err;
	sha256[0] = '\0';
	return false;
}

void
ec_walk_count(const char *const *paths, int npaths, struct ec_walk_stats *st)
{
	(void)paths; (void)npaths; (void)st;
}

int
ec_walk(const char *const *paths, int npaths, const struct ec_walk_limits *lim,
	const struct ec_walk_cb *cb, struct ec_walk_stats *st)
{
	(void)paths; (void)npaths; (void)lim; (void)cb; (void)st;
	return 0;
}
