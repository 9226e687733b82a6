/* SPDX-License-Identifier: MIT */
/* encoding.h - text encodings of the inputs, found from their bytes, and
 * decoding to UTF-8. Nothing here allocates except through struct buf. */
#ifndef COMMON_ENCODING_H
#define COMMON_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

enum enc {
	ENC_UTF8 = 0,		/* UTF-8 (plain ASCII included) */
	ENC_UTF16LE = 1,	/* UTF-16 little endian */
	ENC_UTF16BE = 2,	/* UTF-16 big endian */
	ENC_CP1252 = 3,		/* Windows-1252 ("ANSI") */
	ENC_BINARY = 4,		/* not text */
};

struct enc_guess {
	enum enc enc;		/* what the bytes are */
	size_t bom;		/* bytes of byte-order mark at the start (0, 2 or 3) */
};

/* Guess the encoding from the first n bytes of a file: BOM first, then the
 * pattern of zero bytes (UTF-16 without BOM), then UTF-8 validity, then
 * Windows-1252; bytes that no text has (NUL, most C0 controls) give
 * ENC_BINARY. The first 4096 bytes decide, except that a head with NUL
 * bytes is text when it is text apart from runs of them (zero code units in
 * UTF-16: blocks that a crash leaves): with the runs taken out, at least 64
 * bytes of text in the first 64 KiB, at most 1 in 100 of them a control,
 * and at most one run per 256 bytes of text (plus one). */
struct enc_guess enc_sniff(const unsigned char *p, size_t n);

/* Name as stored in the case database: "utf-8", "utf-8-bom", "utf-16le",
 * "utf-16le-bom", "utf-16be", "utf-16be-bom", "windows-1252", "binary". */
const char *enc_name(struct enc_guess g);

/* Length of the longest prefix of p that is valid UTF-8, stopping before a
 * sequence that is cut off at the end. */
size_t utf8_valid_len(const unsigned char *p, size_t n);

/* Append p decoded as Windows-1252 to out as UTF-8. */
void cp1252_to_utf8(struct buf *out, const unsigned char *p, size_t n);

/* Append n bytes of UTF-16 (big endian if be) to out as UTF-8. Unpaired
 * surrogates and a trailing odd byte become U+FFFD; returns how many. */
size_t utf16_to_utf8(struct buf *out, const unsigned char *p, size_t n, bool be);

/* Length of the valid UTF-8 sequence at p (1 to 4 bytes, at most avail)
 * with its code point in *cp, or 0 when the bytes there are not one
 * (overlong forms, surrogates, past U+10FFFF, cut off). A NUL is never a
 * continuation byte, so a NUL-terminated string may pass avail 4. */
size_t utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp);

/* Append code point cp to out as UTF-8. */
void utf8_put(struct buf *out, unsigned cp);

#endif
