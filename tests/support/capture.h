/* SPDX-License-Identifier: MIT */
/* capture.h - the sink the parser suites read their results from: it copies
 * every record a parser hands it (events with their data items and Windows
 * fields, facts, problems, Windows Installer actions and sessions), since
 * the views in a record are valid only during the sink call. With it, the
 * helpers the suites share: parse bytes from memory through a format, find
 * and count what was captured, log the problems, free it all. The helpers
 * fail the running Criterion test when memory runs out or a format is not
 * registered. */
#ifndef TESTS_CAPTURE_H
#define TESTS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser/parser.h"

/* Every string below is a NUL-terminated copy of a view ("" when the view
 * was empty); numbers are as the parser gave them. */

/* An event (struct ec_event). */
struct cev {
	uint64_t line, offset;
	int64_t time_ms;
	int32_t tod;		/* tod_ms */
	enum ec_timeq tq;	/* timeq */
	enum ec_level level;
	int64_t event_id;
	char *provider, *thread, *message;
	size_t message_len;	/* bytes in message */
	size_t ndata;
	char **dname, **dvalue;	/* the ndata data items (NULL after the last) */
	bool has_win;		/* the event had Windows fields (win != NULL): */
	struct ec_winevent win;	/* their numbers; the views in it are cleared, */
	char *channel, *computer, *user_sid;	/* these are their copies (NULL without) */
};

/* A fact (struct ec_fact). */
struct cfact {
	char *name, *key, *value;
	bool on_event;
	size_t after;		/* events received before it */
};

/* A problem (struct ec_problem). */
struct cprob {
	uint64_t line, offset, records, bytes;
	char *message;
};

/* A Windows Installer action (struct ec_msi_action). */
struct cact {
	uint32_t session, seq, depth;
	char *name, *parent, *ca_name, *error_text;
	uint64_t start_line, end_line, ca_line, error_line;
	struct ec_time start, end;
	int64_t return_value, ca_error, error_number;
};

/* A Windows Installer logging session (struct ec_msi_session). */
struct csess {
	uint32_t session, actions, failed_actions;
	uint64_t start_line, end_line;
	struct ec_time start, end;
	char *started, *calling_process, *package, *command_line, *product, *version;
	char *product_code, *upgrade_code, *result;
	int64_t status, engine_return;
	bool footer;
};

/* What one or more parses handed the sink, in order. Start from { 0 }. */
struct cap {
	struct cev *ev;
	size_t nev;
	struct cfact *f;
	size_t nf;
	struct cprob *p;
	size_t np;
	struct cact *a;
	size_t na;
	struct csess *s;
	size_t ns;
	size_t stop_at;		/* the event callback returns 7 at this event (1-based; 0: never) */
};

/* A sink that copies into c (every callback set). */
struct ec_sink cap_sink(struct cap *c);

/* The registered format called name; fails the test when there is none. */
const struct ec_format *cap_format(const char *name);

/* Parse n bytes with fmt into c, as the walker would hand them: the
 * encoding sniffed from the first 64 KiB, at most chunk bytes per read
 * (0: any), opt (NULL: the defaults), name the input's base name (may be
 * NULL). Returns what fmt->parse returned. */
int cap_parse(struct cap *c, const struct ec_format *fmt, const void *data, size_t n,
	      size_t chunk, const struct ec_options *opt, const char *name);

/* cap_parse of a string, all at once, default options, no name. */
int cap_parse_str(struct cap *c, const struct ec_format *fmt, const char *text);

/* Free what c holds and empty it (stop_at included). */
void cap_free(struct cap *c);

/* The first fact called name (about key, or about anything when key is
 * NULL), or NULL. */
const struct cfact *find_fact(const struct cap *c, const char *name, const char *key);

/* How many facts are called name (about key; any key when NULL). */
size_t count_facts(const struct cap *c, const char *name, const char *key);

/* The first problem whose message contains part, or NULL. */
const struct cprob *find_problem(const struct cap *c, const char *part);

/* How many problem messages contain part. */
size_t count_problems(const struct cap *c, const char *part);

/* Log every problem (cr_log_info), to see why a test failed. */
void dump_problems(const struct cap *c);

#endif
