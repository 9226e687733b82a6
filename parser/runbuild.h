/* SPDX-License-Identifier: MIT */
/* runbuild.h - the run builder of the five run-history readers (runxml,
 * runclixml, runjson, runcsv, runlist), and what the two XML ones share.
 *
 * The builder turns what a reader finds, in the order it finds it, into one
 * struct ec_run with its steps, counters and errors, and hands it to the
 * sink. Every string is copied (trimmed): the run's own fields into buffers
 * of their own (RB_FIELD_MAX bytes each), those of its steps and errors into
 * a text pool; steps, counters and errors are tables that grow to what the
 * largest run needed and are reused from run to run, so nothing is
 * allocated per run once they have grown, and memory stays bounded whatever
 * the input: one set of limits for every reader,
 *
 *   RB_MAX_STEPS steps per run (more are read, for the run's result and
 *	times, and counted, not kept),
 *   RB_MAX_COUNTERS counters per step (more: a problem, once per step),
 *   RB_MAX_STEP_ERRORS errors kept per step and RB_MAX_RUN_ERRORS per run
 *	(more are counted in error_count, not kept),
 *   RB_POOL bytes of text per run (a string that does not fit is left out,
 *	and a counter whose name does not),
 *
 * each reported by a problem when the run is handed on (rb_report()), in the
 * words the reader's family has always used (enum rb_style).
 *
 * A run is begun (rb_run_begin()), its fields set (rb_set(), rb_time(),
 * rb_run_number() ...), steps begun one after another (rb_step_begin();
 * the open step ends when the next one begins, or with rb_step_end()),
 * their fields set the same way, counters (rb_counter()) and errors
 * (rb_error(), then the error's fields) added to the open step, and the run
 * handed to the sink (rb_run_end()). When the run is handed on, what it
 * does not say itself (rb_set(RB_RESULT), rb_time(RB_RUN_START) ...) comes
 * from its steps, all of those read, kept or not:
 *   - result: that of the step with the highest number, else (when that is
 *     empty) the worst of its steps' results, else "in-progress" when the
 *     reader said the run is not complete (rb_incomplete());
 *   - start and end: the first start and the last end of its steps;
 *   - result_class, step_class: parser/runclass.c's reading (a step's kind
 *     from its type, else from the run profile's name).
 * A step object that comes alone (Get-ADSyncRunStepResult) joins the open
 * run when that has the same RunHistoryId, else makes a run of its own
 * (rb_step_object()).
 *
 * The XML readers (fmt_runxml.c, fmt_runclixml.c) also share the values as
 * the sync engine writes them (rb_read_i64(), rb_read_time()), the feeding
 * of expat from the input stream (struct rb_xml) and the reading of an
 * error entry (<import-error>, <incident> ...: rb_entry_*()). */
#ifndef PARSER_RUNBUILD_H
#define PARSER_RUNBUILD_H

#include <expat.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/strview.h"
#include "parser/parser.h"
#include "parser/xmlfeed.h"

#define RB_MAX_STEPS 1000		/* steps kept per run */
#define RB_MAX_COUNTERS 256		/* counters kept per step */
#define RB_MAX_STEP_ERRORS 200		/* errors kept per step */
#define RB_MAX_RUN_ERRORS 20000		/* errors kept per run */
#define RB_POOL EC_MAX_RECORD		/* bytes of text kept per run (16 MiB) */
#define RB_FIELD_MAX 4096		/* a text field of the run; a step result kept for it */
#define RB_NAME_MAX 159			/* a counter's name */

/* The words of the cap problems: the XML readers' ("the run at line N has
 * 1500 steps: only the first 1000 are kept") or the PowerShell readers'
 * ("run at line N has more than 1000 steps: 500 dropped"). */
enum rb_style { RB_XML, RB_PS };

/* The text fields: of the run, of the open step, of the error last added. */
enum rb_field {
	RB_CONNECTOR, RB_CONNECTOR_ID, RB_PROFILE, RB_RUN_HISTORY_ID, RB_USER, RB_RESULT,
	RB_STEP_TYPE, RB_STEP_SUBTYPE, RB_STEP_RESULT, RB_CONNECTION_RESULT,
	RB_CONNECTION_SERVER,
	RB_ERROR_DN, RB_ERROR_TYPE, RB_ERROR_CODE, RB_ERROR_DETAIL,
	RB_NFIELDS
};
#define RB_RUN_FIELDS 6
#define RB_STEP_FIELDS 5
#define RB_ERROR_FIELDS 4

