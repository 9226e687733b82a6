/* SPDX-License-Identifier: MIT */
/* input.c - the discovery walker: files, directories and archives (also
 * archives inside archives) turned into a sequence of streams, each hashed
 * with SHA-256 as it is read.
 *
 * Shape of the walk:
 *   walk_path -> walk_dir (sorted by name) | walk_file
 *   walk_file -> hand_over (a plain file) | walk_top (an archive)
 *   walk_top -> walk_archive -> hand_over | open_nested -> walk_archive ...
 *
 * Every byte of a file comes through a struct src: first the bytes already
 * read for sniffing (the "replay"), then the rest from the file descriptor
 * or from archive_read_data(). A member handed to the callback reads its
 * src through member_read(), which hashes and counts. A nested archive reads
 * the member's src through nested_read(), libarchive's client callback, so
 * nothing is ever written to disk. Buffers are fixed (64 KiB each per level);
 * the one exception is a 7z inside an archive (see EC_NESTED_7Z_MAX).
 *
 * Limits (struct ec_walk_limits, NULL for the EC_DEFAULT_* values):
 *   max_unpacked: bytes returned by archive_read_data() at all levels of one
 *     top-level archive, added up (a member of a nested archive counts once
 *     at its level and once as part of the nested archive's bytes); 0 turns
 *     the check off.
 *   max_ratio: those bytes per byte of the top-level archive file consumed
 *     so far (archive_filter_bytes(a, -1)), checked once more than
 *     EC_RATIO_FLOOR is unpacked; 0 turns the check off.
 *   max_depth: no file is handed over at a depth greater than this: an
 *     archive whose members would be deeper is handed over as a file, with a
 *     problem saying why. 0 means not even loose archives are opened.
 * When a limit is hit the member being read fails ("... over the limit ...")
 * and the rest of that top-level archive is skipped, with one problem that
 * names the archive and the member.
 *
 * Problems are never reported from inside cb->file: a failed read is
 * reported after the callback returns, a limit hit when the archive is left. */
#include <dirent.h>
#include <fnmatch.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "common/xalloc.h"
#include "parser/input.h"
#include "parser/input_int.h"
#include "common/strview.h"

#define IO_SIZE (64u * 1024u)			/* every read buffer */
#define PROGRESS_STEP ((uint64_t)1 << 20)	/* progress() about every MiB */
#define MAX_RETRIES 16				/* ARCHIVE_RETRY / ARCHIVE_FAILED in a row */

struct walker {
	struct ec_walk_limits lim;
	const struct ec_walk_cb *cb;
	struct ec_walk_stats *st;
	uint64_t progress_at;		/* st->bytes_read at the last progress call */
	int stop;			/* non-zero: the walk was stopped with this value */
	bool counting;			/* ec_walk_count(): stat only, no callbacks */
	unsigned char *head;		/* head of the loose file being read */
	unsigned char *scratch;		/* bytes read only to be hashed or dropped */
	const char *root;		/* the PATH being walked, for exclude globs */
	size_t root_len;
};

/* The exclude glob that name (a base name) or rel (a path below the PATH
 * given) matches, or NULL. */
static const char *
excluded_by(const struct walker *w, const char *name, const char *rel)
{
	for (size_t i = 0; i < w->lim.nexclude; i++) {
		const char *g = w->lim.exclude[i];

		if (fnmatch(g, name, 0) == 0 || (rel && fnmatch(g, rel, FNM_PATHNAME) == 0))
			return g;
	}
	return NULL;
}

/* Path of a loose file below the PATH given (the base name when the PATH
 * is the file itself). */
static const char *
rel_path(const struct walker *w, const char *path)
{
	const char *r;

	if (!w->root || strncmp(path, w->root, w->root_len) != 0 || path[w->root_len] == '\0')
		return NULL;
	r = path + w->root_len;
	while (*r == '/')
		r++;
	return r;
}

/* A loose file open for reading. Each loose file adds exactly its size to
 * st->bytes_read (credited as it is read, topped up when it is done), so
 * bytes_read can be compared with ec_walk_count()'s bytes_total. */
struct loose {
	int fd;
	uint64_t size;			/* st_size when it was opened */
	uint64_t credited;		/* bytes of it added to st->bytes_read */
};

/* One top-level archive being walked; the limits apply to it as a whole. */
struct top {
	struct walker *w;
	const char *path;		/* the archive file */
	struct archive *a;		/* its reader, for archive_filter_bytes() */
	struct loose *file;
	unsigned char *buf;		/* read buffer handed to libarchive */
	uint64_t unpacked;		/* archive_read_data() bytes, all levels */
	uint64_t members;		/* files handed over from it, all levels */
	bool incomplete;		/* a member or the archive could not be read */
	bool guard_hit;			/* a limit was hit: stop everything in it */
	char why[96];			/* which limit, e.g. "unpacked size over the limit of 16 GiB" */
	char *guard_msg;		/* the problem to report for that, once */
	const char *cur;		/* member being read, relative to path */
};

