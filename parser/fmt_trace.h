/* SPDX-License-Identifier: MIT */
/* fmt_trace.h - the wizard trace log's line grammar and the facts of its
 * messages, shared with fmt_paste.c (trace lines pasted without their prefix). */
#ifndef PARSER_FMT_TRACE_H
#define PARSER_FMT_TRACE_H

#include <stdbool.h>

#include "common/strview.h"
#include "parser/parser.h"

/* Longest thread id (in digits) a record line may carry. */
#define TRACE_MAX_TID 10

/* One line that starts a trace record: [HH:MM:SS.fff] [tid] [LEVEL] message */
struct trace_line {
	int tod_ms;		/* time of day in ms */
	struct sv thread;	/* digits of the thread id */
	struct sv level_word;	/* "INFO", "VERB", "WARN", "ERROR" ... as written, trimmed */
	enum ec_level level;
	struct sv message;	/* rest of the line (may be empty) */
};

/* Parse a line; true if it starts a record. Reads only line.p[0..line.n).
 * The grammar: "[HH:MM:SS.fff]", spaces, "[", spaces, 1 to TRACE_MAX_TID
 * digits, "]", spaces, "[", spaces, upper-case word, spaces, "]", one
 * optional space, message. Unknown level words give LVL_NONE. */
bool trace_line_parse(struct sv line, struct trace_line *out);

/* A value already reported, to report a repeated line's fact once. */
struct trace_once {
	char v[64];
	size_t n;
	bool set;
};

/* What the facts of trace messages remember between records. Zero it and
 * set sink before the first message. */
struct trace_facts {
	const struct ec_sink *sink;
	struct trace_once os_version, os_sku, dotnet, tls;
};

/* The facts (docs/FACTS.md) a trace record's message gives: versions,
 * Package= and Product lines, OS, .NET, TLS, stale product codes, MSI log
 * paths and Windows Installer lines, auto-upgrade results. They are reported
 * through tf->sink as facts on the last event. level is the record's. The
 * run header (Start Time, Runtime.Start=) is not read here. Returns a sink's
 * non-zero value, else 0. */
int trace_message_facts(struct trace_facts *tf, enum ec_level level, struct sv msg);

/* The leading identifier of a message when a ':' follows it ("MSAL",
 * "AzureTenantPage"), else the empty view. */
struct sv trace_provider_of(struct sv msg);

#endif
