/* SPDX-License-Identifier: MIT */
/* fmt_evxml.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
evxml_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
evxml_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_evxml = {
	.name = "evxml",
	.title = "evxml",
	.identifies = "-",
	.binary = false,
	.sniff = evxml_sniff,
	.parse = evxml_parse,
};