/* Where the bytes of one file come from: replay[replay_pos..replay_len)
 * first, then a loose file's descriptor or the current entry of archive a. */
struct src {
	struct walker *w;
	struct loose *file;		/* a loose file, or NULL ... */
	struct archive *a;		/* ... the archive whose entry this is */
	struct top *top;		/* with a: its top-level archive */
	const unsigned char *replay;
	size_t replay_len, replay_pos;
	bool eof;			/* the source said end of data */
	bool failed;			/* a read failed; err says why */
	bool guard;			/* ... because a limit was hit */
	char *err;			/* the reason alone, without the path */
};

/* The walker's side of a struct ec_member. */
struct ec_member_int {
	struct walker *w;
	struct src *src;
	struct ec_stream stream;
	EVP_MD_CTX *md;
	uint64_t count;			/* bytes handed out through stream */
	uint64_t fail_at;		/* count when the read failed */
	bool finished;			/* ec_member_finish() ran: sha and ok are final */
	bool ok;
	char sha[65];
	char *err;			/* "cannot read 'path': reason" */
	const char *path;
};

/* One archive being walked (top-level or nested). */
struct level {
	struct archive *a;
	const char *path;		/* display path of the archive */
	const char *rel;		/* its path inside the top-level archive, NULL at the top */
	const char *name;		/* base name of the archive file or member */
	int depth;			/* depth of its members */
	unsigned char *head;		/* head of the member being read */
};

/* Client data of a nested archive: the member of the outer one. */
struct nested {
	struct src *src;
	unsigned char *buf;
};

static void walk_archive(struct walker *w, struct top *t, struct level *lv);

