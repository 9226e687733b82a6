/* SPDX-License-Identifier: MIT */
/* input.h - discovery: walks the paths a user gave (files, directories,
 * archives, archives inside archives) and hands every file inside them to
 * the caller as a stream, hashing its bytes on the way. Archives are read in
 * place with libarchive and never extracted to disk. Nothing is printed:
 * what could not be read is reported through the callbacks. */
#ifndef PARSER_INPUT_H
#define PARSER_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/stream.h"

#define EC_HEAD_SIZE (64u * 1024u)	/* bytes offered for sniffing */
#define EC_SIZE_UNKNOWN UINT64_MAX

struct ec_member_int;

/* One file found by the walk. All pointers are valid during the callback. */
struct ec_member {
	const char *path;		/* display path; inside archives "a.zip!dir/b.log" (nested: "a.zip!b.7z!c.log") */
	const char *name;		/* base name of the last component */
	const char *container;		/* top-level archive path, or NULL for a loose file */
	uint64_t size;			/* size in bytes, or EC_SIZE_UNKNOWN */
	int64_t mtime;			/* modification time, seconds since 1970, or 0 */
	int depth;			/* 0 for a loose file, 1 inside an archive, 2 inside an archive in an archive ... */
	const unsigned char *head;	/* its first bytes (up to EC_HEAD_SIZE) */
	size_t head_len;
	struct ec_stream *in;		/* all its bytes from offset 0 (the head included) */
	struct ec_member_int *priv;	/* walker state */
};

/* Loose files only: start m->in again from byte 0 (hash and size too).
 * Returns false for archive members, which cannot be read twice. */
bool ec_member_rewind(struct ec_member *m);

/* Read what is left of m->in and return the SHA-256 of the whole member
 * (lower-case hex) and its size. Returns false if reading failed (err says
 * why; the hash is then of what could be read). Idempotent. */
bool ec_member_finish(struct ec_member *m, char sha256[65], uint64_t *size, const char **err);

struct ec_walk_limits {
	uint64_t max_unpacked;		/* most bytes read out of one top-level archive (all levels) */
	unsigned max_ratio;		/* most unpacked bytes per packed byte, checked past 1 MiB */
	int max_depth;			/* most levels of archive in archive */
	/* Files not read (--exclude): fnmatch() globs matched against a file's
	 * base name and its path below the PATH given (inside an archive, its
	 * path in the archive). An excluded archive is not opened. */
	const char *const *exclude;
	size_t nexclude;
};

#define EC_DEFAULT_MAX_UNPACKED ((uint64_t)16 << 30)
#define EC_DEFAULT_MAX_RATIO 1000u
#define EC_DEFAULT_MAX_DEPTH 4

struct ec_walk_stats {
	uint64_t files_total;		/* loose files found by ec_walk_count() */
	uint64_t bytes_total;		/* their bytes */
	uint64_t files_done;		/* files handed to the callback so far (members included) */
	uint64_t bytes_read;		/* bytes read from disk so far */
};

enum ec_walk_verdict {
	EC_WALK_GO = 0,		/* walk this archive */
	EC_WALK_SKIP = 1,	/* do not open it (already ingested whole) */
	EC_WALK_STOP = 2,	/* stop the whole walk */
};

struct ec_walk_cb {
	void *ctx;
	/* A file that is not an archive (or an archive too deep to open).
	 * Return non-zero to stop the walk. The callee may call
	 * ec_member_finish(); the walker calls it anyway afterwards. */
	int (*file)(void *ctx, struct ec_member *m);
	/* A loose archive file about to be opened, with its hash (read in a
	 * first pass). Optional. */
	enum ec_walk_verdict (*archive)(void *ctx, const char *path, const char *sha256, uint64_t size);
	/* An archive fully walked: members read, problems reported. Optional. */
	void (*archive_done)(void *ctx, const char *path, const char *sha256, uint64_t size,
			     uint64_t members, bool complete);
	/* Something could not be read: a path (or archive member) and why.
	 * offset is UINT64_MAX when unknown. */
	void (*problem)(void *ctx, const char *path, uint64_t offset, const char *msg);
	/* Called about every MiB read and at each file; optional. */
	void (*progress)(void *ctx, const struct ec_walk_stats *st);
	/* A file (or archive member) not read because it matches glob, one of
	 * the limits' exclude globs. Optional. */
	void (*excluded)(void *ctx, const char *path, const char *glob);
};

/* Count the loose files and their bytes under paths (for progress). */
void ec_walk_count(const char *const *paths, int npaths, struct ec_walk_stats *st);

/* Walk paths in the order given; directories in name order. Returns 0 when
 * the walk ended, or the non-zero value a callback stopped it with. */
int ec_walk(const char *const *paths, int npaths, const struct ec_walk_limits *lim,
	    const struct ec_walk_cb *cb, struct ec_walk_stats *st);

#endif
