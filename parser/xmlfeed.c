/* SPDX-License-Identifier: MIT */
/* xmlfeed.c - decoding and markup caps for the expat readers. */
#include <string.h>

#include "parser/parser.h"
#include "parser/xmlfeed.h"

bool
xml_markup_ok(struct xml_markup *m, const char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		const char *lt, *gt;

		if (m->in_tag) {
			gt = memchr(p + i, '>', n - i);
			m->len += (gt ? (size_t)(gt - (p + i)) : n - i);
			if (m->len > EC_MAX_RECORD)
				return false;
			if (!gt)
				break;
			m->in_tag = false;
			i = (size_t)(gt - p) + 1;
		} else {
			lt = memchr(p + i, '<', n - i);
			if (!lt)
				break;
			m->in_tag = true;
			m->len = 0;
			i = (size_t)(lt - p) + 1;
		}
	}
	return true;
}

bool
xml_parse_bytes(XML_Parser xp, const char *p, size_t n, bool final)
{
	while (n > 0 || final) {
		int k = n > INT32_MAX ? INT32_MAX : (int)n;

		if (XML_Parse(xp, p, k, final && (size_t)k == n) == XML_STATUS_ERROR)
			return false;
		p += k;
		n -= (size_t)k;
		if (n == 0)
			break;
	}
	return true;
}

size_t
xml_decode(struct buf *dec, unsigned char *raw, size_t n, enum enc enc, bool eof, size_t *bad_units)
{
	size_t keep = 0;
	bool be = enc == ENC_UTF16BE;

	buf_reset(dec);
	if (enc != ENC_UTF16LE && enc != ENC_UTF16BE) {
		cp1252_to_utf8(dec, raw, n);
		return 0;
	}
	if (!eof) {
		keep = n & 1;
		if (n - keep >= 2) {
			const unsigned char *u = raw + n - keep - 2;
			unsigned cu = be ? (unsigned)(u[0] << 8 | u[1]) : (unsigned)(u[1] << 8 | u[0]);

			if (cu >= 0xD800 && cu <= 0xDBFF)
				keep += 2;
		}
	}
	*bad_units += utf16_to_utf8(dec, raw, n - keep, be);
	memmove(raw, raw + n - keep, keep);
	return keep;
}
