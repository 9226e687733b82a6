/* SPDX-License-Identifier: MIT */
/* fmt_trace.c - placeholder, replaced by the trace parser. */
#include "parser/fmt_trace.h"

static int
trace_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
trace_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

bool
trace_line_parse(struct sv line, struct trace_line *out)
{
	(void)line;
	(void)out;
	return false;
}

const struct ec_format fmt_trace = {
	.name = "trace",
	.title = "Entra Connect wizard trace log",
	.identifies = "lines starting [HH:MM:SS.fff] [thread] [LEVEL]",
	.binary = false,
	.sniff = trace_sniff,
	.parse = trace_parse,
};
