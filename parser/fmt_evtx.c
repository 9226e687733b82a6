/* SPDX-License-Identifier: MIT */
/* fmt_evtx.c - PLACEHOLDER, being written. */
#include "parser/parser.h"

static int
evtx_sniff(const struct ec_sniff *s)
{
	return s->raw_len >= 8 && __builtin_memcmp(s->raw, "ElfFile", 8) == 0 ? 100 : 0;
}

static int
evtx_parse(const struct ec_input *inp)
{
	(void)inp;
	return 0;
}

const struct ec_format fmt_evtx = {
	.name = "evtx",
	.title = "Windows XML event log (.evtx)",
	.identifies = "bytes 'ElfFile' at offset 0",
	.binary = true,
	.sniff = evtx_sniff,
	.parse = evtx_parse,
};