/* The times. */
enum rb_when { RB_RUN_START, RB_RUN_END, RB_STEP_START, RB_STEP_END, RB_ERROR_WHEN };

struct rb_span {
	size_t off, n;			/* in the pool; n == 0: empty */
};

struct rb_step {
	uint64_t line;
	int64_t number;
	struct rb_span text[RB_STEP_FIELDS];
	struct ec_time start, end;
	size_t c0, nc;			/* its counters in the table */
	size_t e0, ne;			/* its errors (of a step not kept: those the caps let by) */
	int64_t errors;			/* the errors it has, kept or not */
	bool errors_known;		/* its errors were in the input (else error_count -1) */
	bool ctr_full;			/* told that its counters were too many */
};

struct rb_counter {
	struct rb_span name;
	int64_t value;
};

struct rb_error {
	const char *category;
	struct rb_span text[RB_ERROR_FIELDS];
	struct ec_time when;
};

struct runbuild {
	const struct ec_sink *sink;
	uint64_t *problems;		/* the reader's count against TEXT_PROBLEM_CAP */
	enum rb_style style;

	/* the run */
	bool open;			/* a run is being built */
	bool from_steps;		/* of step objects alone (rb_step_object()) */
	bool incomplete;		/* the input says the run is not complete */
	bool reported;			/* rb_report() was called for it */
	uint64_t line, offset;		/* where it starts (offset UINT64_MAX: unknown) */
	struct buf text[RB_RUN_FIELDS];	/* RB_FIELD_MAX each, apart from the pool */
	int64_t run_number;
	struct ec_time start, end;
	struct buf pool;		/* its text, RB_POOL at most */
	bool pool_full;			/* some did not fit */

	/* its steps, counters and errors */
	struct rb_step *step;
	size_t nsteps, csteps;
	struct rb_counter *ctr;
	size_t nctr, cctr;
	struct rb_error *err;
	size_t nerr, cerr;

	/* the open step: step[nsteps - 1], or past RB_MAX_STEPS "drop" */
	bool in_step, dropped;
	struct rb_step drop;
	struct buf drop_result;		/* the result of a step not kept */
	bool in_error;			/* the error last added is kept: its fields are set */

	/* what the steps read say of the run */
	uint64_t steps_seen;		/* steps ended, kept or not */
	struct ec_time first_start, last_end;
	bool have_last;
	int64_t last_number;
	struct buf last_result, worst_result;
	int worst_rank;

	/* what the caps left out */
	uint64_t drop_steps, drop_errors;	/* steps with errors not kept, those errors */
	uint64_t drop_line;			/* the first such step's line */
	int64_t drop_count;			/* and its number of errors */
	int64_t errors_seen;			/* errors of the steps ended */

	/* what the sink gets */
	struct ec_run_step *ostep;
	size_t costep;
	struct ec_kv *okv;
	size_t cokv;
	struct ec_run_error *oerr;
	size_t coerr;
	struct buf nums;		/* the counters' values as text */
	struct buf tmp;			/* a counter's name in kebab-case */
	uint64_t runs;			/* runs handed to the sink */
};

void rb_init(struct runbuild *b, const struct ec_sink *sink, uint64_t *problems,
	     enum rb_style style);
void rb_release(struct runbuild *b);

