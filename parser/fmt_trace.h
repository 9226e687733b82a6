/* SPDX-License-Identifier: MIT */
/* fmt_trace.h - the wizard trace log's line grammar, exposed for tests. */
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

#endif
