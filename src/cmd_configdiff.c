/* SPDX-License-Identifier: MIT */
/* cmd_configdiff.c - 'ecdiag config-diff BEFORE AFTER': the synchronization
 * rules of two configuration exports compared (parser/configexport.h reads
 * them, analyzer/configdiff.c compares, reports/report_configdiff.c
 * renders). Needs no case database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/configdiff.h"
#include "parser/configexport.h"
#include "reports/report.h"
#include "src/cli.h"

/* Exit codes of this command (its own: it analyses no case). */
enum {
	CD_EXIT_SAME = 0,
	CD_EXIT_DIFFERENT = 1,
	CD_EXIT_USAGE = 2,
	CD_EXIT_UNREADABLE = 3,
};

static const char configdiff_usage[] =
	"usage: ecdiag config-diff [--format text|json] BEFORE AFTER\n"
	"\n"
	"Compare the synchronization rules of two Entra Connect configuration exports:\n"
	"the JSON of the wizard's 'View or export current configuration' (Export\n"
	"settings), or the Applied-SynchronizationPolicy-*.json files the wizard writes\n"
	"to %ProgramData%\\AADConnect after each change. Rules are matched by their\n"
	"identifier, else by name, connector and direction; the output lists the rules\n"
	"added, removed and changed (precedence, scoping, join, attribute flows,\n"
	"disabled), and flags a default rule you had modified that the new version's\n"
	"default replaced.\n"
	"\n"
	"options:\n"
	"  --format text|json   output format (default text)\n"
	"  -h, --help           this help\n"
	"\n"
	"exit codes:\n"
	"  0  no differences in the synchronization rules\n"
	"  1  differences\n"
	"  2  usage error\n"
	"  3  a file could not be read as a configuration export (or the output\n"
	"     could not be written)\n";

static void
warn_problems(const char *path, const struct cx_export *x)
{
	for (size_t i = 0; i < x->nproblems; i++) {
		if (x->problems[i].line)
			warnf("%s:%llu: %s", path, (unsigned long long)x->problems[i].line,
			      x->problems[i].message);
		else
			warnf("%s: %s", path, x->problems[i].message);
	}
}

static int
load(const char *path, struct cx_export *x)
{
	char *err = NULL;

	if (cx_read_path(path, x, &err) != 0) {
		errorf("%s: %s", path, err ? err : "not a configuration export");
		free(err);
		return -1;
	}
	warn_problems(path, x);
	return 0;
}

int
cmd_configdiff(int argc, char **argv)
{
	const char *format = "text", *paths[2] = { NULL, NULL };
	struct cx_export before, after;
	struct cd_result r;
	int npaths = 0, rc, w;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opt_flag(a, "--help", "-h")) {
			fputs(configdiff_usage, stdout);
			return CD_EXIT_SAME;
		}
		if ((rc = opt_value(argc, argv, &i, "--format", NULL, &format)) != 0) {
			if (rc < 0)
				return CD_EXIT_USAGE;
			if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
				errorf("--format must be text or json, not '%s'", format);
				return CD_EXIT_USAGE;
			}
			continue;
		}
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++) {
				if (npaths == 2) {
					errorf("config-diff takes two files, BEFORE and AFTER");
					return CD_EXIT_USAGE;
				}
				paths[npaths++] = argv[i];
			}
			break;
		}
		if (a[0] == '-' && a[1] != '\0')
			return bad_option("config-diff", a);
		if (npaths == 2) {
			errorf("config-diff takes two files, BEFORE and AFTER");
			return CD_EXIT_USAGE;
		}
		paths[npaths++] = a;
	}
	if (npaths != 2) {
		errorf("config-diff needs two files, BEFORE and AFTER (see 'ecdiag config-diff --help')");
		return CD_EXIT_USAGE;
	}
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	if (load(paths[0], &before) != 0) {
		cx_release(&before);
		return CD_EXIT_UNREADABLE;
	}
	if (load(paths[1], &after) != 0) {
		cx_release(&before);
		cx_release(&after);
		return CD_EXIT_UNREADABLE;
	}
	configdiff_run(&before, &after, &r);
	if (strcmp(format, "json") == 0)
		w = report_configdiff_json(stdout, &before, &after, &r, paths[0], paths[1]);
	else
		w = report_configdiff_text(stdout, &before, &after, &r, paths[0], paths[1]);
	if (fflush(stdout) != 0)
		w = -1;
	rc = r.nitems ? CD_EXIT_DIFFERENT : CD_EXIT_SAME;
	configdiff_release(&r);
	cx_release(&after);
	cx_release(&before);
	if (w != 0) {
		errorf("cannot write the output");
		return CD_EXIT_UNREADABLE;
	}
	return rc;
}
