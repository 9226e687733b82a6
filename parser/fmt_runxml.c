/* SPDX-License-Identifier: MIT */
/* fmt_runxml.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
runxml_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
runxml_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_runxml = {
	.name = "runxml",
	.title = "runxml",
	.identifies = "-",
	.binary = false,
	.sniff = runxml_sniff,
	.parse = runxml_parse,
};
