/* SPDX-License-Identifier: MIT */
/* cmd_ingest.c - 'ecdiag ingest': discovery -> sniffing -> parser -> store,
 * one transaction per source, with progress on a terminal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/xalloc.h"
#include "analyzer/clock.h"
#include "parser/relay.h"
#include "src/cli.h"

static const char ingest_usage[] =
	"usage: ecdiag ingest --db CASE.db [options] PATH...\n"
	"\n"
	"Read files, folders (recursively) and archives (.zip .7z .cab .tar .tar.gz,\n"
	"also nested; read in place, never extracted) into a case database. The\n"
	"format of each file is found from its content. Ingesting the same bytes\n"
	"again changes nothing; an interrupted ingest is completed by the next one.\n"
	"\n"
	"options:\n"
	"  --db FILE            case database (created if missing)\n"
	"  --utc-offset +HH:MM  UTC offset of local times whose offset neither the input\n"
	"                       nor the rest of the case reveals (default: read them\n"
	"                       as UTC, and say so)\n"
	"  --max-unpacked SIZE  most bytes read out of one archive (default 16G)\n"
	"  --max-ratio N        most unpacked bytes per packed byte (default 1000)\n"
	"  --max-depth N        most levels of archive in archive (default 4)\n"
	"  --exclude GLOB       do not read files whose base name or path below the\n"
	"                       PATH given matches GLOB (fnmatch; repeatable); they\n"
	"                       are listed in 'sources' as skipped\n"
	"  -q, --quiet          no progress and no summary on stderr\n"
	"\n"
	"exit codes: 0 the case holds readable input, 3 nothing readable, 2 usage, 4 database\n";

void
ingest_opts_init(struct ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->parse.max_line = EC_MAX_LINE;
	o->parse.max_record = EC_MAX_RECORD;
	o->limits.max_unpacked = EC_DEFAULT_MAX_UNPACKED;
	o->limits.max_ratio = EC_DEFAULT_MAX_RATIO;
	o->limits.max_depth = EC_DEFAULT_MAX_DEPTH;
}

void
ingest_opts_release(struct ingest_opts *o)
{
	free(o->exclude);
	o->exclude = NULL;
	o->limits.exclude = NULL;
	o->limits.nexclude = 0;
}

/* "+02:00", "-0530", "+2", "0" -> minutes east of UTC. */
static bool
parse_offset(const char *s, int *minutes)
{
	int sign = 1, h = 0, m = 0, nd = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	while (*s >= '0' && *s <= '9' && nd < 2) {
		h = h * 10 + (*s++ - '0');
		nd++;
	}
	if (nd == 0)
		return false;
	if (*s == ':')
		s++;
	if (*s) {
		if (!(s[0] >= '0' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] == '\0'))
			return false;
		m = (s[0] - '0') * 10 + (s[1] - '0');
	}
	if (h > 14)
		return false;
	*minutes = sign * (h * 60 + m);
	return true;
}

/* "16G", "500M", "1024" -> bytes. */
static bool
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

