/* SPDX-License-Identifier: MIT */
/* cmd_analyze.c - 'ecdiag analyze'. */
#include <stdio.h>
#include <string.h>

#include "analyzer/signature.h"
#include "src/cli.h"

static const char analyze_usage[] =
	"usage: ecdiag analyze --db CASE.db [--signatures DIR]\n"
	"\n"
	"Derive the versions, host facts, wizard runs and findings from what the\n"
	"case database holds, replacing the previous analysis. Prints nothing on\n"
	"success; 'ecdiag report' shows the result. --signatures DIR adds the\n"
	"signature files of DIR to the built-in ones (docs/SIGNATURES.md).\n"
	"\n"
	"exit codes: 0 healthy, 1 findings, 5 not enough evidence to judge, 3 nothing readable,\n"
	"2 usage, 4 database\n";

int
run_analyze(struct store *s, const char *sigdir)
{
	struct analysis a;
	struct sig_set *ss;
	int rc;

	if ((rc = load_signatures(sigdir, &ss)) != EC_EXIT_HEALTHY)
		return rc;
	rc = analyzer_run(s, ss);
	sigset_free(ss);
	if (rc != STORE_OK || analysis_load(s, &a) != STORE_OK) {
		errorf("analysis failed: %s", store_errmsg(s));
		return EC_EXIT_DB;
	}
	rc = analysis_exit_code(&a);
	analysis_release(&a);
	return rc;
}

int
cmd_analyze(int argc, char **argv)
{
	const char *db = NULL, *sigdir = NULL;
	struct store *s;
	int rc, r;

	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(analyze_usage, stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "--db", NULL, &db)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--signatures", NULL, &sigdir)) != 0) {
			if (r < 0)
				goto usage;
			continue;
		}
		return bad_option("analyze", argv[i]);
	}
	if (!db) {
		errorf("analyze needs --db CASE.db");
		goto usage;
	}
	if ((rc = open_store(db, STORE_RW, &s)) != EC_EXIT_HEALTHY)
		return rc;
	rc = run_analyze(s, sigdir);
	store_close(s);
	return rc;
usage:
	fputs(analyze_usage, stderr);
	return EC_EXIT_USAGE;
}
