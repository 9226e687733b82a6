/* SPDX-License-Identifier: MIT */
/* cmd_misc.c - 'ecdiag formats'. */
#include <stdio.h>
#include <string.h>

#include "src/cli.h"

static const char formats_usage[] =
	"usage: ecdiag formats\n"
	"\n"
	"List the formats this build reads and what identifies each. Formats are\n"
	"found from content (first bytes and structure), never from file names.\n";

static const struct {
	const char *name, *identifies;
} containers[] = {
	{ "zip", "bytes 'PK\\3\\4' (or 'PK\\5\\6' when empty)" },
	{ "7z", "bytes 37 7A BC AF 27 1C" },
	{ "cab", "bytes 'MSCF'" },
	{ "tar", "'ustar' at offset 257" },
	{ "gzip", "bytes 1F 8B (a .tar.gz, or one compressed file)" },
	{ "xz / bzip2", "bytes FD '7zXZ' / 'BZh'" },
};

int
cmd_formats(int argc, char **argv)
{
	int w = 11;

	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(formats_usage, stdout);
			return 0;
		}
		return bad_option("formats", argv[i]);
	}
	for (size_t i = 0; i < ec_nformats; i++) {
		int n = (int)strlen(ec_formats[i]->name);

		if (n > w)
			w = n;
	}
	puts("inputs (parsed into the case database):");
	for (size_t i = 0; i < ec_nformats; i++)
		printf("  %-*s %s\n  %-*s   identified by: %s\n", w, ec_formats[i]->name, ec_formats[i]->title,
		       w, "", ec_formats[i]->identifies);
	puts("\ncontainers (read in place, nested up to --max-depth levels):");
	for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++)
		printf("  %-*s %s\n", w, containers[i].name, containers[i].identifies);
	puts("\nencodings: UTF-8 (with or without BOM), UTF-16LE/BE (with or without BOM),\n"
	     "Windows-1252; line ends CRLF, LF or CR.");
	return 0;
}
