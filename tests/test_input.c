/* SPDX-License-Identifier: MIT */
/* test_input.c - the discovery walker: directories, archives built at test
 * time with libarchive's writer (and gcab for CAB), nested archives, hashes,
 * the limits, damaged archives and unreadable paths. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "common/xalloc.h"
#include "parser/input.h"
#include "parser/input_int.h"
#include "support/testutil.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MiB ((size_t)1 << 20)

/* ---- helpers ------------------------------------------------------------- */

static void
sha_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	cr_assert(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL));
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static char *
scratch(const char *tag)
{
	const char *d = test_tmpdir(tag);

	cr_assert_not_null(d, "cannot make a scratch directory");
	return xstrdup(d);
}

static char *
join(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
put_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "cannot create '%s': %s", path, strerror(errno));
	cr_assert_eq(fwrite(p, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

/* mkdir -p dir/rel */
static void
mkdirs(const char *dir, const char *rel)
{
	char *cmd = xasprintf("mkdir -p '%s/%s'", dir, rel);

	cr_assert_eq(system(cmd), 0, "%s", cmd);
	free(cmd);
}

/* Text that compresses a little: numbered log lines. */
static char *
make_text(size_t n, unsigned seed)
{
	char *p = xmalloc(n + 1);
	size_t i = 0;

	while (i < n) {
		char line[96];
		int k = snprintf(line, sizeof(line), "%08u [%u] line of the log %u\r\n",
				 (unsigned)i, seed, (unsigned)(i * 2654435761u));

		for (int j = 0; j < k && i < n; j++)
			p[i++] = line[j];
	}
	p[n] = '\0';
	return p;
}

/* Bytes that do not compress. */
static unsigned char *
make_noise(size_t n, uint32_t seed)
{
	unsigned char *p = xmalloc(n ? n : 1);

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
	return p;
}

struct ent {
	const char *name;
	const void *data;
	size_t len;
	bool dir;
};

/* Write an archive with libarchive: format by name ("zip", "7zip", "ustar",
 * "pax", "raw"), filter by name or NULL, writer options (such as
 * "zip:compression=store") or NULL; a passphrase encrypts. */
static void
make_archive_opt(const char *path, const char *fmt, const char *filter, const char *options,
		 const char *passphrase, const struct ent *e, size_t n)
{
	struct archive *a = archive_write_new();

	cr_assert_eq(archive_write_set_format_by_name(a, fmt), ARCHIVE_OK, "format %s: %s", fmt,
		     archive_error_string(a));
	if (filter)
		cr_assert_eq(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK, "filter %s: %s",
			     filter, archive_error_string(a));
	if (options)
		cr_assert_eq(archive_write_set_options(a, options), ARCHIVE_OK, "options %s: %s",
			     options, archive_error_string(a));
	if (passphrase)
		cr_assert_eq(archive_write_set_passphrase(a, passphrase), ARCHIVE_OK);
	cr_assert_eq(archive_write_open_filename(a, path), ARCHIVE_OK, "%s", archive_error_string(a));
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();

		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_mtime(ae, 1700000000, 0);
		if (e[i].dir) {
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
		} else {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
			archive_entry_set_size(ae, (la_int64_t)e[i].len);
		}
		cr_assert_geq(archive_write_header(a, ae), ARCHIVE_WARN, "%s: %s", e[i].name,
			      archive_error_string(a));
		for (size_t off = 0; !e[i].dir && off < e[i].len;) {
			la_ssize_t w = archive_write_data(a, (const char *)e[i].data + off, e[i].len - off);

			cr_assert_gt(w, 0, "%s: %s", e[i].name, archive_error_string(a));
			off += (size_t)w;
		}
		archive_entry_free(ae);
	}
	cr_assert_eq(archive_write_close(a), ARCHIVE_OK, "%s", archive_error_string(a));
	archive_write_free(a);
}

static void
make_archive(const char *path, const char *fmt, const char *filter, const struct ent *e, size_t n)
{
	make_archive_opt(path, fmt, filter, NULL, NULL, e, n);
}

/* The same, into memory (to put inside another archive); caller frees. */
static char *
make_archive_mem(const char *dir, const char *fmt, const char *filter, const struct ent *e,
		 size_t n, size_t *len)
{
	char *tmp = join(dir, ".tmp-archive");
	char *p;

	make_archive(tmp, fmt, filter, e, n);
	p = slurp(tmp, len);
	cr_assert_not_null(p);
	unlink(tmp);
	free(tmp);
	return p;
}

/* ---- a recorder for the callbacks -------------------------------------------- */

enum read_mode {
	READ_ALL,		/* read everything, then ec_member_finish() */
	READ_PARTIAL_FINISH,	/* read rec.partial bytes, then ec_member_finish() */
	READ_PARTIAL_RETURN,	/* read rec.partial bytes and return */
	READ_REWIND,		/* read everything, rewind, read everything again */
	READ_FINISH_REWIND,	/* finish at once, rewind, read everything again */
	READ_NONE,		/* return at once */
};

struct seen {
	char *path, *name, *container;
	int depth;
	uint64_t size;		/* m->size */
	size_t head_len;
	bool head_ok;		/* m->head equals the first bytes of m->in */
	char sha[65];		/* from ec_member_finish() */
	char sha_read[65];	/* of the bytes the callback read itself */
	uint64_t got;		/* size from ec_member_finish() */
	bool ok;
	char *err;
	bool rewound;		/* ec_member_rewind() result */
	bool again_same;	/* a second finish gave the same answer */
};

struct rec {
	enum read_mode mode;
	size_t partial;
	int stop_after;		/* return 7 from the n-th file (0: never) */
	enum ec_walk_verdict verdict;
	struct seen f[64];
	int nf;
	char *prob[64], *prob_path[64];
	uint64_t prob_off[64];
	int np;
	char *arch[8], arch_sha[8][65];
	uint64_t arch_size[8];
	int na;
	char *done[8];
	uint64_t done_members[8];
	bool done_complete[8];
	int nd;
	int nprogress;
	struct ec_walk_stats last;
};

static struct rec R;
static unsigned char rbuf[1 << 16];

static int
rec_file(void *ctx, struct ec_member *m)
{
	struct rec *r = ctx;
	struct seen *s;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned diglen;
	size_t total = 0;
	long got;
	const char *err = NULL;
	char sha2[65];
	uint64_t size2;
	bool ok2;

	cr_assert_lt(r->nf, (int)ARRAY_LEN(r->f), "too many files");
	s = &r->f[r->nf++];
	s->path = xstrdup(m->path);
	s->name = xstrdup(m->name);
	s->container = m->container ? xstrdup(m->container) : NULL;
	s->depth = m->depth;
	s->size = m->size;
	s->head_len = m->head_len;
	s->head_ok = true;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	if (r->mode == READ_FINISH_REWIND) {
		s->ok = ec_member_finish(m, s->sha, &s->got, &err);
		cr_expect(s->ok && s->got == m->size, "first finish");
	}
	for (int pass = 0; pass < (r->mode == READ_REWIND || r->mode == READ_FINISH_REWIND ? 2 : 1);
	     pass++) {
		if (pass == 1) {
			s->rewound = ec_member_rewind(m);
			if (!s->rewound)
				break;
			EVP_DigestInit_ex(md, EVP_sha256(), NULL);
			total = 0;
		}
		while (r->mode != READ_NONE) {
			size_t want = sizeof(rbuf);

			if ((r->mode == READ_PARTIAL_FINISH || r->mode == READ_PARTIAL_RETURN)) {
				if (total >= r->partial)
					break;
				if (want > r->partial - total)
					want = r->partial - total;
			}
			/* Odd read sizes, to not line up with anything. */
			if (want > 1000 && total % 3 == 0)
				want = 1000 + total % 977;
			got = m->in->read(m->in->ctx, rbuf, want);
			if (got <= 0) {
				if (got < 0)
					cr_expect_not_null(m->in->error(m->in->ctx));
				break;
			}
			if (total < m->head_len) {
				size_t k = m->head_len - total < (size_t)got ? m->head_len - total : (size_t)got;

				if (memcmp(m->head + total, rbuf, k) != 0)
					s->head_ok = false;
			}
			EVP_DigestUpdate(md, rbuf, (size_t)got);
			total += (size_t)got;
		}
	}
	EVP_DigestFinal_ex(md, dig, &diglen);
	EVP_MD_CTX_free(md);
	for (unsigned i = 0; i < diglen; i++)
		snprintf(s->sha_read + 2 * i, 3, "%02x", dig[i]);
	if (r->mode != READ_PARTIAL_RETURN && r->mode != READ_NONE) {
		s->ok = ec_member_finish(m, s->sha, &s->got, &err);
		s->err = err ? xstrdup(err) : NULL;
		ok2 = ec_member_finish(m, sha2, &size2, &err);
		s->again_same = ok2 == s->ok && strcmp(sha2, s->sha) == 0 && size2 == s->got;
	}
	if (r->stop_after && r->nf == r->stop_after)
		return 7;
	return 0;
}

static enum ec_walk_verdict
rec_archive(void *ctx, const char *path, const char *sha256, uint64_t size)
{
	struct rec *r = ctx;

	cr_assert_lt(r->na, (int)ARRAY_LEN(r->arch));
	r->arch[r->na] = xstrdup(path);
	memcpy(r->arch_sha[r->na], sha256, 65);
	r->arch_size[r->na] = size;
	r->na++;
	return r->verdict;
}

static void
rec_archive_done(void *ctx, const char *path, const char *sha256, uint64_t size,
		 uint64_t members, bool complete)
{
	struct rec *r = ctx;

	cr_assert_lt(r->nd, (int)ARRAY_LEN(r->done));
	r->done[r->nd] = xstrdup(path);
	r->done_members[r->nd] = members;
	r->done_complete[r->nd] = complete;
	r->nd++;
}

static void
rec_problem(void *ctx, const char *path, uint64_t offset, const char *msg)
{
	struct rec *r = ctx;

	cr_assert_lt(r->np, (int)ARRAY_LEN(r->prob), "too many problems");
	r->prob[r->np] = xstrdup(msg);
	r->prob_path[r->np] = xstrdup(path);
	r->prob_off[r->np] = offset;
	r->np++;
}

static void
rec_progress(void *ctx, const struct ec_walk_stats *st)
{
	struct rec *r = ctx;

	r->nprogress++;
	r->last = *st;
}

static const struct ec_walk_cb rec_cb = {
	&R, rec_file, rec_archive, rec_archive_done, rec_problem, rec_progress, NULL,
};

static void
rec_free(void)
{
	for (int i = 0; i < R.nf; i++) {
		free(R.f[i].path);
		free(R.f[i].name);
		free(R.f[i].container);
		free(R.f[i].err);
	}
	for (int i = 0; i < R.np; i++) {
		free(R.prob[i]);
		free(R.prob_path[i]);
	}
	for (int i = 0; i < R.na; i++)
		free(R.arch[i]);
	for (int i = 0; i < R.nd; i++)
		free(R.done[i]);
	memset(&R, 0, sizeof(R));
}

static int
walk(const char *const *paths, int n, const struct ec_walk_limits *lim, struct ec_walk_stats *st)
{
	return ec_walk(paths, n, lim, &rec_cb, st);
}

static int
walk1(const char *path, const struct ec_walk_limits *lim)
{
	return walk(&path, 1, lim, NULL);
}

static const struct seen *
find(const char *path)
{
	for (int i = 0; i < R.nf; i++) {
		if (strcmp(R.f[i].path, path) == 0)
			return &R.f[i];
	}
	return NULL;
}

/* A file was handed over whole and its hash is that of want. */
static void
expect_file(const char *path, const void *want, size_t len)
{
	const struct seen *s = find(path);
	char sha[65];

	cr_assert_not_null(s, "'%s' not handed over", path);
	sha_hex(want, len, sha);
	cr_expect(s->ok, "'%s': %s", path, s->err ? s->err : "?");
	cr_expect_str_eq(s->sha, sha, "'%s': hash", path);
	cr_expect_str_eq(s->sha_read, sha, "'%s': hash of the bytes read", path);
	cr_expect_eq(s->got, len, "'%s': size %llu, want %zu", path, (unsigned long long)s->got, len);
	cr_expect_eq(s->head_len, len < EC_HEAD_SIZE ? len : EC_HEAD_SIZE, "'%s': head", path);
	cr_expect(s->head_ok, "'%s': head differs from the stream", path);
	cr_expect(s->again_same, "'%s': finish is not idempotent", path);
}

static const char *
problem_with(const char *needle)
{
	for (int i = 0; i < R.np; i++) {
		if (strstr(R.prob[i], needle))
			return R.prob[i];
	}
	return NULL;
}

static void
dump_problems(void)
{
	for (int i = 0; i < R.np; i++)
		cr_log_info("problem %d: %s: %s", i, R.prob_path[i], R.prob[i]);
}

/* ---- sniffing ------------------------------------------------------------------ */

Test(input, sniff_table)
{
	static unsigned char tar[512];
	static const struct {
		const char *what;
		const char *p;
		size_t n;
		enum ec_akind kind;
	} cases[] = {
		{ "zip", "PK\3\4\x14\0\0\0", 8, EC_AK_ZIP },
		{ "empty zip", "PK\5\6\0\0\0\0", 8, EC_AK_ZIP },
		{ "short zip", "PK\3", 3, EC_AK_NONE },
		{ "7z", "7z\xBC\xAF\x27\x1C\0\4", 8, EC_AK_7Z },
		{ "cab", "MSCF\0\0\0\0\x10\0", 10, EC_AK_CAB },
		{ "text starting MSCF", "MSCF says hello", 15, EC_AK_NONE },
		{ "gzip", "\x1F\x8B\x08\0", 4, EC_AK_GZIP },
		{ "gzip, other method", "\x1F\x8B\x07\0", 4, EC_AK_NONE },
		{ "xz", "\xFD" "7zXZ\0\0\4", 8, EC_AK_XZ },
		{ "bzip2", "BZh91AY&SY", 10, EC_AK_BZIP2 },
		{ "empty bzip2", "BZh9\x17\x72\x45\x38\x50\x90", 10, EC_AK_BZIP2 },
		{ "text starting BZh", "BZh9 is not bzip2", 17, EC_AK_NONE },
		{ "text", "PKZIP is a program", 18, EC_AK_NONE },
		{ "empty", "", 0, EC_AK_NONE },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		cr_expect_eq(ec_sniff_archive((const unsigned char *)cases[i].p, cases[i].n),
			     cases[i].kind, "%s", cases[i].what);
	memset(tar, 0, sizeof(tar));
	memcpy(tar + 257, "ustar\0" "00", 8);
	cr_expect_eq(ec_sniff_archive(tar, sizeof(tar)), EC_AK_TAR);
	memcpy(tar + 257, "ustar  \0", 8);
	cr_expect_eq(ec_sniff_archive(tar, sizeof(tar)), EC_AK_TAR, "gnu tar");
	cr_expect_eq(ec_sniff_archive(tar, 261), EC_AK_NONE, "tar head too short");
}

/* ---- directories ----------------------------------------------------------------- */

Test(input, directory_tree_in_name_order)
{
	static const char *const files[] = {
		"b.log", "a.txt", "Z.txt", "empty.log", "sub/c.log", "sub/a/d.txt", "sub/a/e.txt",
	};
	/* Byte order: upper case first; links to files followed, to directories not. */
	static const char *const order[] = {
		"Z.txt", "a.txt", "b.log", "empty.log", "link.txt", "sub/a/d.txt", "sub/a/e.txt",
		"sub/c.log",
	};
	char *dir = scratch("input-tree");
	char *root = join(dir, "tree");
	char *contents[ARRAY_LEN(files)];
	struct ec_walk_stats st, count;
	uint64_t bytes = 0;
	char *p;

	memset(&st, 0, sizeof(st));
	mkdirs(root, "sub/a");
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		size_t n = strcmp(files[i], "empty.log") == 0 ? 0 : 100 + i * 30000;

		contents[i] = make_text(n, (unsigned)i);
		p = join(root, files[i]);
		put_file(p, contents[i], n);
		free(p);
		bytes += n;
	}
	p = join(root, "link.txt");
	cr_assert_eq(symlink("a.txt", p), 0);
	free(p);
	p = join(root, "link-to-sub");
	cr_assert_eq(symlink("sub", p), 0);
	free(p);
	p = join(root, "fifo");
	cr_assert_eq(mkfifo(p, 0600), 0);
	free(p);

	ec_walk_count((const char *const *)&root, 1, &count);
	cr_expect_eq(count.files_total, ARRAY_LEN(files) + 1, "files %llu",
		     (unsigned long long)count.files_total);
	cr_expect_eq(count.bytes_total, bytes + 100 + 30000);
	st.files_total = count.files_total;
	st.bytes_total = count.bytes_total;

	cr_assert_eq(walk((const char *const *)&root, 1, NULL, &st), 0);
	dump_problems();
	cr_expect_eq(R.np, 0);
	cr_assert_eq(R.nf, (int)ARRAY_LEN(order));
	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		char *want = join(root, order[i]);

		cr_expect_str_eq(R.f[i].path, want);
		cr_expect_eq(R.f[i].depth, 0);
		cr_expect_null(R.f[i].container);
		free(want);
	}
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *path = join(root, files[i]);
		size_t n = strcmp(files[i], "empty.log") == 0 ? 0 : 100 + i * 30000;
		const struct seen *s = find(path);

		expect_file(path, contents[i], n);
		cr_expect_eq(s->size, n);
		cr_expect_str_eq(s->name, strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i]);
		free(path);
		free(contents[i]);
	}
	cr_expect_eq(st.files_done, ARRAY_LEN(order));
	cr_expect_eq(st.bytes_read, st.bytes_total, "bytes read %llu of %llu",
		     (unsigned long long)st.bytes_read, (unsigned long long)st.bytes_total);
	cr_expect_geq(R.nprogress, (int)ARRAY_LEN(order));
	cr_expect_eq(R.last.files_done, ARRAY_LEN(order));
	cr_expect_eq(R.na, 0);
	rec_free();

	/* A trailing slash gives no double slash; a link to a directory given
	 * as an argument is followed. */
	p = xasprintf("%s/", root);
	cr_assert_eq(walk1(p, NULL), 0);
	cr_assert_eq(R.nf, (int)ARRAY_LEN(order));
	free(p);
	p = join(root, "Z.txt");
	cr_expect_str_eq(R.f[0].path, p);
	free(p);
	rec_free();
	p = join(root, "link-to-sub");
	cr_assert_eq(walk1(p, NULL), 0);
	cr_expect_eq(R.nf, 3);
	free(p);
	p = join(root, "link-to-sub/a/d.txt");
	cr_expect_str_eq(R.f[0].path, p);
	free(p);
	rec_free();
	free(root);
	free(dir);
}

