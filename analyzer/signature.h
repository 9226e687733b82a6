/* SPDX-License-Identifier: MIT */
/* signature.h - declarative signatures (docs/SIGNATURES.md): loading with
 * full validation, one compile (and JIT compile) of every pattern, one
 * Aho-Corasick automaton of the literals of all of them, and matching of
 * records with the case conditions (facts, after the upgrade started, not
 * followed by, counts). Knows nothing of the store: the analyzer hands it
 * records and reads back what fired. */
#ifndef ANALYZER_SIGNATURE_H
#define ANALYZER_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Source kinds a signature reads (bit set). */
enum sig_kind {
	SK_TRACE = 1 << 0,
	SK_MSI = 1 << 1,
	SK_EVENT = 1 << 2,
	SK_AUTOUPGRADE = 1 << 3,
	SK_SETTINGS = 1 << 4,
	SK_CONFIG = 1 << 5,
	SK_RUN = 1 << 6,
	SK_ANY = (1 << 7) - 1,	/* pasted or plain text: every signature reads it */
};
/* Kind of a parser format ("evtx" -> SK_EVENT, "paste" -> SK_ANY); 0 for none. */
unsigned sig_kind_of_format(const char *format);

struct sig_set;

/* What a signature file says about itself, for listings. */
struct sig_info {
	const char *id, *title, *severity, *confidence, *remediation, *origin;
	unsigned kinds;
	size_t nclauses, nsamples, min_count;
	const char *const *explains;	/* ids */
	size_t nexplains;
	const char *const *references;
	size_t nreferences;
};

struct sig_set *sigset_new(void);
void sigset_free(struct sig_set *ss);
/* Parse, validate, compile one signature file (JSON text of len bytes;
 * origin names it in messages) and check its samples. A signature whose id
 * is already loaded replaces it. Returns 0, or -1 with *err set (free()). */
int sigset_add(struct sig_set *ss, const char *origin, const char *text, size_t len, char **err);
/* Every *.json of a directory, in name order. */
int sigset_add_dir(struct sig_set *ss, const char *dir, char **err);
/* The signatures built into the binary (analyzer/sigbuiltin.c). */
int sigset_add_builtin(struct sig_set *ss, char **err);
/* Build the literal automaton; after this no more sigset_add. */
void sigset_finish(struct sig_set *ss);
size_t sigset_count(const struct sig_set *ss);
const struct sig_info *sigset_info(const struct sig_set *ss, size_t i);

/* Each sample of signature i, with what it should do and what it does. */
struct sig_sample_result {
	const char *text;		/* the sample's message */
	bool expect_match, matched;
	int clause;			/* the clause that matched, or -1 */
};
void sigset_samples(const struct sig_set *ss, size_t i,
		    void (*fn)(void *ctx, const struct sig_sample_result *r), void *ctx);

/* ---- matching ------------------------------------------------------------ */

/* A record to match. */
struct sig_record {
	unsigned kind;			/* SK_ bits: one, or SK_ANY for pasted text */
	const char *message;
	size_t len;
	const char *extra;		/* more text the literals may be in (event data JSON), or NULL */
	size_t extra_len;
	const char *provider;		/* or NULL */
	int64_t event_id;		/* -1 when none */
	const char *level;		/* "error" ..., or NULL */
	const char *time;		/* UTC ISO, or NULL */
	/* A named item of the record (Data[1], a run part); NULL if none. */
	const char *(*field)(void *ctx, const char *name, size_t *len);
	void *field_ctx;
	/* Identity, copied into hits. */
	int64_t source_id, row_id, line, record;
};

/* Facts of the case, for "fact" conditions and ${target}/${installed}. */
typedef const char *(*sig_fact_fn)(void *ctx, const char *name);

struct sig_matcher;
/* upgrade_start: UTC ISO of the start of the upgrade, or NULL (then
 * after_upgrade_start clauses never hit). */
struct sig_matcher *sigmatch_new(const struct sig_set *ss, sig_fact_fn fact, void *fact_ctx,
				 const char *upgrade_start);
void sigmatch_free(struct sig_matcher *m);
/* Match one record; returns the number of signatures it hit now (hits
 * waiting on a not_followed_by condition are not counted). Records of one
 * source must come in order, and sources one after another. */
int sigmatch_record(struct sig_matcher *m, const struct sig_record *r);
/* The current source ended: hits still waiting become hits. */
void sigmatch_source_end(struct sig_matcher *m);

#define SIG_HITS_KEPT 8
#define SIG_CAPTURES 8

struct sig_hit {
	int64_t source_id, row_id, line, record;
	char *time;
	int clause;
	size_t ncaptures;
	char *cap_name[SIG_CAPTURES], *cap_value[SIG_CAPTURES];
};

/* What signature i did over the whole scan: fired when hits >= min_count. */
struct sig_result {
	const struct sig_info *info;
	uint64_t hits;
	bool fired;
	const struct sig_hit *kept;	/* the first SIG_HITS_KEPT hits */
	size_t nkept;
};
void sigmatch_result(const struct sig_matcher *m, size_t i, struct sig_result *out);
/* title, or a "sets" value, with ${name} replaced from the first hit's
 * captures and ${target}/${installed} from the facts; caller frees. */
char *sigmatch_expand(const struct sig_matcher *m, size_t i, const char *text);
/* The "sets" of signature i: name and value template. */
size_t sigset_nsets(const struct sig_set *ss, size_t i);
void sigset_set(const struct sig_set *ss, size_t i, size_t k, const char **fact, const char **value);

/* Dotted version compare (analyzer/checks.c). */
int version_cmp(const char *a, const char *b);

#endif
