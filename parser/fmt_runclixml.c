/* SPDX-License-Identifier: MIT */
/* fmt_runclixml.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
runclixml_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
runclixml_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_runclixml = {
	.name = "runclixml",
	.title = "runclixml",
	.identifies = "-",
	.binary = false,
	.sniff = runclixml_sniff,
	.parse = runclixml_parse,
};