/* A loose file's name is its last component, whatever it contains. */
Test(input, names_with_bang)
{
	char *dir = scratch("input-bang");
	char *path = join(dir, "odd!name.log");

	put_file(path, "x\n", 2);
	cr_assert_eq(walk1(path, NULL), 0);
	cr_assert_eq(R.nf, 1);
	cr_expect_str_eq(R.f[0].name, "odd!name.log");
	rec_free();
	free(path);
	free(dir);
}

/* ---- archives --------------------------------------------------------------------- */

Test(input, zip_with_tar_gz_inside)
{
	char *dir = scratch("input-nested");
	char *log = make_text(150000, 1), *readme = make_text(500, 2);
	unsigned char *noise = make_noise(100000, 1);
	/* The noise makes the tar.gz larger than the head: it is read on
	 * from the zip member after the head is replayed. */
	struct ent inner[] = {
		{ "x/", NULL, 0, true },
		{ "x/trace.log", log, 150000, false },
		{ "x/noise.bin", noise, 100000, false },
	};
	size_t tgzlen, ziplen;
	char *tgz = make_archive_mem(dir, "ustar", "gzip", inner, 3, &tgzlen);
	struct ent outer[] = {
		{ "readme.txt", readme, 500, false },
		{ "logs/", NULL, 0, true },
		{ "logs/inner.tar.gz", tgz, tgzlen, false },
	};
	char *zip = join(dir, "outer.zip"), *zipbytes, sha[65], *p;

	cr_assert_gt(tgzlen, EC_HEAD_SIZE);
	make_archive(zip, "zip", NULL, outer, ARRAY_LEN(outer));
	cr_assert_eq(walk1(zip, NULL), 0);
	dump_problems();
	cr_expect_eq(R.np, 0);
	cr_assert_eq(R.nf, 3);

	p = xasprintf("%s!readme.txt", zip);
	cr_expect_str_eq(R.f[0].path, p);
	cr_expect_str_eq(R.f[0].name, "readme.txt");
	cr_expect_eq(R.f[0].depth, 1);
	cr_expect_str_eq(R.f[0].container, zip);
	expect_file(p, readme, 500);
	free(p);

	p = xasprintf("%s!logs/inner.tar.gz!x/trace.log", zip);
	cr_expect_str_eq(R.f[1].path, p);
	cr_expect_str_eq(R.f[1].name, "trace.log");
	cr_expect_eq(R.f[1].depth, 2);
	cr_expect_str_eq(R.f[1].container, zip);
	cr_expect_eq(R.f[1].size, 150000);
	expect_file(p, log, 150000);
	free(p);
	p = xasprintf("%s!logs/inner.tar.gz!x/noise.bin", zip);
	expect_file(p, noise, 100000);
	free(p);

	zipbytes = slurp(zip, &ziplen);
	sha_hex(zipbytes, ziplen, sha);
	cr_assert_eq(R.na, 1);
	cr_expect_str_eq(R.arch[0], zip);
	cr_expect_str_eq(R.arch_sha[0], sha);
	cr_expect_eq(R.arch_size[0], ziplen);
	cr_assert_eq(R.nd, 1);
	cr_expect_str_eq(R.done[0], zip);
	cr_expect_eq(R.done_members[0], 3);
	cr_expect(R.done_complete[0]);
	rec_free();
	free(noise);
	free(zipbytes);
	free(zip);
	free(tgz);
	free(log);
	free(readme);
	free(dir);
}

