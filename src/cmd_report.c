/* SPDX-License-Identifier: MIT */
/* cmd_report.c - 'ecdiag report' and 'ecdiag diagnose'. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "reports/report.h"
#include "src/cli.h"

static const char report_usage[] =
	"usage: ecdiag report --db CASE.db [--format text|md|html|json] [-o FILE]\n"
	"                     [--color auto|always|never] [--all-sources]\n"
	"\n"
	"Render the stored analysis: the verdict (upgrade outcome, versions, sync),\n"
	"findings by rank with evidence (file:line or record) and the fix, missing\n"
	"evidence, unexplained errors and what could not be read.\n"
	"\n"
	"formats:\n"
	"  text   for a terminal: colour only on a terminal without NO_COLOR, fitted\n"
	"         to its width ($COLUMNS, else 80, when not a terminal)\n"
	"  md     Markdown for a ticket\n"
	"  html   one self-contained file with a timeline, for a customer or a browser\n"
	"  json   the documented schema (docs/REPORT-SCHEMA.md)\n"
	"\n"
	"options:\n"
	"  --db FILE        case database\n"
	"  --format F       text (default), md, html or json\n"
	"  -o, --output F   write to F instead of standard output\n"
	"  --color WHEN     auto (default), always or never\n"
	"  --all-sources    list every source, not only those with problems\n"
	"\n"
	"exit codes: 0 healthy, 1 findings, 5 not enough evidence to judge, 3 nothing readable,\n"
	"2 usage, 4 database\n";

static const char diagnose_usage[] =
	"usage: ecdiag diagnose PATH... [--db CASE.db] [--format text|md|html|json] [-o FILE]\n"
	"                       [--signatures DIR] [ingest options]\n"
	"\n"
	"Ingest PATHs (files, folders, archives), analyze and report, in one step.\n"
	"Without --db the case database is kept in $ECDIAG_CASES, or else\n"
	"$XDG_STATE_HOME/ecdiag/cases, or else ~/.local/state/ecdiag/cases, named\n"
	"after the first PATH; its path is printed on stderr. --signatures DIR\n"
	"adds the signature files of DIR to the built-in ones (docs/SIGNATURES.md).\n"
	"\n"
	"options: as for 'ecdiag report' (--format, -o, --color, --all-sources) and\n"
	"'ecdiag ingest' (--utc-offset, --max-unpacked, --max-ratio, --max-depth,\n"
	"--exclude GLOB, --quiet)\n"
	"\n"
	"exit codes: 0 healthy, 1 findings, 5 not enough evidence to judge, 3 nothing readable,\n"
	"2 usage, 4 database\n";

/* Colour and width of the text report: only the command line knows the
 * terminal. Colour when stdout is a terminal and NO_COLOR is unset or
 * empty (https://no-color.org) and TERM is not "dumb", or --color always. */
static bool
want_color(const char *mode, bool to_stdout)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (strcmp(mode, "always") == 0)
		return true;
	if (strcmp(mode, "never") == 0 || !to_stdout || (nc && *nc))
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO) == 1;
}

static int
text_width(bool to_stdout)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	long n;

	if (to_stdout && isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (cols && (n = strtol(cols, NULL, 10)) > 0)
		return n > 1000 ? 1000 : (int)n;
	return 80;
}

int
run_report(struct store *s, const char *db_path, const struct report_args *ra)
{
	struct analysis a;
	struct report_opts ro = { db_path, ra->show_sources, 0, false };
	FILE *out = stdout;
	const char *format = ra->format, *out_path = ra->out_path;
	int rc, wrc;

	if (analysis_load(s, &a) != STORE_OK) {
		errorf("cannot read the analysis: %s", store_errmsg(s));
		return EC_EXIT_DB;
	}
	if (out_path && !(out = fopen(out_path, "w"))) {
		errorf("cannot write '%s': %s", out_path, strerror(errno));
		analysis_release(&a);
		return EC_EXIT_USAGE;
	}
	ro.width = text_width(out == stdout);
	ro.color = want_color(ra->color, out == stdout);
	if (strcmp(format, "json") == 0)
		wrc = report_json(out, &a, &ro);
	else if (strcmp(format, "md") == 0)
		wrc = report_md(out, &a, &ro);
	else if (strcmp(format, "html") == 0)
		wrc = report_html(out, &a, &ro);
	else
		wrc = report_text(out, &a, &ro);
	if (fflush(out) != 0)
		wrc = -1;
	if (out != stdout && fclose(out) != 0)
		wrc = -1;
	if (wrc != 0)
		errorf("cannot write the report%s%s: %s", out_path ? " to " : "", out_path ? out_path : "",
		       strerror(errno));
	rc = analysis_exit_code(&a);
	analysis_release(&a);
	return rc;
}

static bool
args_ok(const struct report_args *ra)
{
	const char *f = ra->format, *c = ra->color;

	if (strcmp(f, "text") != 0 && strcmp(f, "json") != 0 && strcmp(f, "md") != 0 && strcmp(f, "html") != 0) {
		errorf("unknown report format '%s' (text, md, html or json)", f);
		return false;
	}
	if (strcmp(c, "auto") != 0 && strcmp(c, "always") != 0 && strcmp(c, "never") != 0) {
		errorf("--color takes auto, always or never, not '%s'", c);
		return false;
	}
	return true;
}

