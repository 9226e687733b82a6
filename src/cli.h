/* SPDX-License-Identifier: MIT */
/* cli.h - shared by the subcommands: messages, option reading, exit codes.
 * src/ is the only place that prints to the terminal or exits. */
#ifndef SRC_CLI_H
#define SRC_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/analyzer.h"
#include "parser/input.h"
#include "parser/parser.h"
#include "store/store.h"

/* Messages on stderr, git style: "ecdiag: error: cannot open 'x'". */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* If argv[*i] is the option long (or short, may be NULL) with a value
 * ("--db X", "--db=X", "-o X"), set *val, advance *i and return 1; return -1
 * (after a message) if the value is missing; 0 if it is another argument. */
int opt_value(int argc, char **argv, int *i, const char *lng, const char *shrt, const char **val);
bool opt_flag(const char *arg, const char *lng, const char *shrt);
/* An unknown option: message and EC_EXIT_USAGE. */
int bad_option(const char *cmd, const char *arg);

/* Options common to ingest and diagnose. */
struct ingest_opts {
	struct ec_options parse;		/* what parsers may depend on */
	struct ec_walk_limits limits;		/* archive guards, --exclude globs */
	const char **exclude;			/* the --exclude globs (argv strings) */
	bool quiet;				/* no progress, no summary */
};
void ingest_opts_init(struct ingest_opts *o);
void ingest_opts_release(struct ingest_opts *o);
/* Read one ingest option at argv[*i]; 1 taken, 0 not ours, -1 bad value. */
int ingest_opt(int argc, char **argv, int *i, struct ingest_opts *o);

/* Ingest paths into the open store. Returns an ec_exit code: HEALTHY when
 * the case now holds at least one parsed source, NOINPUT when it holds none,
 * DB when the store failed. */
int run_ingest(struct store *s, const char *const *paths, int npaths, const struct ingest_opts *o);
struct sig_set;
/* The built-in signatures plus the *.json of dir (may be NULL); prints why
 * not and returns EC_EXIT_USAGE when one fails to load. */
int load_signatures(const char *dir, struct sig_set **out);
int run_analyze(struct store *s, const char *sigdir);
/* Render the stored analysis; returns an ec_exit code. */
/* How the report is rendered: the format, where it goes, --all-sources,
 * --color auto|always|never. */
struct report_args {
	const char *format, *out_path, *color;
	bool show_sources;
};
int run_report(struct store *s, const char *db_path, const struct report_args *ra);
/* Open a case database, printing why not; returns an ec_exit code. */
int open_store(const char *path, enum store_mode mode, struct store **s);

int cmd_ingest(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_sources(int argc, char **argv);
int cmd_formats(int argc, char **argv);
int cmd_configdiff(int argc, char **argv);
int cmd_signatures(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