static void problem(struct walker *w, const char *path, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Report that path (or a member) could not be read, and why. */
static void
problem(struct walker *w, const char *path, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (w->counting || !w->cb->problem)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	w->cb->problem(w->cb->ctx, path, off, msg);
	free(msg);
}

static void
progress(struct walker *w, bool force)
{
	if (!w->cb->progress)
		return;
	if (force || w->st->bytes_read - w->progress_at >= PROGRESS_STEP) {
		w->progress_at = w->st->bytes_read;
		w->cb->progress(w->cb->ctx, w->st);
	}
}

/* Add n bytes read from f to st->bytes_read, never more than its size. */
static void
credit(struct walker *w, struct loose *f, uint64_t n)
{
	uint64_t left = f->size - f->credited;

	if (n > left)
		n = left;
	f->credited += n;
	w->st->bytes_read += n;
	progress(w, false);
}

/* "16 GiB", "10 MiB", "512 KiB" or "1000 bytes". */
static void
fmt_size(uint64_t v, char out[32])
{
	static const char *const unit[] = { "GiB", "MiB", "KiB" };

	for (int i = 0; i < 3; i++) {
		unsigned shift = (unsigned)(30 - 10 * i);

		if (v && v % ((uint64_t)1 << shift) == 0) {
			snprintf(out, 32, "%llu %s", (unsigned long long)(v >> shift), unit[i]);
			return;
		}
	}
	snprintf(out, 32, "%llu bytes", (unsigned long long)v);
}

/* Check the limits after more bytes were unpacked from t. On a hit, keep
 * the problem to report and return true. */
static bool
guard_check(struct walker *w, struct top *t)
{
	uint64_t packed;
	unsigned ratio = w->lim.max_ratio;
	char size[32];

	if (w->lim.max_unpacked && t->unpacked > w->lim.max_unpacked) {
		fmt_size(w->lim.max_unpacked, size);
		snprintf(t->why, sizeof(t->why), "unpacked size over the limit of %s", size);
	} else if (ratio && t->unpacked > EC_RATIO_FLOOR) {
		la_int64_t p = archive_filter_bytes(t->a, -1);

		packed = p > 0 ? (uint64_t)p : 1;
		if (t->unpacked / packed < ratio ||
		    (t->unpacked / packed == ratio && t->unpacked % packed == 0))
			return false;
		snprintf(t->why, sizeof(t->why), "compression ratio over %u:1 (zip bomb?)", ratio);
	} else {
		return false;
	}
	t->guard_hit = true;
	t->incomplete = true;
	t->guard_msg = xasprintf("archive '%s': member '%s': %s, rest of the archive skipped",
				 t->path, t->cur ? t->cur : "?", t->why);
	return true;
}

/* libarchive's message, which it does not always set. */
static const char *
aerr(struct archive *a)
{
	const char *e = archive_error_string(a);

	return e && *e ? e : "damaged or truncated archive";
}

static long
src_fail(struct src *s, const char *why)
{
	s->failed = true;
	if (!s->err)
		s->err = xstrdup(why && *why ? why : "unknown error");
	return -1;
}

static long
src_read_file(struct src *s, void *p, size_t n)
{
	ssize_t r;

	if (n > IO_SIZE * 16)
		n = IO_SIZE * 16;
	do
		r = read(s->file->fd, p, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return src_fail(s, strerror(errno));
	if (r == 0) {
		s->eof = true;
		return 0;
	}
	credit(s->w, s->file, (uint64_t)r);
	return (long)r;
}

static long
src_read_entry(struct src *s, void *p, size_t n)
{
	struct top *t = s->top;
	la_ssize_t r;
	int tries = 0;

	if (t->guard_hit) {
		s->guard = true;
		return src_fail(s, t->why);
	}
	do
		r = archive_read_data(s->a, p, n);
	while (r == ARCHIVE_RETRY && ++tries < MAX_RETRIES);
	if (r < 0)
		return src_fail(s, aerr(s->a));
	if (r == 0) {
		s->eof = true;
		return 0;
	}
	t->unpacked += (uint64_t)r;
	if (guard_check(s->w, t)) {
		s->guard = true;
		return src_fail(s, t->why);
	}
	return (long)r;
}

/* Read up to n bytes of s: the replay first, then the source. Returns the
 * number read, 0 at the end, -1 on failure (s->err says why). */
static long
src_read(struct src *s, void *p, size_t n)
{
	if (s->replay_pos < s->replay_len) {
		size_t k = s->replay_len - s->replay_pos;

		if (k > n)
			k = n;
		memcpy(p, s->replay + s->replay_pos, k);
		s->replay_pos += k;
		return (long)k;
	}
	if (s->failed)
		return -1;
	if (s->eof || n == 0)
		return 0;
	return s->file ? src_read_file(s, p, n) : src_read_entry(s, p, n);
}

/* Fill head with the first bytes of s (up to EC_HEAD_SIZE) and make them
 * its replay. Returns how many there are; a failure stays in s. */
static size_t
read_head(struct src *s, unsigned char *head)
{
	size_t len = 0;
	long got;

	while (len < EC_HEAD_SIZE && (got = src_read(s, head + len, EC_HEAD_SIZE - len)) > 0)
		len += (size_t)got;
	s->replay = head;
	s->replay_len = len;
	s->replay_pos = 0;
	return len;
}

enum ec_akind
ec_sniff_archive(const unsigned char *p, size_t n)
{
	static const unsigned char bz_block[6] = { 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 };
	static const unsigned char bz_end[6] = { 0x17, 0x72, 0x45, 0x38, 0x50, 0x90 };

	if (n >= 4 && (memcmp(p, "PK\3\4", 4) == 0 || memcmp(p, "PK\5\6", 4) == 0))
		return EC_AK_ZIP;
	if (n >= 6 && memcmp(p, "7z\xBC\xAF\x27\x1C", 6) == 0)
		return EC_AK_7Z;
	if (n >= 8 && memcmp(p, "MSCF\0\0\0\0", 8) == 0)
		return EC_AK_CAB;
	if (n >= 3 && p[0] == 0x1F && p[1] == 0x8B && p[2] == 8)
		return EC_AK_GZIP;
	if (n >= 6 && memcmp(p, "\xFD" "7zXZ\0", 6) == 0)
		return EC_AK_XZ;
	if (n >= 10 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9' &&
	    (memcmp(p + 4, bz_block, 6) == 0 || memcmp(p + 4, bz_end, 6) == 0))
		return EC_AK_BZIP2;
	if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return EC_AK_TAR;
	return EC_AK_NONE;
}

/* A reader for exactly what the head said. A compressed stream is read as
 * a tar or, failing that, as one raw member (a lone compressed file); what
 * is inside it (a zip, a 7z ...) is then sniffed like any member and
 * opened as a nested archive. */
static struct archive *
new_reader(enum ec_akind kind)
{
	struct archive *a = archive_read_new();

	if (!a)
		abort();
	switch (kind) {
	case EC_AK_ZIP:
		archive_read_support_format_zip(a);
		break;
	case EC_AK_7Z:
		archive_read_support_format_7zip(a);
		break;
	case EC_AK_CAB:
		archive_read_support_format_cab(a);
		break;
	case EC_AK_TAR:
		archive_read_support_format_tar(a);
		break;
	case EC_AK_GZIP:
	case EC_AK_BZIP2:
	case EC_AK_XZ:
		if (kind == EC_AK_GZIP)
			archive_read_support_filter_gzip(a);
		else if (kind == EC_AK_BZIP2)
			archive_read_support_filter_bzip2(a);
		else
			archive_read_support_filter_xz(a);
		archive_read_support_format_tar(a);
		archive_read_support_format_raw(a);
		break;
	case EC_AK_NONE:
		break;
	}
	return a;
}


/* ----- members: the stream handed to cb->file ----- */

static long
member_read(void *ctx, void *p, size_t n)
{
	struct ec_member_int *mi = ctx;
	long got;

	if (mi->finished)
		return mi->ok ? 0 : -1;
	got = src_read(mi->src, p, n);
	if (got > 0) {
		EVP_DigestUpdate(mi->md, p, (size_t)got);
		mi->count += (uint64_t)got;
	} else if (got < 0 && !mi->err) {
		mi->fail_at = mi->count;
		mi->err = xasprintf("cannot read '%s': %s", mi->path, mi->src->err);
	}
	return got;
}

static const char *
member_error(void *ctx)
{
	struct ec_member_int *mi = ctx;

	return mi->err;
}

bool
ec_member_finish(struct ec_member *m, char sha256[65], uint64_t *size, const char **err)
{
	struct ec_member_int *mi = m ? m->priv : NULL;

	if (!mi) {
		if (sha256)
			sha256[0] = '\0';
		if (size)
			*size = 0;
		if (err)
			*err = "not a member of a walk";
		return false;
	}
	if (!mi->finished) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;
		long got;

		while ((got = member_read(mi, mi->w->scratch, IO_SIZE)) > 0)
			;
		mi->ok = got == 0;
		EVP_DigestFinal_ex(mi->md, md, &mdlen);
		for (unsigned i = 0; i < mdlen && i < 32; i++)
			snprintf(mi->sha + 2 * i, 3, "%02x", md[i]);
		mi->finished = true;
	}
	if (sha256)
		memcpy(sha256, mi->sha, 65);
	if (size)
		*size = mi->count;
	if (err)
		*err = mi->ok ? NULL : mi->err;
	return mi->ok;
}

bool
ec_member_rewind(struct ec_member *m)
{
	struct ec_member_int *mi = m ? m->priv : NULL;
	struct src *s;

	if (!mi || !mi->src->file)
		return false;
	s = mi->src;
	/* The head stays in memory: read on from right after it. */
	if (lseek(s->file->fd, (off_t)s->replay_len, SEEK_SET) < 0)
		return false;
	s->replay_pos = 0;
	s->eof = false;
	s->failed = false;
	free(s->err);
	s->err = NULL;
	free(mi->err);
	mi->err = NULL;
	EVP_DigestInit_ex(mi->md, EVP_sha256(), NULL);
	mi->count = 0;
	mi->fail_at = 0;
	mi->finished = false;
	mi->ok = false;
	mi->sha[0] = '\0';
	return true;
}

/* Hand m (its head already read from s) to cb->file, finish it and report
 * a failed read. t is the top-level archive it comes from, or NULL. */
static void
hand_over(struct walker *w, struct ec_member *m, struct src *s, struct top *t)
{
	struct ec_member_int mi;
	int ret = 0;

	memset(&mi, 0, sizeof(mi));
	mi.w = w;
	mi.src = s;
	mi.path = m->path;
	mi.md = EVP_MD_CTX_new();
	if (!mi.md || !EVP_DigestInit_ex(mi.md, EVP_sha256(), NULL))
		abort();
	mi.stream.read = member_read;
	mi.stream.error = member_error;
	mi.stream.ctx = &mi;
	m->in = &mi.stream;
	m->priv = &mi;
	w->st->files_done++;
	if (t)
		t->members++;
	if (w->cb->file)
		ret = w->cb->file(w->cb->ctx, m);
	/* A callee that stops the walk is not made to wait for the rest. */
	if (!ret)
		ec_member_finish(m, NULL, NULL, NULL);
	if (!ret && !mi.ok) {
		if (t)
			t->incomplete = true;
		/* A limit hit is reported once, for the whole archive. */
		if (!(t && t->guard_hit))
			problem(w, m->path, mi.fail_at, "%s", mi.err);
	}
	if (ret && !w->stop)
		w->stop = ret;
	progress(w, true);
	m->in = NULL;
	m->priv = NULL;
	EVP_MD_CTX_free(mi.md);
	free(mi.err);
}

/* ----- archives ----- */

static la_ssize_t
top_read(struct archive *a, void *ctx, const void **out)
{
	struct top *t = ctx;
	ssize_t r;

	do
		r = read(t->file->fd, t->buf, IO_SIZE);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		archive_set_error(a, errno, "cannot read '%s': %s", t->path, strerror(errno));
		return -1;
	}
	credit(t->w, t->file, (uint64_t)r);
	*out = t->buf;
	return r;
}