struct fmt_case {
	const char *fmt, *filter, *file;
};

/* Members come out byte for byte, hashed right, from every format. */
Test(input, member_hash_every_format)
{
	static const struct fmt_case cases[] = {
		{ "zip", NULL, "a.zip" },
		{ "7zip", NULL, "a.7z" },
		{ "ustar", NULL, "a.tar" },
		{ "pax", "gzip", "a.tar.gz" },
		{ "pax", "bzip2", "a.tar.bz2" },
		{ "ustar", "xz", "a.tar.xz" },
	};
	char *dir = scratch("input-formats");
	unsigned char *noise = make_noise(200000, 7);
	char *text = make_text(70001, 3);
	struct ent ents[] = {
		{ "big.bin", noise, 200000, false },
		{ "sub/", NULL, 0, true },
		{ "sub/small.txt", text, 70001, false },
		{ "sub/empty.txt", "", 0, false },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *path = join(dir, cases[i].file);
		static const char *const names[] = { "big.bin", "sub/small.txt", "sub/empty.txt" };
		const void *data[] = { noise, text, "" };
		size_t lens[] = { 200000, 70001, 0 };

		make_archive(path, cases[i].fmt, cases[i].filter, ents, ARRAY_LEN(ents));
		cr_assert_eq(walk1(path, NULL), 0);
		dump_problems();
		cr_expect_eq(R.np, 0, "%s: problems", cases[i].file);
		cr_expect_eq(R.nf, 3, "%s: %d files", cases[i].file, R.nf);
		for (size_t k = 0; k < 3; k++) {
			char *mp = xasprintf("%s!%s", path, names[k]);
			const struct seen *s = find(mp);

			expect_file(mp, data[k], lens[k]);
			if (s) {
				cr_expect(s->size == lens[k] || s->size == EC_SIZE_UNKNOWN,
					  "%s: size %llu", mp, (unsigned long long)s->size);
				cr_expect_eq(s->depth, 1);
			}
			free(mp);
		}
		cr_expect(R.nd == 1 && R.done_complete[0] && R.done_members[0] == 3, "%s: done",
			  cases[i].file);
		rec_free();
		free(path);
	}
	free(noise);
	free(text);
	free(dir);
}

