/* SPDX-License-Identifier: MIT */
/* fmt_configexport.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
configexport_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
configexport_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_configexport = {
	.name = "configexport",
	.title = "configexport",
	.identifies = "-",
	.binary = false,
	.sniff = configexport_sniff,
	.parse = configexport_parse,
};