static la_int64_t
top_seek(struct archive *a, void *ctx, la_int64_t off, int whence)
{
	struct top *t = ctx;
	off_t r = lseek(t->file->fd, (off_t)off, whence);

	if (r < 0) {
		archive_set_error(a, errno, "cannot seek in '%s': %s", t->path, strerror(errno));
		return ARCHIVE_FATAL;
	}
	return (la_int64_t)r;
}

/* libarchive's client reader for an archive inside an archive: the outer
 * member's bytes, head first. */
static la_ssize_t
nested_read(struct archive *a, void *ctx, const void **out)
{
	struct nested *nd = ctx;
	struct src *s = nd->src;
	long got;

	if (s->replay_pos < s->replay_len) {
		size_t k = s->replay_len - s->replay_pos;

		*out = s->replay + s->replay_pos;
		s->replay_pos = s->replay_len;
		return (la_ssize_t)k;
	}
	got = src_read(s, nd->buf, IO_SIZE);
	if (got < 0) {
		archive_set_error(a, EIO, "%s", s->err);
		return -1;
	}
	*out = nd->buf;
	return got;
}

/* Name of a member as shown after the '!': leading "./" and "/" dropped.
 * A lone compressed file (raw format) is named after the archive, without
 * its .gz, .bz2 or .xz. Returns a new string. */
