/* SPDX-License-Identifier: MIT */
/* fmt_aboutversion.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
aboutversion_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
aboutversion_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_aboutversion = {
	.name = "aboutversion",
	.title = "aboutversion",
	.identifies = "-",
	.binary = false,
	.sniff = aboutversion_sniff,
	.parse = aboutversion_parse,
};
