/* SPDX-License-Identifier: MIT */
/* fmt_runcsv.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
runcsv_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
runcsv_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_runcsv = {
	.name = "runcsv",
	.title = "runcsv",
	.identifies = "-",
	.binary = false,
	.sniff = runcsv_sniff,
	.parse = runcsv_parse,
};