static char *
member_name(struct archive *a, struct archive_entry *e, const char *aname)
{
	const char *name;

	if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
		static const char *const ext[] = { ".gz", ".bz2", ".xz" };
		const char *b = aname;
		size_t n = strlen(b);

		for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
			size_t k = strlen(ext[i]);

			if (n > k && strcasecmp(b + n - k, ext[i]) == 0) {
				n -= k;
				break;
			}
		}
		return xstrndup(b, n);
	}
	name = archive_entry_pathname_utf8(e);
	if (!name)
		name = archive_entry_pathname(e);
	if (!name)
		name = "";
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			break;
	}
	return xstrdup(*name ? name : "?");
}

/* Open the member being read from s as an archive of the given kind and
 * walk it. name is the member's path inside lv's archive. */
static void
open_nested(struct walker *w, struct top *t, struct level *lv, struct src *s,
	    struct ec_member *m, const char *rel, const char *name, enum ec_akind kind)
{
	struct nested nd = { s, NULL };
	struct level in;
	struct archive *a = new_reader(kind);
	unsigned char *mem = NULL;
	size_t len = 0;
	int r;

	if (kind == EC_AK_7Z) {
		/* libarchive's 7z reader seeks to the header at the end of the
		 * file, which a stream cannot do: a nested 7z of at most
		 * EC_NESTED_7Z_MAX bytes is read into memory and opened there;
		 * a larger one is handed over as a file. */
		size_t cap = 1u << 20;
		long got = 0;

		mem = xmalloc(cap);
		for (;;) {
			if (len == cap) {
				if (cap > EC_NESTED_7Z_MAX)
					break;
				cap = cap * 2 > EC_NESTED_7Z_MAX ? EC_NESTED_7Z_MAX + 1 : cap * 2;
				mem = xrealloc(mem, cap);
			}
			got = src_read(s, mem + len, cap - len);
			if (got <= 0)
				break;
			len += (size_t)got;
		}
		if (got < 0) {
			/* The member could not be read whole: not opened. */
			if (!s->guard) {
				t->incomplete = true;
				problem(w, m->path, len, "cannot read '%s': %s", m->path, s->err);
			}
			goto out;
		}
		if (len > EC_NESTED_7Z_MAX) {
			char size[32];

			fmt_size(EC_NESTED_7Z_MAX, size);
			problem(w, m->path, EC_SIZE_UNKNOWN,
				"archive '%s': member '%s': 7z archive inside an archive over %s, not opened",
				lv->path, name, size);
			s->replay = mem;
			s->replay_len = len;
			s->replay_pos = 0;
			hand_over(w, m, s, t);
			goto out;
		}
		r = archive_read_open_memory(a, mem, len);
	} else {
		nd.buf = xmalloc(IO_SIZE);
		archive_read_set_read_callback(a, nested_read);
		archive_read_set_callback_data(a, &nd);
		r = archive_read_open1(a);
	}
	if (r != ARCHIVE_OK) {
		if (!t->guard_hit) {
			t->incomplete = true;
			problem(w, m->path, EC_SIZE_UNKNOWN, "archive '%s': %s", m->path, aerr(a));
		}
		goto out;
	}
	in.a = a;
	in.path = m->path;
	in.rel = rel;
	in.name = path_base(name);
	in.depth = lv->depth + 1;
	in.head = xmalloc(EC_HEAD_SIZE);
	walk_archive(w, t, &in);
	free(in.head);
out:
	archive_read_free(a);
	free(nd.buf);
	free(mem);
}

