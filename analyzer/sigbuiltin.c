/* SPDX-License-Identifier: MIT */
/* sigbuiltin.c - loads the embedded catalogue. */
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/sigbuiltin.h"
#include "analyzer/signature.h"

int
sigset_add_builtin(struct sig_set *ss, char **err)
{
	for (size_t i = 0; i < sig_nbuiltin; i++) {
		char origin[300];

		snprintf(origin, sizeof(origin), "signatures/%s (built in)", sig_builtin[i].name);
		if (sigset_add(ss, origin, sig_builtin[i].text, sig_builtin[i].len, err) != 0)
			return -1;
	}
	return 0;
}