/* The callback reads part of a loose file; ec_member_finish() reads the
 * rest and the hash is that of the whole file. */
Test(input, loose_partial_read_then_finish)
{
	static const size_t partials[] = { 0, 1, 1000, 65535, 65536, 65537, 150000, 300000, 400000 };
	char *dir = scratch("input-partial");
	char *path = join(dir, "big.log");
	char *text = make_text(300000, 9);
	char sha[65];

	put_file(path, text, 300000);
	sha_hex(text, 300000, sha);
	for (size_t i = 0; i < ARRAY_LEN(partials); i++) {
		struct ec_walk_stats st;

		R.mode = READ_PARTIAL_FINISH;
		R.partial = partials[i];
		cr_assert_eq(walk1(path, NULL), 0);
		cr_assert_eq(R.nf, 1);
		cr_expect(R.f[0].ok);
		cr_expect_str_eq(R.f[0].sha, sha, "partial %zu", partials[i]);
		cr_expect_eq(R.f[0].got, 300000);
		cr_expect(R.f[0].again_same);
		cr_expect(R.f[0].head_ok);
		rec_free();

		/* The callback returns early: the walker reads the rest. */
		memset(&st, 0, sizeof(st));
		R.mode = READ_PARTIAL_RETURN;
		R.partial = partials[i];
		cr_assert_eq(walk((const char *const *)&path, 1, NULL, &st), 0);
		cr_expect_eq(R.nf, 1);
		cr_expect_eq(R.np, 0);
		cr_expect_eq(st.files_done, 1);
		cr_expect_eq(st.bytes_read, 300000);
		rec_free();
	}
	free(text);
	free(path);
	free(dir);
}

Test(input, loose_rewind)
{
	char *dir = scratch("input-rewind");
	char *path = join(dir, "r.log"), *zip = join(dir, "r.zip");
	char *text = make_text(200000, 4);
	struct ent ents[] = { { "m.log", text, 200000, false } };
	struct ec_walk_stats st;
	char sha[65], *mp;

	put_file(path, text, 200000);
	sha_hex(text, 200000, sha);
	memset(&st, 0, sizeof(st));
	R.mode = READ_REWIND;
	cr_assert_eq(walk((const char *const *)&path, 1, NULL, &st), 0);
	cr_assert_eq(R.nf, 1);
	cr_expect(R.f[0].rewound);
	cr_expect_str_eq(R.f[0].sha_read, sha, "second pass");
	cr_expect_str_eq(R.f[0].sha, sha, "hash after rewind");
	cr_expect_eq(R.f[0].got, 200000, "size counted once");
	cr_expect(R.f[0].head_ok);
	cr_expect_eq(st.bytes_read, 200000, "bytes_read counts the file once");
	rec_free();

	/* Finished (hashed) first, then rewound and read again (the ingest
	 * command's order): the stream starts over and finishes again. */
	R.mode = READ_FINISH_REWIND;
	cr_assert_eq(walk1(path, NULL), 0);
	cr_assert_eq(R.nf, 1);
	cr_expect(R.f[0].rewound);
	cr_expect_str_eq(R.f[0].sha_read, sha, "read after finish and rewind");
	cr_expect_str_eq(R.f[0].sha, sha, "second finish");
	cr_expect_eq(R.f[0].got, 200000);
	cr_expect(R.f[0].head_ok);
	rec_free();

	/* Archive members cannot be rewound. */
	make_archive(zip, "zip", NULL, ents, 1);
	R.mode = READ_REWIND;
	cr_assert_eq(walk1(zip, NULL), 0);
	cr_assert_eq(R.nf, 1);
	cr_expect(!R.f[0].rewound);
	mp = xasprintf("%s!m.log", zip);
	expect_file(mp, text, 200000);
	free(mp);
	rec_free();
	free(text);
	free(zip);
	free(path);
	free(dir);
}

struct depth_case {
	int max_depth;
	const char *member;	/* path after the top archive's */
	int depth;
	int content;		/* index into the layers: 0 d.log, 1 c.zip, 2 b.zip, 3 a.zip */
	bool problem;
};

Test(input, depth_limit)
{
	static const struct depth_case cases[] = {
		{ 0, "", 0, 3, true },
		{ 1, "!b.zip", 1, 2, true },
		{ 2, "!b.zip!c.zip", 2, 1, true },
		{ 3, "!b.zip!c.zip!d.log", 3, 0, false },
		{ 4, "!b.zip!c.zip!d.log", 3, 0, false },
	};
	char *dir = scratch("input-depth");
	char *d = make_text(3000, 5);
	char *layer[4];
	size_t len[4];
	char *top = join(dir, "a.zip");

	layer[0] = d;
	len[0] = 3000;
	for (int i = 1; i <= 3; i++) {
		static const char *const names[] = { "d.log", "c.zip", "b.zip" };
		struct ent e = { names[i - 1], layer[i - 1], len[i - 1], false };

		layer[i] = make_archive_mem(dir, "zip", NULL, &e, 1, &len[i]);
	}
	put_file(top, layer[3], len[3]);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct depth_case *c = &cases[i];
		struct ec_walk_limits lim = { EC_DEFAULT_MAX_UNPACKED, EC_DEFAULT_MAX_RATIO, c->max_depth,
					      NULL, 0 };
		char *want = xasprintf("%s%s", top, c->member);

		cr_assert_eq(walk1(top, &lim), 0);
		dump_problems();
		cr_assert_eq(R.nf, 1, "max_depth %d: %d files", c->max_depth, R.nf);
		cr_expect_str_eq(R.f[0].path, want, "max_depth %d", c->max_depth);
		cr_expect_eq(R.f[0].depth, c->depth, "max_depth %d", c->max_depth);
		expect_file(want, layer[c->content], len[c->content]);
		if (c->problem)
			cr_expect(R.np == 1 && strstr(R.prob[0], "not opened") &&
				  strstr(R.prob[0], "depth limit"), "max_depth %d: problem", c->max_depth);
		else
			cr_expect_eq(R.np, 0, "max_depth %d", c->max_depth);
		rec_free();
		free(want);
	}
	for (int i = 0; i <= 3; i++)
		free(layer[i]);
	free(top);
	free(dir);
}

struct guard_case {
	const char *what;
	struct ec_walk_limits lim;
	bool nested;		/* the bomb zip inside another zip */
	const char *why;
};

/* 50 MiB of zeros in a zip: the limits stop it, name the member, and skip
 * the rest of the archive; what came before is kept. */
