/* SPDX-License-Identifier: MIT */
/* fmt_evtext.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
evtext_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
evtext_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_evtext = {
	.name = "evtext",
	.title = "evtext",
	.identifies = "-",
	.binary = false,
	.sniff = evtext_sniff,
	.parse = evtext_parse,
};
