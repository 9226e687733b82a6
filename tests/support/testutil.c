/* SPDX-License-Identifier: MIT */
/* testutil.c - corpus lookup, file reading and scratch directories. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "support/testutil.h"

const char *
corpus_path(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("ECDIAG_CORPUS");
	struct stat st;

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (stat(path, &st) != 0)
		return NULL;
	return path;
}

char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[65536];
	size_t n;

	if (!f)
		return NULL;
	buf_init(&b, (size_t)1 << 31);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return buf_detach(&b, len);
}

char *
corpus_excerpt(const char *rel, size_t *len)
{
	const char *path = corpus_path(rel);
	size_t n, i = 0;
	char *all;
	struct buf out;

	if (!path)
		return NULL;
	all = slurp(path, &n);
	if (!all)
		return NULL;
	buf_init(&out, n + 1);
	while (i < n) {
		char *nl = memchr(all + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - all) + 1 : n;

		if (!(strncmp(all + i, "# ", 2) == 0 || strncmp(all + i, "#####", 5) == 0 ||
		      (end - i == 2 && all[i] == '#')))
			buf_add(&out, all + i, end - i);
		i = end;
	}
	free(all);
	return buf_detach(&out, len);
}

const char *
test_tmpdir(const char *tag)
{
	static char path[4096];
	char cmd[8300];

	snprintf(path, sizeof(path), "%s/ecdiag-test-%s-%ld", "/tmp", tag, (long)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", path, path);
	if (system(cmd) != 0)
		return NULL;
	return path;
}