Test(input, guard_limits)
{
	static const struct guard_case cases[] = {
		{ "max_unpacked", { 10 << 20, 0, 4, NULL, 0 }, false,
		  "unpacked size over the limit of 10 MiB" },
		{ "max_ratio", { EC_DEFAULT_MAX_UNPACKED, 100, 4, NULL, 0 }, false,
		  "compression ratio over 100:1 (zip bomb?)" },
		{ "max_unpacked nested", { 10 << 20, 0, 4, NULL, 0 }, true,
		  "unpacked size over the limit of 10 MiB" },
	};
	char *dir = scratch("input-guard");
	size_t zlen = 50 * MiB, bomblen;
	char *zeros = xcalloc(1, zlen), *first = make_text(5000, 1), *after = make_text(100, 2);
	struct ent bomb_ents[] = {
		{ "first.log", first, 5000, false },
		{ "zeros.bin", zeros, zlen, false },
		{ "after.log", after, 100, false },
	};
	char *bomb = make_archive_mem(dir, "zip", NULL, bomb_ents, 3, &bomblen);
	char *plain = join(dir, "bomb.zip"), *outer = join(dir, "outer.zip");
	struct ent outer_ents[] = { { "bomb.zip", bomb, bomblen, false } };

	put_file(plain, bomb, bomblen);
	make_archive(outer, "zip", NULL, outer_ents, 1);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct guard_case *c = &cases[i];
		const char *top = c->nested ? outer : plain;
		const char *pre = c->nested ? "bomb.zip!" : "";
		char *msg = xasprintf("archive '%s': member '%szeros.bin': %s, rest of the archive skipped",
				      top, pre, c->why);
		char *fpath = xasprintf("%s!%sfirst.log", top, pre);
		char *zpath = xasprintf("%s!%szeros.bin", top, pre);
		const struct seen *z;

		cr_assert_eq(walk1(top, &c->lim), 0);
		dump_problems();
		cr_expect_eq(R.np, 1, "%s: %d problems", c->what, R.np);
		cr_expect(R.np >= 1 && strcmp(R.prob[0], msg) == 0, "%s: problem '%s', want '%s'",
			  c->what, R.np ? R.prob[0] : "", msg);
		cr_expect(R.np >= 1 && strcmp(R.prob_path[0], top) == 0);
		expect_file(fpath, first, 5000);
		z = find(zpath);
		cr_assert_not_null(z, "%s: zeros.bin not handed over", c->what);
		cr_expect(!z->ok);
		cr_expect(z->err && strstr(z->err, c->why) && strstr(z->err, zpath),
			  "%s: member error '%s'", c->what, z->err ? z->err : "");
		cr_expect_leq(z->got, c->lim.max_unpacked);
		cr_expect_eq(R.nf, 2, "%s: after.log must not be read", c->what);
		cr_expect(R.nd == 1 && !R.done_complete[0], "%s: archive_done", c->what);
		rec_free();
		free(msg);
		free(fpath);
		free(zpath);
	}
	free(zeros);
	free(first);
	free(after);
	free(bomb);
	free(plain);
	free(outer);
	free(dir);
}

/* A zip of a.log (text), b.bin (300000 bytes of noise: its data runs from a
 * few KiB to past 300000) and c.log; returns its path. */
static char *
damaged_fixture(const char *dir, char **a, unsigned char **b, char **c, size_t *blen)
{
	char *zip = join(dir, "d.zip");
	struct ent ents[3];

	*a = make_text(20000, 1);
	*blen = 300000;
	*b = make_noise(*blen, 3);
	*c = make_text(5000, 2);
	ents[0] = (struct ent){ "a.log", *a, 20000, false };
	ents[1] = (struct ent){ "b.bin", *b, *blen, false };
	ents[2] = (struct ent){ "c.log", *c, 5000, false };
	make_archive(zip, "zip", NULL, ents, 3);
	return zip;
}

Test(input, truncated_zip)
{
	char *dir = scratch("input-trunc");
	char *a, *c, *zip, *after = join(dir, "z-after.txt"), *mp;
	unsigned char *b;
	size_t blen;
	const char *paths[2];
	struct stat st;

	zip = damaged_fixture(dir, &a, &b, &c, &blen);
	cr_assert_eq(stat(zip, &st), 0);
	cr_assert_eq(truncate(zip, st.st_size / 2), 0);
	put_file(after, "after\n", 6);
	paths[0] = zip;
	paths[1] = after;
	cr_assert_eq(walk(paths, 2, NULL, NULL), 0);
	dump_problems();
	mp = xasprintf("%s!a.log", zip);
	expect_file(mp, a, 20000);
	free(mp);
	cr_expect_geq(R.np, 1);
	cr_expect_not_null(problem_with(zip), "no problem names the archive");
	cr_expect_not_null(find(after), "the walk did not go on");
	cr_expect(R.nd == 1 && !R.done_complete[0]);
	rec_free();
	free(a);
	free(b);
	free(c);
	free(zip);
	free(after);
	free(dir);
}

Test(input, zip_with_garbage_in_the_middle)
{
	char *dir = scratch("input-garbage");
	char *a, *c, *zip, *mp;
	unsigned char *b, *junk;
	size_t blen;
	FILE *f;

	zip = damaged_fixture(dir, &a, &b, &c, &blen);
	junk = make_noise(4096, 99);
	/* Well inside b.bin's data (a.log compresses to a few KiB). */
	f = fopen(zip, "r+b");
	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, 100000, SEEK_SET), 0);
	cr_assert_eq(fwrite(junk, 1, 4096, f), 4096);
	fclose(f);
	cr_assert_eq(walk1(zip, NULL), 0);
	dump_problems();
	mp = xasprintf("%s!a.log", zip);
	expect_file(mp, a, 20000);
	free(mp);
	mp = xasprintf("%s!b.bin", zip);
	cr_expect(find(mp) && !find(mp)->ok, "b.bin must fail");
	cr_expect_not_null(problem_with(mp), "no problem names b.bin");
	free(mp);
	mp = xasprintf("%s!c.log", zip);
	expect_file(mp, c, 5000);
	free(mp);
	cr_expect(R.nd == 1 && !R.done_complete[0]);
	rec_free();
	free(junk);
	free(a);
	free(b);
	free(c);
	free(zip);
	free(dir);
}

/* Names never decide: notes.zip is text, data.txt is a zip. */
Test(input, content_not_name_decides)
{
	char *dir = scratch("input-names");
	char *fake = join(dir, "notes.zip"), *real = join(dir, "data.txt"), *mp;
	char *text = make_text(1000, 1);
	struct ent e = { "m.log", text, 1000, false };
	const char *paths[2];

	put_file(fake, "PK is not enough: this is text\n", 31);
	make_archive(real, "zip", NULL, &e, 1);
	paths[0] = fake;
	paths[1] = real;
	cr_assert_eq(walk(paths, 2, NULL, NULL), 0);
	cr_expect_eq(R.np, 0);
	cr_assert_eq(R.nf, 2);
	expect_file(fake, "PK is not enough: this is text\n", 31);
	cr_expect_eq(R.f[0].depth, 0);
	mp = xasprintf("%s!m.log", real);
	expect_file(mp, text, 1000);
	free(mp);
	cr_expect_eq(R.na, 1);
	rec_free();
	free(text);
	free(fake);
	free(real);
	free(dir);
}

Test(input, nonexistent_path_is_a_problem)
{
	char *dir = scratch("input-missing");
	char *missing = join(dir, "no-such.log"), *good = join(dir, "good.txt"), *msg;
	const char *paths[2] = { missing, good };

	put_file(good, "good\n", 5);
	cr_assert_eq(walk(paths, 2, NULL, NULL), 0);
	msg = xasprintf("cannot open '%s': No such file or directory", missing);
	cr_assert_eq(R.np, 1);
	cr_expect_str_eq(R.prob[0], msg);
	cr_expect_str_eq(R.prob_path[0], missing);
	cr_expect_eq(R.prob_off[0], UINT64_MAX);
	cr_expect_eq(R.nf, 1);
	expect_file(good, "good\n", 5);
	rec_free();
	free(msg);
	free(missing);
	free(good);
	free(dir);
}