int
ingest_opt(int argc, char **argv, int *i, struct ingest_opts *o)
{
	const char *v;
	int r;
	uint64_t n;

	if ((r = opt_value(argc, argv, i, "--utc-offset", NULL, &v)) != 0) {
		if (r < 0)
			return -1;
		if (!parse_offset(v, &o->parse.utc_offset_min)) {
			errorf("--utc-offset: '%s' is not an offset like +02:00 or -05:00", v);
			return -1;
		}
		o->parse.have_offset = true;
		return 1;
	}
	if ((r = opt_value(argc, argv, i, "--max-unpacked", NULL, &v)) != 0) {
		if (r < 0)
			return -1;
		if (!parse_size(v, &o->limits.max_unpacked) || o->limits.max_unpacked == 0) {
			errorf("--max-unpacked: '%s' is not a size like 16G or 500M", v);
			return -1;
		}
		return 1;
	}
	if ((r = opt_value(argc, argv, i, "--max-ratio", NULL, &v)) != 0) {
		if (r < 0)
			return -1;
		if (!parse_size(v, &n) || n == 0 || n > 1000000000) {
			errorf("--max-ratio: '%s' is not a positive number", v);
			return -1;
		}
		o->limits.max_ratio = (unsigned)n;
		return 1;
	}
	if ((r = opt_value(argc, argv, i, "--max-depth", NULL, &v)) != 0) {
		if (r < 0)
			return -1;
		if (!parse_size(v, &n) || n > 32) {
			errorf("--max-depth: '%s' is not a number from 0 to 32", v);
			return -1;
		}
		o->limits.max_depth = (int)n;
		return 1;
	}
	if ((r = opt_value(argc, argv, i, "--exclude", NULL, &v)) != 0) {
		if (r < 0)
			return -1;
		if (!*v) {
			errorf("--exclude: give a glob such as README.md or '*.md'");
			return -1;
		}
		o->exclude = xrealloc(o->exclude, (o->limits.nexclude + 1) * sizeof(*o->exclude));
		o->exclude[o->limits.nexclude++] = v;
		o->limits.exclude = o->exclude;
		return 1;
	}
	if (opt_flag(argv[*i], "--quiet", "-q")) {
		o->quiet = true;
		return 1;
	}
	return 0;
}

int
open_store(const char *path, enum store_mode mode, struct store **s)
{
	char *err = NULL;
	int rc = store_open(path, mode, s, &err);

	if (rc != STORE_OK) {
		errorf("%s", err ? err : "cannot open case database");
		free(err);
		return EC_EXIT_DB;
	}
	return EC_EXIT_HEALTHY;
}

/* ---- the ingest run ------------------------------------------------------ */

struct ingest {
	struct store *s;
	struct relay *relay;		/* the store's thread (NULL: on this one) */
	const struct ingest_opts *o;
	struct buf text;		/* decoded head for sniffers */
	char *cur_path;			/* member being parsed (problems go to it) */
	char *last_failed;		/* member whose read error we recorded ourselves */
	bool store_failed;
	/* what this run did */
	uint64_t parsed, skipped, already, duplicates, failed, records, problems, archives_skipped;
	/* progress */
	bool tty;
	double t0, last_print;
	double delay;			/* seconds before progress shows (ECDIAG_PROGRESS_DELAY) */
	bool printed;
	struct ec_walk_stats *st;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(void *ctx, const struct ec_walk_stats *st)
{
	struct ingest *ig = ctx;
	double t = now_s();

