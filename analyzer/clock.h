/* SPDX-License-Identifier: MIT */
/* clock.h - one clock per case: which computer each source belongs to, the
 * UTC offset of its local times as the case itself reveals it, and the
 * stored times moved to match (docs/ARCHITECTURE.md, "Time"). */
#ifndef ANALYZER_CLOCK_H
#define ANALYZER_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* A computer of the case and how many parsed sources are on it. */
struct clock_host {
	char *name;		/* as the first source that names it writes it, first DNS label */
	int64_t files;
};

struct clock_summary {
	struct clock_host *hosts;	/* in the order first named */
	size_t nhosts;
	int64_t moved;			/* sources whose times were moved by this settling */
};

/* Decide every parsed source's computer and clock from what the store holds
 * and move the local times whose offset changed, in one transaction.
 * Idempotent: settling again without a new source changes nothing; the
 * result does not depend on the order the sources were ingested in. out
 * (may be NULL) receives the computers; release it with
 * clock_summary_release(). Returns STORE_OK or STORE_ERROR (store_errmsg). */
int clock_settle(struct store *s, struct clock_summary *out);
void clock_summary_release(struct clock_summary *c);

/* The first DNS label of a computer name, lower case, into out (at most
 * n bytes with the NUL): "SYNC01.contoso.com" -> "sync01". */
void clock_host_key(const char *name, char *out, size_t n);

/* "+02:00" for 120. */
void clock_offset_text(int64_t minutes, char out[8]);

#endif
