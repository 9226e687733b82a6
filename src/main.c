/* SPDX-License-Identifier: MIT */
/* main.c - ecdiag's entry point: the subcommand table (git's commands[]). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "src/cli.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "diagnose", cmd_diagnose, "ingest, analyze and report in one step" },
	{ "ingest", cmd_ingest, "read files, folders and archives into a case database" },
	{ "analyze", cmd_analyze, "derive versions, runs and findings from what is stored" },
	{ "report", cmd_report, "render the analysis (text or json)" },
	{ "query", cmd_query, "run read-only SQL on a case database" },
	{ "sources", cmd_sources, "list every input: format, encoding, records, what was skipped" },
	{ "formats", cmd_formats, "list the input formats this build reads" },
	{ "signatures", cmd_signatures, "list the signatures; check signature files" },
	{ "export", cmd_export, "write events and findings as NDJSON (ECS fields), or the timeline as CSV" },
	{ "config-diff", cmd_configdiff, "compare two configuration exports: sync rules added, removed, changed" },
};

static const char usage_text[] =
	"usage: ecdiag <command> [options] [args]\n"
	"       ecdiag --version | --help\n"
	"\n"
	"Offline analysis of Microsoft Entra Connect (Azure AD Connect) upgrade and\n"
	"sync evidence: wizard trace logs and more, from folders and archives.\n"
	"\n"
	"commands:\n";

static const char exit_text[] =
	"\n"
	"exit codes:\n"
	"  0  healthy: no finding of severity warning or above, and positive evidence of\n"
	"     health (an upgrade that succeeded, sync runs that succeeded after it)\n"
	"  1  findings of severity warning or above\n"
	"  2  usage error\n"
	"  3  nothing readable: no input could be parsed\n"
	"  4  the case database could not be opened or written, or is from a newer ecdiag\n"
	"  5  not enough evidence to judge: no finding, but nothing shows health either\n"
	"\n"
	"'ecdiag <command> --help' tells more about each command.\n";

static void
usage(FILE *out)
{
	fputs(usage_text, out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs(exit_text, out);
}

static void
out_of_memory(size_t n)
{
	fprintf(stderr, "ecdiag: fatal: out of memory (allocating %zu bytes)\n", n);
}

static void
vmsg(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "ecdiag: %s", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void
warnf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void
notef(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

int
opt_value(int argc, char **argv, int *i, const char *lng, const char *shrt, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	if (strncmp(a, lng, n) == 0 && a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (strcmp(a, lng) != 0 && !(shrt && strcmp(a, shrt) == 0))
		return 0;
	if (*i + 1 >= argc) {
		errorf("option '%s' needs a value", a);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

bool
opt_flag(const char *arg, const char *lng, const char *shrt)
{
	return strcmp(arg, lng) == 0 || (shrt && strcmp(arg, shrt) == 0);
}

int
bad_option(const char *cmd, const char *arg)
{
	errorf("unknown option '%s' for '%s' (see 'ecdiag %s --help')", arg, cmd, cmd);
	return EC_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	xalloc_set_oom(out_of_memory);
	if (argc < 2) {
		usage(stderr);
		return EC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("ecdiag %s (case database schema %d)\n", ECDIAG_VERSION, STORE_SCHEMA_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			char *sub[] = { argv[2], (char *)"--help", NULL };

			for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
				if (strcmp(commands[i].name, argv[2]) == 0)
					return commands[i].fn(2, sub);
			}
		}
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, argv[1]) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	}
	errorf("'%s' is not an ecdiag command (see 'ecdiag --help')", argv[1]);
	return EC_EXIT_USAGE;
}