	if (!ig->tty || t - ig->t0 < ig->delay || t - ig->last_print < 0.25)
		return;
	ig->last_print = t;
	ig->printed = true;
	fprintf(stderr, "\recdiag: %llu/%llu files, %.1f MB/s  ", (unsigned long long)st->files_done,
		(unsigned long long)st->files_total, (double)st->bytes_read / 1e6 / (t - ig->t0));
	fflush(stderr);
}

static void
clear_progress(struct ingest *ig)
{
	if (ig->printed) {
		fputs("\r\033[K", stderr);
		ig->printed = false;
	}
}

/* Decode the head of a file for the text sniffers. */
static void
decode_head(struct ingest *ig, const struct ec_member *m, struct enc_guess g, struct ec_sniff *sn)
{
	const unsigned char *p = m->head + g.bom;
	size_t n = m->head_len - g.bom;

	buf_reset(&ig->text);
	sn->raw = m->head;
	sn->raw_len = m->head_len;
	sn->enc = g;
	sn->name = m->name;
	sn->text = NULL;
	sn->text_len = 0;
	switch (g.enc) {
	case ENC_BINARY:
		return;
	case ENC_UTF16LE:
	case ENC_UTF16BE:
		utf16_to_utf8(&ig->text, p, n & ~(size_t)1, g.enc == ENC_UTF16BE);
		break;
	case ENC_CP1252:
		cp1252_to_utf8(&ig->text, p, n);
		break;
	case ENC_UTF8:
		buf_add(&ig->text, p, n);
		break;
	}
	sn->text = ig->text.data;
	sn->text_len = ig->text.len;
}

static const char *
skip_reason(const struct ec_member *m, struct enc_guess g)
{
	if (m->head_len == 0)
		return "empty file";
	if (g.enc == ENC_BINARY)
		return "binary content that no parser recognises";
	return "text that no parser recognises";
}

static int
on_file(void *ctx, struct ec_member *m)
{
	struct ingest *ig = ctx;
	struct enc_guess g = enc_sniff(m->head, m->head_len);
	struct ec_sniff sn;
	const struct ec_format *fmt;
	struct store_source src;
	char sha[65];
	uint64_t size = m->size;
	const char *err = NULL;
	bool read_ok;
	int64_t dup = 0;
	uint64_t records, problems;
	int rc;

	decode_head(ig, m, g, &sn);
	fmt = m->head_len ? ec_format_sniff(&sn) : NULL;
	src = (struct store_source){ m->path, m->name, m->container, m->depth, m->size, m->mtime,
				     fmt ? fmt->name : NULL, enc_name(g) };
	if (!fmt) {
		read_ok = ec_member_finish(m, sha, &size, &err);
		src.size = size;
		if (store_source_find(ig->s, m->path, sha)) {
			ig->already++;
			return 0;
		}
		if (store_note_source(ig->s, &src, sha, read_ok ? "skipped" : "failed",
				      read_ok ? skip_reason(m, g) : err, 0, 0) != STORE_OK)
			goto store_fail;
		if (read_ok)
			ig->skipped++;
		else
			ig->failed++;
		return 0;
	}
	/* Seen this loose file before? Hash it first: cheaper than parsing. */
	if (m->depth == 0 && m->size != EC_SIZE_UNKNOWN &&
	    store_path_size_known(ig->s, m->path, m->size)) {
		if (ec_member_finish(m, sha, &size, &err) && store_source_find(ig->s, m->path, sha)) {
			ig->already++;
			return 0;
		}
		if (!ec_member_rewind(m)) {
			ig->failed++;
			return 0;
		}
	}
	if (store_begin_source(ig->s, &src) != STORE_OK)
		goto store_fail;
	free(ig->cur_path);
	ig->cur_path = xstrdup(m->path);
	{
		/* The parser on this thread, the store on the relay's. */
		const struct ec_sink *sink = ig->relay ? relay_sink(ig->relay) : store_sink(ig->s);
		struct ec_input inp = { m->in, g, m->name, &ig->o->parse, sink };
		int relayed;

		rc = fmt->parse(&inp);
		if (ig->relay && (relayed = relay_finish(ig->relay)) != 0 && rc <= 0)
			rc = relayed;
	}
	read_ok = ec_member_finish(m, sha, &size, &err);
	if (!read_ok) {
		ec_problemf(store_sink(ig->s), 0, size, 0, 0, "%s", err ? err : "read error");
		free(ig->last_failed);
		ig->last_failed = xstrdup(m->path);
	}
	free(ig->cur_path);
	ig->cur_path = NULL;
	if (rc > 0) {
		/* A sink stopped the parser: the store failed. */
		store_rollback_source(ig->s);
		goto store_fail;
	}
	if (store_source_find(ig->s, m->path, sha)) {
		store_rollback_source(ig->s);
		ig->already++;
		return 0;
	}
	records = store_current_counts(ig->s)->records;
	problems = store_current_counts(ig->s)->problems;
	rc = store_commit_source(ig->s, sha, size, &dup);
	if (rc == STORE_DUPLICATE) {
		ig->duplicates++;
		return 0;
	}
	if (rc != STORE_OK)
		goto store_fail;
	ig->parsed++;
	ig->records += records;
	ig->problems += problems;
	progress(ig, ig->st);
	return 0;
store_fail:
	clear_progress(ig);
	errorf("case database: %s", store_errmsg(ig->s));
	ig->store_failed = true;
	return 1;
}

/* A file --exclude keeps out: listed as skipped, never read. */
static void
on_excluded(void *ctx, const char *path, const char *glob)
{
	struct ingest *ig = ctx;
	const char *slash = strrchr(path, '/');
	struct store_source src = { path, slash ? slash + 1 : path, NULL, 0, UINT64_MAX, 0, NULL, NULL };
	char *reason = xasprintf("excluded by --exclude %s", glob);

	if (store_note_source(ig->s, &src, NULL, "skipped", reason, 0, 0) != STORE_OK) {
		errorf("case database: %s", store_errmsg(ig->s));
		ig->store_failed = true;
	}
	ig->skipped++;
	free(reason);
}

static enum ec_walk_verdict
on_archive(void *ctx, const char *path, const char *sha256, uint64_t size)
{
	struct ingest *ig = ctx;

	(void)size;
	if (store_source_find(ig->s, path, sha256)) {
		ig->archives_skipped++;
		return EC_WALK_SKIP;
	}
	return EC_WALK_GO;
}

static void
on_archive_done(void *ctx, const char *path, const char *sha256, uint64_t size, uint64_t members,
		bool complete)
{
	struct ingest *ig = ctx;
	const char *slash = strrchr(path, '/');
	struct store_source src = { path, slash ? slash + 1 : path, NULL, 0, size, 0, NULL, NULL };

	/* Only a complete walk lets a later ingest skip the whole archive. */
	if (complete && store_note_source(ig->s, &src, sha256, "archive", NULL, 0, members) != STORE_OK) {
		errorf("case database: %s", store_errmsg(ig->s));
		ig->store_failed = true;
	}
}

static void
on_problem(void *ctx, const char *path, uint64_t offset, const char *msg)
{
	struct ingest *ig = ctx;
	const char *slash = strrchr(path, '/');
	struct store_source src = { path, slash ? slash + 1 : path, NULL, 0, UINT64_MAX, 0, NULL, NULL };

	if (ig->cur_path && strcmp(ig->cur_path, path) == 0) {
		ec_problemf(store_sink(ig->s), 0, offset, 0, 0, "%s", msg);
		return;
	}
	if (ig->last_failed && strcmp(ig->last_failed, path) == 0)
		return;	/* already recorded with the source */
	ig->failed++;
	if (store_note_source(ig->s, &src, NULL, "failed", msg, 0, 0) != STORE_OK) {
		errorf("case database: %s", store_errmsg(ig->s));
		ig->store_failed = true;
	}
}

/* Does the case hold anything readable? */
static int
count_parsed(void *ctx, const struct store_source_row *r)
{
	if (strcmp(r->status, "parsed") == 0)
		(*(int64_t *)ctx)++;
	return 0;
}

/* The case holds files of several computers: say so once. */
static void
warn_hosts(const struct clock_summary *c)
{
	struct buf b;

	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < c->nhosts; i++)
		buf_addf(&b, "%s%s: %lld file%s", i ? ", " : "", c->hosts[i].name,
			 (long long)c->hosts[i].files, c->hosts[i].files == 1 ? "" : "s");
	warnf("these inputs come from %zu computers (%.*s); times and findings are kept per computer",
	      c->nhosts, (int)b.len, b.data);
	buf_release(&b);
}

