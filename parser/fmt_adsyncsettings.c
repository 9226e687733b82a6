/* SPDX-License-Identifier: MIT */
/* fmt_adsyncsettings.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
adsyncsettings_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
adsyncsettings_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_adsyncsettings = {
	.name = "adsyncsettings",
	.title = "adsyncsettings",
	.identifies = "-",
	.binary = false,
	.sniff = adsyncsettings_sniff,
	.parse = adsyncsettings_parse,
};
