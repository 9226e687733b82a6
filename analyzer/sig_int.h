/* SPDX-License-Identifier: MIT */
/* sig_int.h - private to the signature engine (sigload.c, sigauto.c,
 * signature.c): a signature, its clauses and samples, and the set with
 * its automaton.
 *
 * Cost per record does not grow with the number of signatures: the
 * literals of every clause are in one Aho-Corasick automaton (a DFA over
 * the byte classes the literals use), so a record's text is read once;
 * PCRE2, compiled and JIT-compiled at load, runs only for the clauses whose
 * literal (or provider) the record has. */
#ifndef ANALYZER_SIG_INT_H
#define ANALYZER_SIG_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/signature.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define MIN_LITERAL 3
#define MAX_FILE (1u << 20)

enum op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

struct cond_cmp {
	char *capture;
	enum op op;
	double value;
};

struct cond_fact {
	char *name, *version, *equals;
	enum op op;
	int present;			/* -1: not asked, 0: must be absent, 1: must be present */
};

struct clause {
	char *pattern, *field;
	pcre2_code *re;
	uint32_t ncap;			/* capture groups */
	char **literals;
	size_t nliterals;
	char **providers;
	size_t nproviders;
	int64_t *ids;
	size_t nids;
	int level;			/* lowest level rank, 0: any */
	struct cond_cmp *cmp;
	size_t ncmp;
	struct cond_fact *facts;
	size_t nfacts;
	bool after_start;
	pcre2_code *nf_re;		/* not_followed_by */
	int64_t nf_minutes;		/* -1: to the end of the source */
};

struct sample {
	char *message, *provider, *level;
	int64_t event_id;
	char **fname, **fvalue;		/* fields, then facts after nfields */
	size_t nfields, nfacts;
	bool expect;
};

struct sig {
	struct sig_info info;
	char *id, *title, *severity, *confidence, *remediation, *origin;
	char **explains, **refs;
	struct clause *cl;
	size_t ncl;
	struct sample *samples;
	size_t nsamples;
	char **set_fact, **set_value;
	size_t nsets;
};

/* A clause by its global number (after sigset_finish). */
struct gclause {
	uint32_t sig, clause;
};

struct sig_set {
	struct sig *sigs;
	size_t n, cap;
	bool finished;
	struct gclause *gcl;
	size_t ngcl;
	/* Aho-Corasick DFA over byte classes (lower-cased). */
	uint8_t cls[256];
	size_t ncls, nstates;
	int32_t *delta;			/* nstates * ncls */
	int32_t *out_first;		/* per state: index into outs, -1 */
	int32_t *dict;			/* per state: next state (suffix) with output, -1 */
	uint32_t *outs;			/* lists of gclause numbers, each ended by UINT32_MAX */
	size_t nouts;
	uint32_t *provider_only;	/* clauses without literals (they have a provider) */
	size_t nprovider_only;
};

/* ---- shared between the files -------------------------------------------- */

/* A level's rank, "verbose" 1 to "critical" 5; 0 for none (sigload.c). */
int level_rank(const char *l);
/* The literals of a pattern's alternatives, lower-cased; false (with *bad
 * the alternative) when one has none of MIN_LITERAL characters (sigauto.c). */
bool derive_literals(const char *p, char ***out, size_t *nout, int *bad);
/* The pattern with every run of spaces outside a class made \s+ (sigload.c). */
char *sig_ws_pattern(const char *p);
/* Does sample m hit signature s, and with which clause (signature.c)? */
bool sample_matches(const struct sig *s, const struct sample *m, int *clause, bool *prefilter_miss);

#endif
