/* SPDX-License-Identifier: MIT */
/* xmlfeed.h - what the streaming XML readers (wevtutil XML, run-history XML
 * and CLIXML) share when they feed expat from an ec_stream: one read
 * decoded to UTF-8, and markup kept under a cap, since expat holds a whole
 * tag (or comment, or CDATA) in memory. Parser-internal. */
#ifndef PARSER_XMLFEED_H
#define PARSER_XMLFEED_H

#include <expat.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/encoding.h"

/* Where the reader is in the markup, across reads. */
struct xml_markup {
	uint64_t len;		/* bytes of the markup being read */
	bool in_tag;
};

/* Follow p[0..n): false when one piece of markup passes EC_MAX_RECORD
 * bytes without its '>'. */
bool xml_markup_ok(struct xml_markup *m, const char *p, size_t n);

/* XML_Parse over n bytes (in slices expat's int length can take); false on
 * an expat error. */
bool xml_parse_bytes(XML_Parser xp, const char *p, size_t n, bool final);

/* Decode raw[0..n) (one read plus the bytes carried from the last) into
 * dec (reset first): UTF-16 as enc says, anything else as Windows-1252.
 * Unless eof, an odd byte or a lone high surrogate at the end is moved to
 * raw's start for the next read; returns how many bytes were carried. Adds
 * the invalid UTF-16 units replaced to *bad_units. */
size_t xml_decode(struct buf *dec, unsigned char *raw, size_t n, enum enc enc, bool eof,
		  size_t *bad_units);

#endif
