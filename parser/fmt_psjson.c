/* SPDX-License-Identifier: MIT */
/* fmt_psjson.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
psjson_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
psjson_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_psjson = {
	.name = "psjson",
	.title = "psjson",
	.identifies = "-",
	.binary = false,
	.sniff = psjson_sniff,
	.parse = psjson_parse,
};
