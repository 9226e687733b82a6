/* SPDX-License-Identifier: MIT */
/* textutil.c - shared pieces of the line-based text parsers. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parser/textutil.h"

size_t
text_append(struct buf *b, const char *p, size_t n)
{
	size_t room = b->max - b->len;

	buf_add(b, p, n);
	return n > room ? n - room : 0;
}

size_t
text_append_line(struct buf *b, struct sv v, bool has_nul)
{
	const char *nul;
	size_t cut = 0;

	while (has_nul && v.n && (nul = memchr(v.p, 0, v.n)) != NULL) {
		size_t k = (size_t)(nul - v.p);

		cut += text_append(b, v.p, k);
		cut += text_append(b, "\xEF\xBF\xBD", 3);
		v = sv_make(v.p + k + 1, v.n - k - 1);
	}
	return cut + text_append(b, v.p, v.n);
}

void
text_drop_partial_utf8(struct buf *b)
{
	size_t i = b->len, back = 0;
	unsigned c;

	while (i > 0 && back < 4 && ((unsigned char)b->data[i - 1] & 0xC0) == 0x80) {
		i--;
		back++;
	}
	if (i == 0 || back == 4)
		return;
	c = (unsigned char)b->data[i - 1];
	if (c >= 0xC0 && back + 1 < (c >= 0xF0 ? 4u : c >= 0xE0 ? 3u : 2u)) {
		b->len = i - 1;
		b->data[b->len] = '\0';
	}
}

bool
text_blank(struct sv v)
{
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] != ' ' && v.p[i] != '\t')
			return false;
	}
	return true;
}

bool
text_problem_ok(uint64_t *problems)
{
	return ++*problems <= TEXT_PROBLEM_CAP;
}

int
text_line_problems(const struct linereader *lr, const struct ec_sink *sink, bool has_nul,
		   uint64_t *problems)
{
	int rc = 0;

	if (lr->nul_bytes && text_problem_ok(problems)) {
		uint64_t after = lr->nul_mid ? lr->lineno : lr->lineno - 1;
		char where[48];

		if (lr->nul_mid)
			snprintf(where, sizeof(where), "in line %" PRIu64, after);
		else if (after)
			snprintf(where, sizeof(where), "after line %" PRIu64, after);
		else
			snprintf(where, sizeof(where), "at the start of the file");
		rc = ec_problemf(sink, after, lr->nul_offset, 0, lr->nul_bytes,
				 "nul bytes (%" PRIu64 ") at offset %" PRIu64 " %s: "
				 "the file was not completely written", lr->nul_bytes, lr->nul_offset, where);
	}
	if (!rc && lr->cut_bytes && text_problem_ok(problems))
		rc = ec_problemf(sink, lr->lineno, lr->offset, 0, lr->cut_bytes,
				 "line too long, cut at %zu bytes", lr->max);
	if (!rc && lr->bad_units && text_problem_ok(problems))
		rc = ec_problemf(sink, lr->lineno, lr->offset, 0, 0,
				 "invalid utf-16 in line, %zu units replaced%s", lr->bad_units,
				 lr->unterminated ? " (the file ends in the middle of a character)" : "");
	if (!rc && has_nul && text_problem_ok(problems))
		rc = ec_problemf(sink, lr->lineno, lr->offset, 0, 0, "nul bytes in line replaced");
	return rc;
}

int
text_finish(const struct linereader *lr, const struct ec_sink *sink, uint64_t problems, int r)
{
	int rc;

	if (problems > TEXT_PROBLEM_CAP &&
	    (rc = ec_problemf(sink, 0, UINT64_MAX, 0, 0, "%" PRIu64 " more problems like this",
			      problems - TEXT_PROBLEM_CAP)) != 0)
		return rc;
	if (r < 0) {
		const char *why = lr->in->error ? lr->in->error(lr->in->ctx) : NULL;

		rc = ec_problemf(sink, lr->lineno, UINT64_MAX, 0, 0, "read error: %s",
				 why ? why : "unknown");
		return rc ? rc : -1;
	}
	return 0;
}

int
text_sniff_lines(const struct ec_sniff *s, int max,
		 int (*judge)(void *ctx, struct sv line, int seen), void *ctx)
{
	const char *p = s->text, *end;
	int seen = 0, v;

	if (!p)
		return 0;
	end = p + s->text_len;
	if (s->text_len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && seen < max) {
		const char *e = p;
		struct sv line;

		while (e < end && *e != '\n' && *e != '\r' && *e != '\0')
			e++;
		line = sv_make(p, (size_t)(e - p));
		if (!text_blank(line) && (v = judge(ctx, line, ++seen)) != 0)
			return v;
		p = e + 1;
	}
	return 0;
}

size_t
text_max_line(const struct ec_options *o)
{
	return o && o->max_line ? o->max_line : EC_MAX_LINE;
}

size_t
text_max_record(const struct ec_options *o)
{
	return o && o->max_record && o->max_record < EC_MAX_RECORD ? o->max_record : EC_MAX_RECORD;
}
