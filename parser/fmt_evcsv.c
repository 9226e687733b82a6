/* SPDX-License-Identifier: MIT */
/* fmt_evcsv.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
evcsv_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
evcsv_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_evcsv = {
	.name = "evcsv",
	.title = "evcsv",
	.identifies = "-",
	.binary = false,
	.sniff = evcsv_sniff,
	.parse = evcsv_parse,
};