/* A directory and a file without read permission. As root permissions do
 * not block reading, so the walk runs as "nobody" (seteuid) when it can. */
Test(input, unreadable_paths_are_problems)
{
	char *dir = scratch("input-perm");
	char *locked = join(dir, "locked"), *secret = join(dir, "open/secret.log");
	char *good = join(dir, "open/good.txt"), *inside = join(dir, "locked/x.log"), *msg;
	const char *paths[2] = { locked, NULL };
	char *opendir_path = join(dir, "open");
	bool dropped = false;
	int fd;

	mkdirs(dir, "locked");
	mkdirs(dir, "open");
	put_file(inside, "x\n", 2);
	put_file(secret, "secret\n", 7);
	put_file(good, "good\n", 5);
	cr_assert_eq(chmod(locked, 0), 0);
	cr_assert_eq(chmod(secret, 0), 0);
	paths[1] = opendir_path;
	if (geteuid() == 0) {
		if (seteuid(65534) != 0)
			cr_skip_test("running as root, and cannot switch to 'nobody': chmod 000 "
				     "does not block reading, so permission errors cannot be tested");
		dropped = true;
	}
	fd = open(secret, O_RDONLY);
	if (fd >= 0) {
		close(fd);
		if (dropped)
			cr_assert_eq(seteuid(0), 0);
		cr_skip_test("chmod 000 does not block reading here (root or a capability): "
			     "permission errors cannot be tested");
	}
	cr_assert_eq(walk(paths, 2, NULL, NULL), 0);
	if (dropped)
		cr_assert_eq(seteuid(0), 0);
	dump_problems();
	cr_assert_eq(R.np, 2);
	msg = xasprintf("cannot open '%s': Permission denied", locked);
	cr_expect_str_eq(R.prob[0], msg);
	free(msg);
	msg = xasprintf("cannot open '%s': Permission denied", secret);
	cr_expect_str_eq(R.prob[1], msg);
	free(msg);
	cr_assert_eq(R.nf, 1);
	expect_file(good, "good\n", 5);
	chmod(locked, 0755);
	chmod(secret, 0644);
	rec_free();
	free(locked);
	free(secret);
	free(good);
	free(inside);
	free(opendir_path);
	free(dir);
}

Test(input, empty_file_and_empty_zip)
{
	char *dir = scratch("input-empty");
	char *empty = join(dir, "empty.log"), *zip = join(dir, "empty.zip");
	const char *paths[2] = { empty, zip };
	unsigned char head[4];
	FILE *f;

	put_file(empty, "", 0);
	make_archive(zip, "zip", NULL, NULL, 0);
	f = fopen(zip, "rb");
	cr_assert_not_null(f);
	cr_assert_eq(fread(head, 1, 4, f), 4);
	fclose(f);
	cr_expect(memcmp(head, "PK\5\6", 4) == 0, "libarchive wrote a different empty zip");
	cr_assert_eq(walk(paths, 2, NULL, NULL), 0);
	dump_problems();
	cr_expect_eq(R.np, 0);
	cr_assert_eq(R.nf, 1);
	expect_file(empty, "", 0);
	cr_expect_str_eq(R.f[0].sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cr_expect_eq(R.f[0].size, 0);
	cr_expect_eq(R.na, 1);
	cr_expect(R.nd == 1 && R.done_members[0] == 0 && R.done_complete[0]);
	rec_free();
	free(empty);
	free(zip);
	free(dir);
}

Test(input, sevenz_top_level_and_nested)
{
	char *dir = scratch("input-7z");
	char *m = make_text(80000, 1);
	unsigned char *n = make_noise(70000, 2);
	struct ent ents[] = { { "m.log", m, 80000, false }, { "dir/n.bin", n, 70000, false } };
	size_t len;
	char *sz = join(dir, "t.7z"), *zip = join(dir, "o.zip"), *mp;
	char *bytes;
	struct ent outer;

	make_archive(sz, "7zip", NULL, ents, 2);
	bytes = slurp(sz, &len);
	outer = (struct ent){ "inner.7z", bytes, len, false };
	make_archive(zip, "zip", NULL, &outer, 1);

	cr_assert_eq(walk1(sz, NULL), 0);
	dump_problems();
	cr_expect_eq(R.np, 0);
	cr_expect_eq(R.nf, 2);
	mp = xasprintf("%s!m.log", sz);
	expect_file(mp, m, 80000);
	free(mp);
	mp = xasprintf("%s!dir/n.bin", sz);
	expect_file(mp, n, 70000);
	free(mp);
	rec_free();

	cr_assert_eq(walk1(zip, NULL), 0);
	dump_problems();
	cr_expect_eq(R.np, 0);
	cr_expect_eq(R.nf, 2);
	mp = xasprintf("%s!inner.7z!m.log", zip);
	expect_file(mp, m, 80000);
	cr_expect(find(mp) && find(mp)->depth == 2);
	free(mp);
	mp = xasprintf("%s!inner.7z!dir/n.bin", zip);
	expect_file(mp, n, 70000);
	free(mp);
	cr_expect(R.nd == 1 && R.done_members[0] == 2 && R.done_complete[0]);
	rec_free();
	free(bytes);
	free(m);
	free(n);
	free(sz);
	free(zip);
	free(dir);
}

/* CAB cannot be written by libarchive: gcab (Debian package gcab) makes it. */
Test(input, cab_made_by_gcab)
{
	char *dir, *cab, *cmd, *mp, *a, *bytes, *zip;
	unsigned char *b;
	size_t len;
	struct ent outer;

	if (system("command -v gcab >/dev/null 2>&1") != 0)
		cr_skip_test("gcab is not installed (apt-get install gcab): "
			     "libarchive cannot write CAB files to test with");
	dir = scratch("input-cab");
	a = make_text(90000, 1);
	b = make_noise(30000, 5);
	mkdirs(dir, "src");
	mp = join(dir, "src/a.log");
	put_file(mp, a, 90000);
	free(mp);
	mp = join(dir, "src/b.bin");
	put_file(mp, b, 30000);
	free(mp);
	cab = join(dir, "x.cab");
	cmd = xasprintf("cd '%s/src' && gcab -c -z '%s' a.log b.bin", dir, cab);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	free(cmd);

	cr_assert_eq(walk1(cab, NULL), 0);
	dump_problems();
	cr_expect_eq(R.np, 0);
	cr_expect_eq(R.nf, 2);
	mp = xasprintf("%s!a.log", cab);
	expect_file(mp, a, 90000);
	free(mp);
	mp = xasprintf("%s!b.bin", cab);
	expect_file(mp, b, 30000);
	free(mp);
	rec_free();

	/* And as a member of a zip. */
	bytes = slurp(cab, &len);
	outer = (struct ent){ "in.cab", bytes, len, false };
	zip = join(dir, "o.zip");
	make_archive(zip, "zip", NULL, &outer, 1);
	cr_assert_eq(walk1(zip, NULL), 0);
	dump_problems();
	cr_expect_eq(R.np, 0);
	mp = xasprintf("%s!in.cab!a.log", zip);
	expect_file(mp, a, 90000);
	free(mp);
	rec_free();
	free(zip);
	free(bytes);
	free(a);
	free(b);
	free(cab);
	free(dir);
}

struct lone_case {
	const char *filter, *file, *member;
};

/* A compressed file that is not a tar is one member named after it. */
Test(input, lone_compressed_file_is_one_member)
{
	static const struct lone_case cases[] = {
		{ "gzip", "x.log.gz", "x.log" },
		{ "bzip2", "y.txt.bz2", "y.txt" },
		{ "xz", "z.XZ", "z" },
		{ "gzip", "noext", "noext" },
	};
	char *dir = scratch("input-lone");
	char *text = make_text(120000, 8);
	struct ent e = { "data", text, 120000, false };

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *path = join(dir, cases[i].file);
		char *mp = xasprintf("%s!%s", path, cases[i].member);

		make_archive(path, "raw", cases[i].filter, &e, 1);
		cr_assert_eq(walk1(path, NULL), 0);
		dump_problems();
		cr_expect_eq(R.np, 0, "%s", cases[i].file);
		cr_expect_eq(R.nf, 1, "%s", cases[i].file);
		expect_file(mp, text, 120000);
		cr_expect(R.nf == 1 && R.f[0].depth == 1);
		rec_free();
		free(mp);
		free(path);
	}
	/* Inside a zip too. */
	{
		char *gz = join(dir, "w.log.gz"), *zip = join(dir, "o.zip"), *bytes, *mp;
		size_t len;
		struct ent outer;

		make_archive(gz, "raw", "gzip", &e, 1);
		bytes = slurp(gz, &len);
		outer = (struct ent){ "w.log.gz", bytes, len, false };
		make_archive(zip, "zip", NULL, &outer, 1);
		cr_assert_eq(walk1(zip, NULL), 0);
		mp = xasprintf("%s!w.log.gz!w.log", zip);
		expect_file(mp, text, 120000);
		rec_free();
		free(mp);
		free(bytes);
		free(gz);
		free(zip);
	}
	free(text);
	free(dir);
}

