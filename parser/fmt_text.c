/* SPDX-License-Identifier: MIT */
/* fmt_text.c - text that no other format recognises, read as plain lines:
 * every non-blank line is one record (its line number and offset, level
 * none, no time), so that nothing a user hands in is left unread and the
 * whole signature catalogue runs on it. Its sniff answers 1, the lowest
 * confidence, for any decoded text: every other format wins over it. Binary
 * content and empty files stay unclaimed. */
#include <string.h>

#include "common/linereader.h"
#include "parser/parser.h"
#include "parser/textutil.h"

static int
text_parse(const struct ec_input *inp)
{
	const struct ec_sink *sink = inp->sink;
	struct linereader lr;
	struct ec_event ev;
	struct sv line;
	uint64_t problems = 0;
	bool has_nul;
	int r, rc = 0;

	lr_init(&lr, inp->in, inp->enc.enc, inp->enc.bom, text_max_line(inp->opt));
	while ((r = lr_next(&lr, &line)) > 0) {
		has_nul = line.n && memchr(line.p, 0, line.n);
		if ((lr.cut_bytes || lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&lr, sink, has_nul, &problems)) != 0)
			break;
		while (line.n && (line.p[line.n - 1] == ' ' || line.p[line.n - 1] == '\t'))
			line.n--;
		if (text_blank(line))
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.line = lr.lineno;
		ev.offset = lr.offset;
		ev.tod_ms = -1;
		ev.timeq = TQ_NONE;
		ev.level = LVL_NONE;
		ev.event_id = -1;
		ev.message = line;
		if (sink->event && (rc = sink->event(sink->ctx, &ev)) != 0)
			break;
	}
	if (!rc)
		rc = text_finish(&lr, sink, problems, r);
	lr_release(&lr);
	return rc;
}

static int
text_sniff(const struct ec_sniff *s)
{
	for (size_t i = 0; s->text && i < s->text_len; i++) {
		char c = s->text[i];

		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return 1;
	}
	return 0;
}

const struct ec_format fmt_text = {
	.name = "text",
	.title = "text no other format recognises, read as plain lines",
	.identifies = "any text with a non-blank character (confidence 1, the lowest)",
	.binary = false,
	.sniff = text_sniff,
	.parse = text_parse,
};
