/* SPDX-License-Identifier: MIT */
/* fmt_pscsv.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
pscsv_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
pscsv_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_pscsv = {
	.name = "pscsv",
	.title = "pscsv",
	.identifies = "-",
	.binary = false,
	.sniff = pscsv_sniff,
	.parse = pscsv_parse,
};