struct verdict_case {
	const char *what;
	enum ec_walk_verdict verdict;
	int stop_after;
	int ret, nf, na, nd;
	bool last_file;		/* c.txt handed over */
};

Test(input, archive_verdicts_and_stop)
{
	static const struct verdict_case cases[] = {
		{ "go", EC_WALK_GO, 0, 0, 3, 2, 2, true },
		{ "skip", EC_WALK_SKIP, 0, 0, 1, 2, 0, true },
		{ "stop", EC_WALK_STOP, 0, EC_WALK_STOP, 0, 1, 0, false },
		{ "file stops", EC_WALK_GO, 1, 7, 1, 1, 0, false },
	};
	char *dir = scratch("input-verdict");
	char *a = join(dir, "a.zip"), *b = join(dir, "b.zip"), *c = join(dir, "c.txt");
	struct ent e = { "m.log", "member\n", 7, false };
	const char *paths[3] = { a, b, c };

	make_archive(a, "zip", NULL, &e, 1);
	make_archive(b, "zip", NULL, &e, 1);
	put_file(c, "loose\n", 6);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct verdict_case *v = &cases[i];
		struct ec_walk_stats st;

		memset(&st, 0, sizeof(st));
		ec_walk_count(paths, 3, &st);
		cr_expect_eq(st.files_total, 3);
		R.verdict = v->verdict;
		R.stop_after = v->stop_after;
		cr_expect_eq(walk(paths, 3, NULL, &st), v->ret, "%s", v->what);
		cr_expect_eq(R.nf, v->nf, "%s: files", v->what);
		cr_expect_eq(R.na, v->na, "%s: archive", v->what);
		cr_expect_eq(R.nd, v->nd, "%s: archive_done", v->what);
		cr_expect_eq(find(c) != NULL, v->last_file, "%s: c.txt", v->what);
		if (v->ret == 0)
			cr_expect_eq(st.bytes_read, st.bytes_total, "%s: bytes_read", v->what);
		rec_free();
	}
	free(a);
	free(b);
	free(c);
	free(dir);
}

Test(input, progress_about_every_mib)
{
	char *dir = scratch("input-progress");
	char *path = join(dir, "big.bin");
	unsigned char *noise = make_noise(5 * MiB + 123, 1);
	struct ec_walk_stats st;

	put_file(path, noise, 5 * MiB + 123);
	memset(&st, 0, sizeof(st));
	cr_assert_eq(walk((const char *const *)&path, 1, NULL, &st), 0);
	cr_expect_geq(R.nprogress, 5, "%d progress calls", R.nprogress);
	cr_expect_leq(R.nprogress, 8, "%d progress calls", R.nprogress);
	cr_expect_eq(R.last.bytes_read, 5 * MiB + 123);
	cr_expect_eq(R.last.files_done, 1);
	expect_file(path, noise, 5 * MiB + 123);
	rec_free();
	free(noise);
	free(path);
	free(dir);
}

/* A damaged archive inside an archive: its problems are reported and the
 * outer archive goes on with the next member. */
Test(input, damaged_archive_inside_an_archive)
{
	char *dir = scratch("input-nested-damage");
	unsigned char *noise = make_noise(200000, 4);
	char *first = make_text(3000, 1), *last = make_text(4000, 2), *mp;
	struct ent inner = { "n.bin", noise, 200000, false };
	size_t tgzlen;
	char *tgz = make_archive_mem(dir, "ustar", "gzip", &inner, 1, &tgzlen);
	char *zip = join(dir, "o.zip");
	struct ent outer[] = {
		{ "first.log", first, 3000, false },
		{ "broken.tar.gz", tgz, tgzlen / 2, false },
		{ "last.log", last, 4000, false },
	};

	make_archive(zip, "zip", NULL, outer, 3);
	cr_assert_eq(walk1(zip, NULL), 0);
	dump_problems();
	mp = xasprintf("%s!first.log", zip);
	expect_file(mp, first, 3000);
	free(mp);
	mp = xasprintf("%s!last.log", zip);
	expect_file(mp, last, 4000);
	free(mp);
	mp = xasprintf("%s!broken.tar.gz", zip);
	cr_expect_not_null(problem_with(mp), "no problem names the broken archive");
	free(mp);
	cr_expect(R.nd == 1 && !R.done_complete[0]);
	rec_free();
	free(noise);
	free(first);
	free(last);
	free(tgz);
	free(zip);
	free(dir);
}

/* A file that starts like a zip but is not one is a problem; the walk goes on. */
Test(input, not_really_a_zip)
{
	char *dir = scratch("input-notzip");
	char *fake = join(dir, "a.bin"), *next = join(dir, "b.txt");
	const char *paths[2] = { fake, next };
	static const char junk[] = "PK\3\4 but then just some text that is no zip at all\n";

	put_file(fake, junk, sizeof(junk) - 1);
	put_file(next, "next\n", 5);
	cr_assert_eq(walk(paths, 2, NULL, NULL), 0);
	dump_problems();
	cr_expect_not_null(problem_with(fake));
	cr_expect_not_null(find(next));
	cr_expect(R.na == 1 && R.nd == 1 && !R.done_complete[0] && R.done_members[0] == 0);
	rec_free();
	free(fake);
	free(next);
	free(dir);
}

/* Encrypted members are reported, not read; the others are. */
Test(input, encrypted_zip_members)
{
	char *dir = scratch("input-crypt");
	char *zip = join(dir, "c.zip"), *msg;
	struct ent e = { "secret.log", "top secret\n", 11, false };

	make_archive_opt(zip, "zip", NULL, "zip:encryption=zipcrypt", "pw", &e, 1);
	cr_assert_eq(walk1(zip, NULL), 0);
	dump_problems();
	msg = xasprintf("archive '%s': member 'secret.log': encrypted, not read", zip);
	cr_expect(R.np == 1 && strcmp(R.prob[0], msg) == 0);
	cr_expect_eq(R.nf, 0);
	cr_expect(R.nd == 1 && !R.done_complete[0]);
	rec_free();
	free(msg);
	free(zip);
	free(dir);
}

/* A 7z inside an archive is read into memory up to 64 MiB; a larger one is
 * handed over as a file, whether its size is known up front (zip) or not
 * (lone gzip). A small one of unknown size is opened. */