int
cmd_report(int argc, char **argv)
{
	const char *db = NULL;
	struct report_args ra = { "text", NULL, "auto", false };
	struct store *s;
	int rc, r;

	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(report_usage, stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "--db", NULL, &db)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--format", "-f", &ra.format)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--output", "-o", &ra.out_path)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--color", NULL, &ra.color)) != 0) {
			if (r < 0)
				goto usage;
			continue;
		}
		if (opt_flag(argv[i], "--all-sources", NULL)) {
			ra.show_sources = true;
			continue;
		}
		return bad_option("report", argv[i]);
	}
	if (!db) {
		errorf("report needs --db CASE.db");
		goto usage;
	}
	if (!args_ok(&ra))
		goto usage;
	if ((rc = open_store(db, STORE_RO, &s)) != EC_EXIT_HEALTHY)
		return rc;
	rc = run_report(s, db, &ra);
	store_close(s);
	return rc;
usage:
	fputs(report_usage, stderr);
	return EC_EXIT_USAGE;
}

/* mkdir -p */
static bool
make_dirs(const char *path)
{
	char *p = xstrdup(path);
	bool ok = true;

	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			ok = false;
		*q = '/';
	}
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		ok = false;
	free(p);
	return ok;
}

/* The documented place for a case database when --db is not given:
 * <dir>/<name of first path>-<8 hex digits of the absolute paths>.db */
static char *
default_db(const char *const *paths, int npaths)
{
	const char *env = getenv("ECDIAG_CASES"), *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[PATH_MAX], absbuf[PATH_MAX], name[128];
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	const char *base, *end;
	size_t n;

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else if (xdg && *xdg)
		snprintf(dir, sizeof(dir), "%s/ecdiag/cases", xdg);
	else
		snprintf(dir, sizeof(dir), "%s/.local/state/ecdiag/cases", home && *home ? home : ".");
	for (int i = 0; i < npaths; i++) {
		const char *p = realpath(paths[i], absbuf) ? absbuf : paths[i];

		for (; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0) * 1099511628211ull;
	}
	/* Name after the first path's last component. */
	end = paths[0] + strlen(paths[0]);
	while (end > paths[0] + 1 && end[-1] == '/')
		end--;
	base = end;
	while (base > paths[0] && base[-1] != '/')
		base--;
	n = (size_t)(end - base);
	if (n == 0 || (n == 1 && *base == '.')) {
		const char *cwd = realpath(".", absbuf) ? strrchr(absbuf, '/') : NULL;

		base = cwd && cwd[1] ? cwd + 1 : "case";
		n = strlen(base);
	}
	if (n > 60)
		n = 60;
	for (size_t i = 0; i < n; i++) {
		char c = base[i];

		name[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				  c == '-' || c == '_' || c == '.'
			  ? c
			  : '_';
	}
	name[n] = '\0';
	if (!make_dirs(dir)) {
		errorf("cannot create the case directory '%s': %s", dir, strerror(errno));
		return NULL;
	}
	return xasprintf("%s/%s-%08x.db", dir, name, (unsigned)(h ^ (h >> 32)));
}

int
cmd_diagnose(int argc, char **argv)
{
	struct ingest_opts o;
	const char *db = NULL, *sigdir = NULL;
	struct report_args ra = { "text", NULL, "auto", false };
	const char **paths = xcalloc((size_t)argc, sizeof(*paths));
	char *dbfree = NULL;
	int npaths = 0, rc, r;
	struct store *s = NULL;

	ingest_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(diagnose_usage, stdout);
			free(paths);
			ingest_opts_release(&o);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "--db", NULL, &db)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--format", "-f", &ra.format)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--output", "-o", &ra.out_path)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--color", NULL, &ra.color)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--signatures", NULL, &sigdir)) != 0 ||
		    (r = ingest_opt(argc, argv, &i, &o)) != 0) {
			if (r < 0)
				goto usage;
			continue;
		}
		if (opt_flag(argv[i], "--all-sources", NULL)) {
			ra.show_sources = true;
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			while (++i < argc)
				paths[npaths++] = argv[i];
			break;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			free(paths);
			ingest_opts_release(&o);
			return bad_option("diagnose", argv[i]);
		}
		paths[npaths++] = argv[i];
	}
	if (npaths == 0) {
		errorf("diagnose needs at least one PATH");
		goto usage;
	}
	if (!args_ok(&ra))
		goto usage;
	if (!db) {
		if (!(db = dbfree = default_db(paths, npaths))) {
			free(paths);
			ingest_opts_release(&o);
			return EC_EXIT_DB;
		}
		if (!o.quiet)
			notef("case database: %s", db);
	}
	rc = open_store(db, STORE_RW, &s);
	if (rc == EC_EXIT_HEALTHY)
		rc = run_ingest(s, paths, npaths, &o);
	if (rc == EC_EXIT_HEALTHY || rc == EC_EXIT_NOINPUT) {
		int arc = run_analyze(s, sigdir);

		if (arc == EC_EXIT_DB || arc == EC_EXIT_USAGE)
			rc = arc;
		else
			rc = run_report(s, db, &ra);
	}
	store_close(s);
	free(paths);
	free(dbfree);
	ingest_opts_release(&o);
	return rc;
usage:
	fputs(diagnose_usage, stderr);
	free(paths);
	ingest_opts_release(&o);
	return EC_EXIT_USAGE;
}