/* Read the current entry of lv's archive: hand it over, or open it. */
static void
walk_entry(struct walker *w, struct top *t, struct level *lv, struct archive_entry *e,
	   const char *name)
{
	char *path = xasprintf("%s!%s", lv->path, name);
	char *rel = lv->rel ? xasprintf("%s!%s", lv->rel, name) : xstrdup(name);
	const char *g = w->lim.nexclude ? excluded_by(w, path_base(name), name) : NULL;
	struct src s;
	struct ec_member m;
	enum ec_akind kind;

	if (g) {
		if (w->cb->excluded)
			w->cb->excluded(w->cb->ctx, path, g);
		free(rel);
		free(path);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.w = w;
	s.a = lv->a;
	s.top = t;
	t->cur = rel;
	memset(&m, 0, sizeof(m));
	m.path = path;
	m.name = path_base(name);
	m.container = t->path;
	m.size = archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 ?
		 (uint64_t)archive_entry_size(e) : EC_SIZE_UNKNOWN;
	m.mtime = archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : 0;
	m.depth = lv->depth;
	m.head = lv->head;
	m.head_len = read_head(&s, lv->head);
	kind = s.failed ? EC_AK_NONE : ec_sniff_archive(m.head, m.head_len);
	if (kind != EC_AK_NONE && lv->depth + 1 > w->lim.max_depth) {
		problem(w, path, EC_SIZE_UNKNOWN,
			"archive '%s': member '%s': archive nested too deep (depth limit %d), not opened",
			lv->path, name, w->lim.max_depth);
		kind = EC_AK_NONE;
	} else if (kind == EC_AK_7Z && m.size != EC_SIZE_UNKNOWN && m.size > EC_NESTED_7Z_MAX) {
		char size[32];

		fmt_size(EC_NESTED_7Z_MAX, size);
		problem(w, path, EC_SIZE_UNKNOWN,
			"archive '%s': member '%s': 7z archive inside an archive over %s, not opened",
			lv->path, name, size);
		kind = EC_AK_NONE;
	}
	if (kind == EC_AK_NONE)
		hand_over(w, &m, &s, t);
	else
		open_nested(w, t, lv, &s, &m, rel, name, kind);
	/* Bytes read between entries belong to the archive itself. */
	t->cur = lv->rel;
	free(s.err);
	free(rel);
	free(path);
}

/* Walk the entries of lv's archive until its end, a fatal error, a limit
 * hit or a stop. */
static void
walk_archive(struct walker *w, struct top *t, struct level *lv)
{
	struct archive_entry *e;
	char *last = NULL;	/* the last member seen, for messages */
	int failures = 0;

	while (!w->stop && !t->guard_hit) {
		int r = archive_read_next_header(lv->a, &e);
		const char *err;
		char *name;

		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_RETRY) {
			if (++failures < MAX_RETRIES)
				continue;
			r = ARCHIVE_FATAL;
		}
		if (r < ARCHIVE_WARN) {
			if (t->guard_hit)
				break;
			t->incomplete = true;
			err = aerr(lv->a);
			if (r == ARCHIVE_FAILED && ++failures < MAX_RETRIES) {
				/* This entry is lost; the next one may be fine. */
				if (last)
					problem(w, lv->path, EC_SIZE_UNKNOWN,
						"archive '%s': member after '%s': %s", lv->path, last, err);
				else
					problem(w, lv->path, EC_SIZE_UNKNOWN,
						"archive '%s': first member: %s", lv->path, err);
				continue;
			}
			if (last)
				problem(w, lv->path, EC_SIZE_UNKNOWN,
					"archive '%s': after member '%s': %s, rest of the archive not read",
					lv->path, last, err);
			else
				problem(w, lv->path, EC_SIZE_UNKNOWN, "archive '%s': %s", lv->path, err);
			break;
		}
		failures = 0;
		name = member_name(lv->a, e, lv->name);
		free(last);
		last = name;
		/* Directories, links and devices have no bytes of their own. */
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
			continue;
		if (archive_entry_is_encrypted(e)) {
			t->incomplete = true;
			problem(w, lv->path, EC_SIZE_UNKNOWN,
				"archive '%s': member '%s': encrypted, not read", lv->path, name);
			continue;
		}
		walk_entry(w, t, lv, e, name);
	}
	free(last);
}

