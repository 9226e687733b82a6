/* SPDX-License-Identifier: MIT */
/* cmd_configdiff.c - 'ecdiag config-diff A B'. PLACEHOLDER, being written. */
#include <stdio.h>
#include <string.h>

#include "src/cli.h"

int
cmd_configdiff(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs("usage: ecdiag config-diff BEFORE.json AFTER.json\n", stdout);
		return 0;
	}
	fputs("ecdiag: config-diff: not written yet\n", stderr);
	return 2;
}
