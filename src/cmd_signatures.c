/* SPDX-License-Identifier: MIT */
/* cmd_signatures.c - 'ecdiag signatures': list the signatures, check a
 * user's signature files; and the loading that analyze and diagnose share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/signature.h"
#include "common/buf.h"
#include "src/cli.h"

static const char signatures_usage[] =
	"usage: ecdiag signatures [--signatures DIR]\n"
	"       ecdiag signatures test FILE.json...\n"
	"\n"
	"The first form lists the signatures ecdiag applies: the built-in catalogue\n"
	"and, with --signatures, the *.json files of DIR (one with a built-in id\n"
	"replaces it). The second checks signature files as analyze would load them\n"
	"(every field, every pattern, every sample) and shows each sample line with\n"
	"what it does. The format is in docs/SIGNATURES.md.\n"
	"\n"
	"exit codes: 0 all signatures load, 1 a file failed, 2 usage\n";

int
load_signatures(const char *dir, struct sig_set **out)
{
	struct sig_set *ss = sigset_new();
	char *err = NULL;

	if (sigset_add_builtin(ss, &err) != 0 || (dir && sigset_add_dir(ss, dir, &err) != 0)) {
		errorf("%s", err);
		free(err);
		sigset_free(ss);
		return EC_EXIT_USAGE;
	}
	sigset_finish(ss);
	*out = ss;
	return EC_EXIT_HEALTHY;
}

static const char *
kinds_text(unsigned k, char *buf, size_t n)
{
	static const char *const names[] = { "trace", "msi", "event", "autoupgrade", "settings", "config", "run" };

	buf[0] = '\0';
	for (unsigned i = 0; i < 7; i++) {
		if (k & (1u << i)) {
			size_t l = strlen(buf);

			snprintf(buf + l, n - l, "%s%s", l ? "," : "", names[i]);
		}
	}
	return buf;
}

static void
on_sample(void *ctx, const struct sig_sample_result *r)
{
	int *bad = ctx;
	bool ok = r->matched == r->expect_match;
	const char *p = r->text;
	size_t n = strcspn(p, "\r\n");

	if (!ok)
		(*bad)++;
	printf("  %-8s %-10s", r->matched ? "match" : "no match", ok ? "" : "(WRONG)");
	if (r->clause >= 0)
		printf(" when[%d]", r->clause);
	printf("  %.*s%s\n", (int)(n > 100 ? 100 : n), p, n > 100 || p[n] ? " ..." : "");
}

static int
test_files(int argc, char **argv)
{
	int failed = 0;

	for (int i = 0; i < argc; i++) {
		struct sig_set *ss = sigset_new();
		FILE *f = fopen(argv[i], "rb");
		struct buf b;
		char chunk[8192], *err = NULL;
		size_t got;

		if (!f) {
			errorf("cannot open '%s': %s", argv[i], strerror(errno));
			failed++;
			sigset_free(ss);
			continue;
		}
		buf_init(&b, 1u << 20);
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&b, chunk, got);
		fclose(f);
		if (b.truncated) {
			errorf("%s: larger than 1 MiB; not a signature", argv[i]);
			failed++;
		} else if (sigset_add(ss, argv[i], b.data ? b.data : "", b.len, &err) != 0) {
			printf("%s: FAILED\n", argv[i]);
			errorf("%s", err);
			free(err);
			failed++;
		} else {
			const struct sig_info *in = sigset_info(ss, 0);
			int bad = 0;
			char kinds[96];

			printf("%s: ok  %s  %s/%s  sources %s  %zu clause%s\n", argv[i], in->id, in->severity,
			       in->confidence, kinds_text(in->kinds, kinds, sizeof(kinds)), in->nclauses,
			       in->nclauses == 1 ? "" : "s");
			sigset_samples(ss, 0, on_sample, &bad);
			failed += bad != 0;
		}
		buf_release(&b);
		sigset_free(ss);
	}
	printf("%d file%s, %d failed\n", argc, argc == 1 ? "" : "s", failed);
	return failed ? 1 : 0;
}

int
cmd_signatures(int argc, char **argv)
{
	const char *dir = NULL;
	struct sig_set *ss;
	int r;

	if (argc > 1 && strcmp(argv[1], "test") == 0) {
		if (argc < 3) {
			errorf("signatures test needs at least one FILE");
			fputs(signatures_usage, stderr);
			return EC_EXIT_USAGE;
		}
		return test_files(argc - 2, argv + 2);
	}
	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(signatures_usage, stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "--signatures", NULL, &dir)) != 0) {
			if (r < 0)
				goto usage;
			continue;
		}
		return bad_option("signatures", argv[i]);
	}
	if ((r = load_signatures(dir, &ss)) != EC_EXIT_HEALTHY)
		return 1;
	for (size_t i = 0; i < sigset_count(ss); i++) {
		const struct sig_info *in = sigset_info(ss, i);
		char kinds[96];

		printf("%-26s %-8s %-6s %-28s %s\n", in->id, in->severity, in->confidence,
		       kinds_text(in->kinds, kinds, sizeof(kinds)), in->title);
		if (dir && !strstr(in->origin, "(built in)"))
			printf("%-26s from %s\n", "", in->origin);
	}
	printf("%zu signatures\n", sigset_count(ss));
	sigset_free(ss);
	return 0;
usage:
	fputs(signatures_usage, stderr);
	return EC_EXIT_USAGE;
}
