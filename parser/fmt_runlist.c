/* SPDX-License-Identifier: MIT */
/* fmt_runlist.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
runlist_sniff(const struct ec_sniff *s)
{
	(void)s;
	return 0;
}

static int
runlist_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_runlist = {
	.name = "runlist",
	.title = "runlist",
	.identifies = "-",
	.binary = false,
	.sniff = runlist_sniff,
	.parse = runlist_parse,
};