/* A loose archive file, its head in s: hash it, ask cb->archive, walk it,
 * tell cb->archive_done. */
static void
walk_top(struct walker *w, const char *path, struct loose *f, struct src *s, enum ec_akind kind)
{
	struct top t;
	struct level lv;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned diglen = 0;
	char sha[65] = "";
	uint64_t size = s->replay_len;
	enum ec_walk_verdict v = EC_WALK_GO;
	ssize_t r;

	/* First pass: the SHA-256 of the whole file. */
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	EVP_DigestUpdate(md, s->replay, s->replay_len);
	for (;;) {
		do
			r = read(f->fd, w->scratch, IO_SIZE);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			break;
		EVP_DigestUpdate(md, w->scratch, (size_t)r);
		size += (uint64_t)r;
	}
	if (r < 0) {
		problem(w, path, size, "cannot read '%s': %s", path, strerror(errno));
		EVP_MD_CTX_free(md);
		return;
	}
	EVP_DigestFinal_ex(md, dig, &diglen);
	EVP_MD_CTX_free(md);
	for (unsigned i = 0; i < diglen && i < 32; i++)
		snprintf(sha + 2 * i, 3, "%02x", dig[i]);

	if (w->cb->archive)
		v = w->cb->archive(w->cb->ctx, path, sha, size);
	if (v == EC_WALK_STOP) {
		w->stop = EC_WALK_STOP;
		return;
	}
	if (v == EC_WALK_SKIP)
		return;
	if (lseek(f->fd, 0, SEEK_SET) < 0) {
		problem(w, path, EC_SIZE_UNKNOWN, "cannot seek in '%s': %s", path, strerror(errno));
		return;
	}

	memset(&t, 0, sizeof(t));
	t.w = w;
	t.path = path;
	t.file = f;
	t.buf = xmalloc(IO_SIZE);
	t.a = new_reader(kind);
	archive_read_set_read_callback(t.a, top_read);
	archive_read_set_seek_callback(t.a, top_seek);
	archive_read_set_callback_data(t.a, &t);
	if (archive_read_open1(t.a) != ARCHIVE_OK) {
		t.incomplete = true;
		problem(w, path, EC_SIZE_UNKNOWN, "archive '%s': %s", path, aerr(t.a));
	} else {
		lv.a = t.a;
		lv.path = path;
		lv.rel = NULL;
		lv.name = path_base(path);
		lv.depth = 1;
		lv.head = xmalloc(EC_HEAD_SIZE);
		walk_archive(w, &t, &lv);
		free(lv.head);
	}
	if (t.guard_msg)
		problem(w, path, EC_SIZE_UNKNOWN, "%s", t.guard_msg);
	archive_read_free(t.a);
	free(t.buf);
	free(t.guard_msg);
	/* A stopped walk does not report half-walked archives as walked. */
	if (!w->stop && w->cb->archive_done)
		w->cb->archive_done(w->cb->ctx, path, sha, size, t.members, !t.incomplete);
}

/* ----- files and directories ----- */

static void
walk_file(struct walker *w, const char *path)
{
	struct loose f;
	struct src s;
	struct stat st;
	struct ec_member m;
	enum ec_akind kind;
	int fd;

	do
		fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		problem(w, path, EC_SIZE_UNKNOWN, "cannot open '%s': %s", path, strerror(errno));
		return;
	}
	/* O_NONBLOCK: a FIFO put in place since lstat() must not hang the
	 * walk; it has no effect on the regular files read here. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		/* Replaced by something else since lstat(): not an input. */
		close(fd);
		return;
	}
	f.fd = fd;
	f.size = (uint64_t)st.st_size;
	f.credited = 0;
	memset(&s, 0, sizeof(s));
	s.w = w;
	s.file = &f;
	memset(&m, 0, sizeof(m));
	m.path = path;
	m.name = path_base(path);
	m.size = f.size;
	m.mtime = (int64_t)st.st_mtime;
	m.head = w->head;
	m.head_len = read_head(&s, w->head);
	kind = s.failed ? EC_AK_NONE : ec_sniff_archive(m.head, m.head_len);
	if (kind != EC_AK_NONE && w->lim.max_depth < 1) {
		problem(w, path, EC_SIZE_UNKNOWN,
			"archive '%s': archives not opened (depth limit %d)", path,
			w->lim.max_depth);
		kind = EC_AK_NONE;
	}
	if (kind == EC_AK_NONE)
		hand_over(w, &m, &s, NULL);
	else
		walk_top(w, path, &f, &s, kind);
	free(s.err);
	credit(w, &f, f.size);
	close(fd);
}