int
run_ingest(struct store *s, const char *const *paths, int npaths, const struct ingest_opts *o)
{
	struct ingest ig = { 0 };
	struct ec_walk_stats st = { 0 };
	struct ec_walk_cb cb = { &ig, on_file, on_archive, on_archive_done, on_problem, progress,
				 on_excluded };
	struct clock_summary clock = { 0 };
	int64_t parsed_total = 0;

	ig.s = s;
	ig.o = o;
	ig.st = &st;
	store_set_given_offset(s, o->parse.have_offset, o->parse.utc_offset_min);
	ig.tty = !o->quiet && isatty(STDERR_FILENO);
	ig.t0 = now_s();
	ig.delay = getenv("ECDIAG_PROGRESS_DELAY") ? atof(getenv("ECDIAG_PROGRESS_DELAY")) : 1.0;
	buf_init(&ig.text, EC_HEAD_SIZE * 3 + 16);
	if (ig.tty)
		ec_walk_count(paths, npaths, &st);
	/* ECDIAG_ONE_THREAD=1 keeps the store on this thread (for comparisons). */
	if (!getenv("ECDIAG_ONE_THREAD"))
		ig.relay = relay_start(store_sink(s));
	if (store_ingest_begin(s) != STORE_OK) {
		errorf("case database: %s", store_errmsg(s));
		ig.store_failed = true;
	} else {
		ec_walk(paths, npaths, &o->limits, &cb, &st);
	}
	relay_stop(ig.relay);
	if (store_ingest_end(s) != STORE_OK) {
		errorf("case database: %s", store_errmsg(s));
		ig.store_failed = true;
	}
	/* One clock for the case, whatever the order the files came in. */
	if (!ig.store_failed && clock_settle(s, &clock) != STORE_OK) {
		errorf("case database: %s", store_errmsg(s));
		ig.store_failed = true;
	}
	if (clock.nhosts > 1)
		warn_hosts(&clock);
	clock_summary_release(&clock);
	clear_progress(&ig);
	buf_release(&ig.text);
	free(ig.cur_path);
	free(ig.last_failed);
	if (ig.store_failed)
		return EC_EXIT_DB;
	if (!o->quiet) {
		notef("read %llu file%s in %.2f s: %llu parsed (%llu records, %llu problems), %llu skipped,"
		      " %llu already in the case, %llu duplicate, %llu unreadable",
		      (unsigned long long)st.files_done, st.files_done == 1 ? "" : "s", now_s() - ig.t0,
		      (unsigned long long)ig.parsed, (unsigned long long)ig.records,
		      (unsigned long long)ig.problems, (unsigned long long)ig.skipped,
		      (unsigned long long)(ig.already + ig.archives_skipped),
		      (unsigned long long)ig.duplicates, (unsigned long long)ig.failed);
	}
	if (store_sources(s, count_parsed, &parsed_total) != STORE_OK) {
		errorf("case database: %s", store_errmsg(s));
		return EC_EXIT_DB;
	}
	if (parsed_total == 0) {
		errorf("nothing readable: no input could be parsed (see 'ecdiag sources')");
		return EC_EXIT_NOINPUT;
	}
	return EC_EXIT_HEALTHY;
}

int
cmd_ingest(int argc, char **argv)
{
	struct ingest_opts o;
	const char *db = NULL;
	const char **paths = xcalloc((size_t)argc, sizeof(*paths));
	int npaths = 0, rc, r;
	struct store *s = NULL;

	ingest_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(ingest_usage, stdout);
			free(paths);
			ingest_opts_release(&o);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "--db", NULL, &db)) != 0 ||
		    (r = ingest_opt(argc, argv, &i, &o)) != 0) {
			if (r < 0)
				goto usage;
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
			return bad_option("ingest", argv[i]);
		}
		paths[npaths++] = argv[i];
	}
	if (!db) {
		errorf("ingest needs --db CASE.db");
		goto usage;
	}
	if (npaths == 0) {
		errorf("ingest needs at least one PATH");
		goto usage;
	}
	rc = open_store(db, STORE_RW, &s);
	if (rc == EC_EXIT_HEALTHY)
		rc = run_ingest(s, paths, npaths, &o);
	store_close(s);
	free(paths);
	ingest_opts_release(&o);
	return rc;
usage:
	fputs(ingest_usage, stderr);
	free(paths);
	ingest_opts_release(&o);
	return EC_EXIT_USAGE;
}