/* A problem counted against the reader's cap. Returns the sink's value. */
int rb_problemf(struct runbuild *b, uint64_t line, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Open a run that starts at line (and byte offset, UINT64_MAX if unknown),
 * handing the open one to the sink first (rb_run_end(); its value is
 * returned). */
int rb_run_begin(struct runbuild *b, uint64_t line, uint64_t offset);
/* Report the cap problems of the open run (its open step ended first), so
 * that a reader can add its own after them. Returns a sink's value. */
int rb_report(struct runbuild *b);
/* Hand the open run to the sink, after rb_report() if that was not called,
 * and close it. Returns a sink's value (0 when no run is open). */
int rb_run_end(struct runbuild *b);
/* Close the open run without handing it on. */
void rb_run_discard(struct runbuild *b);

/* A new step of the open run (nothing without one), ending the open step. */
void rb_step_begin(struct runbuild *b, uint64_t line);
/* End the open step; true when it is kept. */
bool rb_step_end(struct runbuild *b);
/* Forget the open step, with its counters and errors. */
void rb_step_discard(struct runbuild *b);
/* A step object that came alone, starting at line: a new step of the open
 * run when that has the same RunHistoryId (case ignored), else (after
 * handing the open run on) of a new run of steps alone with that
 * RunHistoryId. Returns a sink's value. */
int rb_step_object(struct runbuild *b, uint64_t line, struct sv run_history_id);
/* A step is open (kept or not). */
bool rb_in_step(const struct runbuild *b);
/* Append step i of src (a store of steps: clixml's objects kept for <Ref>)
 * as a step of the open run of b, ending its open step. whole: all of it
 * or nothing (when its text does not fit). True when it was kept. */
bool rb_copy_step(struct runbuild *b, const struct runbuild *src, size_t i, bool whole);

/* Set a text field (copied, trimmed) of the run, of the open step or of the
 * error last added; nothing when there is none. */
void rb_set(struct runbuild *b, enum rb_field f, struct sv v);
/* A text field as set, or empty. */
struct sv rb_get(const struct runbuild *b, enum rb_field f);
void rb_time(struct runbuild *b, enum rb_when w, struct ec_time t);
void rb_run_number(struct runbuild *b, int64_t n);
void rb_step_number(struct runbuild *b, int64_t n);
/* The run is not complete (IsRunComplete False): "in-progress" when nothing
 * else gives its result. */
void rb_incomplete(struct runbuild *b, bool incomplete);
/* The open step's errors are in the input (even if it has none): its
 * error_count is the number of errors added, else -1. */
void rb_errors_known(struct runbuild *b);

/* A counter as text (the XML readers): a value that is not a number is
 * left out with a problem "counter <name> '<value>' at line N is not a
 * number". Then as rb_counter(). */
int rb_counter_text(struct runbuild *b, struct sv name, struct sv value, uint64_t line,
		    uint64_t offset);
/* A counter of the open step, its name in kebab-case (run_counter_name(),
 * cut at RB_NAME_MAX bytes); a counter named again in the same step adds
 * up (several <outbound-flow-counters>). Past RB_MAX_COUNTERS a problem at
 * line and offset says so once per step. Returns a sink's value. */
int rb_counter(struct runbuild *b, struct sv name, int64_t value, uint64_t line,
	       uint64_t offset);
/* A new error of the open step, counted in its error_count: true when it is
 * kept (then rb_set() and rb_time() fill it), false past the caps or
 * without an open step. */
bool rb_error(struct runbuild *b, const char *category);

/* ---- values as the sync engine writes them ------------------------------ */

/* A decimal number, optionally negative, that fits in 64 bits (spaces
 * around it ignored). */
bool rb_read_i64(struct sv v, int64_t *out);
/* "2017-01-04 23:00:55.253" (UTC as the engine writes it), also with a T,
 * any number of fractional digits, a Z or an offset ("2022-04-08T22:13:31.
 * 1630000+02:00"); without a zone read as UTC. TQ_EXACT. */
bool rb_read_time(struct sv v, struct ec_time *t);
/* "{85098734-66BC-...}" -> "85098734-66BC-..." */
struct sv rb_strip_braces(struct sv v);
/* Copy v, trimmed, into b (cut at its maximum, at a UTF-8 boundary). */
void rb_set_buf(struct buf *b, struct sv v);

/* ---- the XML readers: expat fed from the input -------------------------- */

/* The bytes are decoded to UTF-8 (the bytes decide: an encoding="utf-16"
 * declared over UTF-8 bytes is ignored) and fed to expat in chunks inside a
 * synthetic <r> root; every XML declaration, the first and those of
 * concatenated documents, is blanked out first; a tag longer than 16 MiB
 * ends the parse. The run being read, if any, is the builder's open run. */
struct rb_xml {
	XML_Parser xp;
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct runbuild *b;		/* the runs */
	const char *what;		/* what a run is read from: "run-details", "object" */
	void *ctx;			/* the reader, for its handlers and tail */
	int (*tail)(void *ctx);		/* the reader's problems at the end of a whole file */
	int rc;				/* a sink's value that stopped the parse */
	bool stopped;
	unsigned depth;			/* open elements, the synthetic root included:
					 * the reader's handlers keep it */
	uint64_t problems;		/* against TEXT_PROBLEM_CAP */

	/* offsets: bytes fed before the input's first byte after the
	 * byte-order mark (the "<r>"), and that mark's length */
	bool offsets;
	uint64_t fed_extra, bom;
	unsigned char *raw;		/* a read after up to 3 carried bytes */
	size_t carry;			/* UTF-16 bytes held back for the next read */
	struct buf dec;			/* a read decoded to UTF-8 */
	struct buf pend;		/* decoded bytes not yet fed */
	size_t bad_units;		/* invalid UTF-16 replaced */
	struct xml_markup markup;	/* expat holds one piece of markup whole: capped */
	bool in_decl, failed;		/* failed: an XML error or a stop */

	/* the error entry being read (rb_entry_*()) */
	const char *e_cat;
	bool e_cd;			/* it has a <cd-error> */
	struct buf e_dn, e_type, e_code, e_lit, e_sed, e_date, e_stack, detail;
};

/* Prepare X for inp: an expat parser with the reader's handlers (ctx their
 * user data), runs built by b, problems counted in X->problems (b's too). */
void rb_xml_init(struct rb_xml *X, const struct ec_input *inp, struct runbuild *b,
		 const char *what, void *ctx, XML_StartElementHandler start,
		 XML_EndElementHandler end, XML_CharacterDataHandler text,
		 int (*tail)(void *ctx));
void rb_xml_release(struct rb_xml *X);
/* Read the whole input. Returns 0, a sink's value or -1 (read error). */
int rb_xml_parse(struct rb_xml *X);
/* Stop the parse with a sink's value (0: the reader gives up). */
void rb_xml_stop(struct rb_xml *X, int rc);
uint64_t rb_xml_line(const struct rb_xml *X);
/* The byte offset in the input of what expat reads, or UINT64_MAX. */
uint64_t rb_xml_offset(const struct rb_xml *X);
/* A problem counted against the cap (nothing once stopped); a sink's
 * non-zero value stops the parse. */
void rb_xml_problem(struct rb_xml *X, uint64_t line, uint64_t offset, uint64_t records,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Blank out the XML declarations in p (expat refuses one that is not at the
 * very start, and every one here follows a synthetic "<r>"); in_decl holds
 * one not yet ended between calls. Returns how many bytes may be fed now:
 * the rest (a possible start of one) waits for more unless final. */
size_t rb_xml_scrub(bool *in_decl, char *p, size_t n, bool final);
bool rb_is_ws(char c);

/* The local name of an element or attribute ("a:b" -> "b"). */
struct sv rb_local_name(const XML_Char *name);
/* An attribute's value by local name, or NULL. */
const char *rb_attr(const XML_Char **atts, const char *name);
/* "synchronization-errors" -> "sync", "ma-discovery-errors" -> "discovery",
 * "mv-retry-errors" -> "mv-retry", else dflt. */
const char *rb_errors_category(struct sv name, const char *dflt);

/* An error entry: an element of an errors list (<import-error dn=...>,
 * <export-error> ...; category given), or a connection <incident>
 * (category "connection"). rb_entry_child(): where the text of a child of
 * it goes (NULL: not read). rb_entry_end(): a new error of the builder's
 * open step (an incident that succeeded without a <cd-error> is not one);
 * its detail the error literal, a line break and the server's detail, or
 * the one there is, or the call stack of an extension error; a date not
 * understood is a problem "error date '...' <at> line N not understood". */
void rb_entry_begin(struct rb_xml *X, const char *category, const XML_Char **atts);
struct buf *rb_entry_child(struct rb_xml *X, struct sv name);
void rb_entry_end(struct rb_xml *X, const char *at);

#endif