/* A directory being walked, and the ones above it (to stop at a loop that
 * a bind mount can make). */
struct dirid {
	dev_t dev;
	ino_t ino;
	const struct dirid *up;
};

static void walk_path(struct walker *w, const char *path, bool arg, const struct dirid *up);

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
walk_dir(struct walker *w, const char *path, const struct stat *st, const struct dirid *up)
{
	struct dirid me = { st->st_dev, st->st_ino, up };
	char **names = NULL;
	size_t n = 0, cap = 0, plen = strlen(path);
	struct dirent *de;
	DIR *d;

	for (const struct dirid *p = up; p; p = p->up) {
		if (p->dev == st->st_dev && p->ino == st->st_ino)
			return;
	}
	d = opendir(path);
	if (!d) {
		problem(w, path, EC_SIZE_UNKNOWN, "cannot open '%s': %s", path, strerror(errno));
		return;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				problem(w, path, EC_SIZE_UNKNOWN, "cannot read '%s': %s", path,
					strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (!w->stop) {
			bool slash = plen && path[plen - 1] == '/';
			char *child = xasprintf("%s%s%s", path, slash ? "" : "/", names[i]);

			walk_path(w, child, false, &me);
			free(child);
		}
		free(names[i]);
	}
	free(names);
}

/* Walk one path. arg: given by the user, so a symbolic link to a directory
 * is followed; below that, links are followed to regular files only. */
static void
walk_path(struct walker *w, const char *path, bool arg, const struct dirid *up)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		problem(w, path, EC_SIZE_UNKNOWN, "cannot open '%s': %s", path, strerror(errno));
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		if (stat(path, &st) != 0) {
			problem(w, path, EC_SIZE_UNKNOWN, "cannot open '%s': %s", path, strerror(errno));
			return;
		}
		if (S_ISDIR(st.st_mode) && !arg)
			return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_dir(w, path, &st, up);
	} else if (S_ISREG(st.st_mode)) {
		const char *g = w->lim.nexclude ? excluded_by(w, path_base(path), rel_path(w, path)) : NULL;

		if (g) {
			if (!w->counting && w->cb->excluded)
				w->cb->excluded(w->cb->ctx, path, g);
			return;
		}
		if (w->counting) {
			w->st->files_total++;
			w->st->bytes_total += (uint64_t)st.st_size;
		} else {
			walk_file(w, path);
		}
	}
	/* FIFOs, sockets and devices are not inputs. */
}

static const struct ec_walk_cb no_callbacks;

/* Sets st->files_total and st->bytes_total (the other counters are left
 * alone) with the same rules as ec_walk(): an archive is one file. */
void
ec_walk_count(const char *const *paths, int npaths, struct ec_walk_stats *st)
{
	struct walker w;

	memset(&w, 0, sizeof(w));
	w.cb = &no_callbacks;
	w.st = st;
	w.counting = true;
	st->files_total = 0;
	st->bytes_total = 0;
	for (int i = 0; i < npaths; i++)
		walk_path(&w, paths[i], true, NULL);
}

/* st (may be NULL) is added to, not reset, so that the totals from
 * ec_walk_count() can sit in the same struct. EC_WALK_STOP from cb->archive
 * ends the walk with that value (2). */
int
ec_walk(const char *const *paths, int npaths, const struct ec_walk_limits *lim,
	const struct ec_walk_cb *cb, struct ec_walk_stats *st)
{
	struct ec_walk_stats local;
	struct walker w;

	memset(&w, 0, sizeof(w));
	if (lim) {
		w.lim = *lim;
	} else {
		w.lim.max_unpacked = EC_DEFAULT_MAX_UNPACKED;
		w.lim.max_ratio = EC_DEFAULT_MAX_RATIO;
		w.lim.max_depth = EC_DEFAULT_MAX_DEPTH;
	}
	if (!st) {
		memset(&local, 0, sizeof(local));
		st = &local;
	}
	w.cb = cb ? cb : &no_callbacks;
	w.st = st;
	w.progress_at = st->bytes_read;
	w.head = xmalloc(EC_HEAD_SIZE);
	w.scratch = xmalloc(IO_SIZE);
	for (int i = 0; i < npaths && !w.stop; i++) {
		w.root = paths[i];
		w.root_len = strlen(paths[i]);
		while (w.root_len > 1 && paths[i][w.root_len - 1] == '/')
			w.root_len--;
		walk_path(&w, paths[i], true, NULL);
	}
	free(w.head);
	free(w.scratch);
	return w.stop;
}
