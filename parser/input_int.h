/* SPDX-License-Identifier: MIT */
/* input_int.h - internals of input.c shared with its tests only: the archive
 * sniffer and the bounds the walker applies. Not for other modules. */
#ifndef PARSER_INPUT_INT_H
#define PARSER_INPUT_INT_H

#include <stddef.h>
#include <stdint.h>

/* What the first bytes of a file say it is, as far as the walker cares. */
enum ec_akind {
	EC_AK_NONE = 0,		/* not an archive: handed over as a file */
	EC_AK_ZIP,		/* "PK\3\4", or "PK\5\6" (empty zip) */
	EC_AK_7Z,		/* 37 7A BC AF 27 1C */
	EC_AK_CAB,		/* "MSCF" and four zero bytes */
	EC_AK_TAR,		/* "ustar" at offset 257 */
	EC_AK_GZIP,		/* 1F 8B 08: a .tar.gz or a lone gzip-compressed file */
	EC_AK_BZIP2,		/* "BZh1".."BZh9" and a block or end-of-stream magic */
	EC_AK_XZ,		/* FD "7zXZ" 00 */
};

/* Sniff the first n bytes of a file (the head). Names are never looked at. */
enum ec_akind ec_sniff_archive(const unsigned char *p, size_t n);

/* A 7z inside an archive is read from memory (libarchive's 7z reader must
 * seek to the header at the end); larger ones are handed over as files. */
#define EC_NESTED_7Z_MAX ((size_t)64 << 20)

/* The compression ratio guard starts once this much has been unpacked. */
#define EC_RATIO_FLOOR ((uint64_t)1 << 20)

#endif