Test(input, nested_7z_memory_bound)
{
	char *dir = scratch("input-7zbig");
	size_t zlen = EC_NESTED_7Z_MAX + 1024, biglen, smalllen;
	char *zeros = xcalloc(1, zlen), *text = make_text(10000, 3);
	struct ent big_ents[] = { { "zeros.bin", zeros, zlen, false } };
	struct ent small_ents[] = { { "m.log", text, 10000, false } };
	char *big7z = join(dir, "big.7z"), *small7z = join(dir, "small.7z");
	char *zip = join(dir, "o.zip"), *gz = join(dir, "big.7z.gz"), *sgz = join(dir, "small.7z.gz");
	char *big, *small, *mp;
	struct ent e;
	struct ec_walk_limits lim = { EC_DEFAULT_MAX_UNPACKED, 0, EC_DEFAULT_MAX_DEPTH, NULL, 0 };

	make_archive_opt(big7z, "7zip", NULL, "7zip:compression=store", NULL, big_ents, 1);
	make_archive(small7z, "7zip", NULL, small_ents, 1);
	big = slurp(big7z, &biglen);
	small = slurp(small7z, &smalllen);
	cr_assert_gt(biglen, EC_NESTED_7Z_MAX);
	e = (struct ent){ "big.7z", big, biglen, false };
	make_archive_opt(zip, "zip", NULL, "zip:compression=store", NULL, &e, 1);
	e = (struct ent){ "data", big, biglen, false };
	make_archive(gz, "raw", "gzip", &e, 1);
	e = (struct ent){ "data", small, smalllen, false };
	make_archive(sgz, "raw", "gzip", &e, 1);

	cr_assert_eq(walk1(zip, &lim), 0);
	dump_problems();
	mp = xasprintf("%s!big.7z", zip);
	expect_file(mp, big, biglen);
	free(mp);
	cr_expect(R.np == 1 && strstr(R.prob[0], "over 64 MiB, not opened"));
	rec_free();

	cr_assert_eq(walk1(gz, &lim), 0);
	dump_problems();
	mp = xasprintf("%s!big.7z", gz);
	expect_file(mp, big, biglen);
	cr_expect(find(mp) && find(mp)->size == EC_SIZE_UNKNOWN);
	free(mp);
	cr_expect(R.np == 1 && strstr(R.prob[0], "over 64 MiB, not opened"));
	rec_free();

	cr_assert_eq(walk1(sgz, &lim), 0);
	dump_problems();
	cr_expect_eq(R.np, 0);
	mp = xasprintf("%s!small.7z!m.log", sgz);
	expect_file(mp, text, 10000);
	cr_expect(find(mp) && find(mp)->depth == 2);
	free(mp);
	rec_free();

	/* Over 128 MiB of scratch files: not left behind. */
	unlink(big7z);
	unlink(zip);
	free(big);
	free(small);
	free(zeros);
	free(text);
	free(big7z);
	free(small7z);
	free(zip);
	free(gz);
	free(sgz);
	free(dir);
}

/* A read error (EIO: /proc/self/mem at offset 0 is not mapped) ends the
 * stream with -1; the error names the file; the walker reports it too. */
Test(input, read_error_is_reported)
{
	const char *mem = "/proc/self/mem";
	struct stat st;
	const struct seen *s;

	if (stat(mem, &st) != 0 || !S_ISREG(st.st_mode))
		cr_skip_test("no /proc/self/mem to read an I/O error from");
	cr_assert_eq(walk1(mem, NULL), 0);
	dump_problems();
	cr_assert_eq(R.nf, 1);
	s = &R.f[0];
	cr_expect(!s->ok);
	cr_expect_str_eq(s->err, "cannot read '/proc/self/mem': Input/output error");
	cr_expect_eq(s->got, 0);
	cr_assert_eq(R.np, 1);
	cr_expect_str_eq(R.prob[0], "cannot read '/proc/self/mem': Input/output error");
	cr_expect_str_eq(R.prob_path[0], mem);
	cr_expect_eq(R.prob_off[0], 0);
	rec_free();
}

/* A callback that stops the walk inside a nested archive ends it at once. */
Test(input, stop_inside_nested_archive)
{
	char *dir = scratch("input-nested-stop");
	struct ent inner[] = {
		{ "one.log", "one\n", 4, false },
		{ "two.log", "two\n", 4, false },
	};
	size_t tgzlen;
	char *tgz = make_archive_mem(dir, "pax", "gzip", inner, 2, &tgzlen);
	char *zip = join(dir, "o.zip"), *after = join(dir, "z.txt");
	struct ent outer[] = { { "in.tgz", tgz, tgzlen, false }, { "last.log", "last\n", 5, false } };
	const char *paths[2] = { zip, after };

	make_archive(zip, "zip", NULL, outer, 2);
	put_file(after, "after\n", 6);
	R.stop_after = 1;
	cr_expect_eq(walk(paths, 2, NULL, NULL), 7);
	cr_expect_eq(R.nf, 1);
	cr_expect_eq(R.nd, 0);
	cr_expect_eq(R.np, 0);
	rec_free();
	free(tgz);
	free(zip);
	free(after);
	free(dir);
}

/* --exclude: a glob matches a base name or the path below the PATH given;
 * the files it matches are reported, never handed over, in archives too. */
static char *excl_path[16], *excl_glob[16];
static int nexcl;

static void
rec_excluded(void *ctx, const char *path, const char *glob)
{
	(void)ctx;
	cr_assert_lt(nexcl, 16);
	excl_path[nexcl] = xstrdup(path);
	excl_glob[nexcl++] = xstrdup(glob);
}

Test(input, exclude_globs)
{
	static const char *const globs[] = { "README.md", "sub/*.json", "*.bin" };
	struct ec_walk_cb cb = rec_cb;
	struct ec_walk_limits lim = { EC_DEFAULT_MAX_UNPACKED, EC_DEFAULT_MAX_RATIO,
				      EC_DEFAULT_MAX_DEPTH, globs, ARRAY_LEN(globs) };
	char *dir = scratch("input-exclude");
	char *root = join(dir, "case"), *text = make_text(300, 1), *p;
	struct ent ents[] = {
		{ "README.md", text, 300, false },
		{ "keep.log", text, 300, false },
	};
	const char *top = root;

	mkdirs(root, "sub/deep");
	for (size_t i = 0; i < 6; i++) {
		static const char *const f[] = { "README.md", "a.log", "sub/expected.json",
						 "sub/deep/expected.json", "sub/x.bin", "sub/README.md" };

		p = join(root, f[i]);
		put_file(p, text, 300);
		free(p);
	}
	p = join(root, "sub/pack.zip");
	make_archive(p, "zip", NULL, ents, ARRAY_LEN(ents));
	free(p);
	cb.excluded = rec_excluded;
	cr_assert_eq(ec_walk(&top, 1, &lim, &cb, NULL), 0);
	/* handed over: a.log, sub/deep/expected.json (the glob of the JSON does not cross a slash),
	 * keep.log in the zip */
	cr_expect_eq(R.nf, 3);
	cr_expect_not_null(find(p = join(root, "a.log")));
	free(p);
	cr_expect_not_null(find(p = join(root, "sub/deep/expected.json")));
	free(p);
	cr_expect_not_null(find(p = xasprintf("%s/sub/pack.zip!keep.log", root)));
	free(p);
	cr_expect_eq(nexcl, 5);
	for (int i = 0; i < nexcl; i++) {
		if (strstr(excl_path[i], "README.md"))
			cr_expect_str_eq(excl_glob[i], "README.md");
		else if (strstr(excl_path[i], ".json"))
			cr_expect_str_eq(excl_glob[i], "sub/*.json");
		else
			cr_expect_str_eq(excl_glob[i], "*.bin", "%s", excl_path[i]);
		free(excl_path[i]);
		free(excl_glob[i]);
	}
	free(text);
	free(root);
	free(dir);
	rec_free();
}
