/* SPDX-License-Identifier: MIT */
/* fmt_runjson.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
runjson_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
runjson_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_runjson = {
	.name = "runjson",
	.title = "runjson",
	.identifies = "-",
	.binary = false,
	.sniff = runjson_sniff,
	.parse = runjson_parse,
};
