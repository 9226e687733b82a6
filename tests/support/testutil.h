/* SPDX-License-Identifier: MIT */
/* testutil.h - small helpers shared by the test suites. */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <stddef.h>

/* Path of a corpus file (ECDIAG_CORPUS/rel) in a static buffer, or NULL
 * when the corpus is not beside this clone. */
const char *corpus_path(const char *rel);

/* Read a whole (small) test file into memory; caller frees. NULL on error. */
char *slurp(const char *path, size_t *len);

/* Read a corpus text excerpt with its researcher lines (starting "# " or
 * "#####") removed; caller frees. NULL if missing. */
char *corpus_excerpt(const char *rel, size_t *len);

/* Make a fresh empty directory under the build tree; returns its path in a
 * static buffer. */
const char *test_tmpdir(const char *tag);

#endif
