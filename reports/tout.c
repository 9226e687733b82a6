/* SPDX-License-Identifier: MIT */
/* tout.c - the terminal report's line writer (tout.h). */
#include <stdarg.h>
#include <string.h>

#include "common/encoding.h"
#include "reports/report.h"
#include "reports/rutil.h"
#include "reports/tout.h"

#define LINE_MAX_BYTES (1u << 20)

void
tout_init(struct tout *t, FILE *f, int width, bool color)
{
	t->f = f;
	t->width = width < 40 ? 40 : width;
	t->color = color;
	buf_init(&t->line, LINE_MAX_BYTES);
	t->hang = -1;
	t->err = false;
}

/* Columns of s[0..n): a UTF-8 sequence is one column, SGR sequences none. */
static int
columns(const char *s, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if (b == 0x1b) {
			while (i < n && s[i] != 'm')
				i++;
			continue;
		}
		if ((b & 0xC0) != 0x80)
			c++;
	}
	return c;
}

int
tout_col(const struct tout *t)
{
	return columns(t->line.data, t->line.len);
}

/* Where continuation lines start when the line did not say: after the
 * label, i.e. after the first run of two spaces past the indent within
 * the first 24 columns; else the indent plus two. */
static int
find_hang(const char *s, size_t n, int width)
{
	size_t i = 0;
	int col;

	while (i < n && s[i] == ' ')
		i++;
	col = (int)i;
	for (size_t k = i; k + 2 < n; k++) {
		if (s[k] == 0x1b)
			continue;
		if (columns(s, k) > 24 || columns(s, k) > width / 2)
			break;
		if (s[k] == ' ' && s[k + 1] == ' ') {
			while (k < n && s[k] == ' ')
				k++;
			return columns(s, k);
		}
	}
	return col + 2;
}

static void
put_spaces(FILE *f, int n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/* Write the built line, wrapped. */
static void
flush_line(struct tout *t)
{
	const char *s = t->line.data;
	size_t n = t->line.len, i = 0;
	int hang, avail;
	bool first = true;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (columns(s, n) <= t->width) {
		fwrite(s, 1, n, t->f);
		goto done;
	}
	hang = t->hang >= 0 ? t->hang : find_hang(s, n, t->width);
	if (hang > t->width / 2)
		hang = t->width / 2;
	while (i < n) {
		size_t brk = 0, k = i, last_space = 0;
		int col = first ? 0 : hang;

		if (!first) {
			while (i < n && s[i] == ' ')
				i++;
			k = i;
			if (i == n)
				break;
		}
		avail = t->width;
		/* find how far this row reaches */
		while (k < n) {
			unsigned char b = (unsigned char)s[k];
			size_t len = 1;

			if (b == 0x1b) {
				while (k + len < n && s[k + len - 1] != 'm')
					len++;
				k += len;
				continue;
			}
			while (k + len < n && ((unsigned char)s[k + len] & 0xC0) == 0x80)
				len++;
			if (col + 1 > avail)
				break;
			if (b == ' ' && k > i)
				last_space = k;
			col++;
			k += len;
		}
		if (k >= n)
			brk = n;
		else if (last_space > i && columns(s + i, last_space - i) > (avail - (first ? 0 : hang)) / 3)
			brk = last_space;
		else
			brk = k;
		if (!first)
			put_spaces(t->f, hang);
		{
			size_t end = brk;

			while (end > i && s[end - 1] == ' ')
				end--;
			fwrite(s + i, 1, end - i, t->f);
		}
		i = brk;
		if (i < n)
			fputc('\n', t->f);
		first = false;
	}
done:
	fputc('\n', t->f);
	if (ferror(t->f))
		t->err = true;
	buf_reset(&t->line);
	t->hang = -1;
}

void
tout_putc(struct tout *t, char c)
{
	if (c == '\n')
		flush_line(t);
	else
		buf_addc(&t->line, c);
}

void
tout_puts(struct tout *t, const char *s)
{
	for (; s && *s; s++)
		tout_putc(t, *s);
}

void
tout_printf(struct tout *t, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	tout_puts(t, tmp);
}

void
tout_spaces(struct tout *t, int n)
{
	while (n-- > 0)
		buf_addc(&t->line, ' ');
}

void
tout_esc(struct tout *t, const char *s, size_t max)
{
	if (s)
		tout_escn(t, s, strlen(s), max);
}

void
tout_escn(struct tout *t, const char *s, size_t len, size_t max)
{
	report_clean(&t->line, s, len, max);
}

void
report_clean(struct buf *b, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n = 0;

	while (p < end && n < max) {
		uint32_t cp;
		size_t sl = utf8_seq(p, (size_t)(end - p), &cp);

		if (sl == 0) {
			buf_addf(b, "\\x%02x", *p);	/* not UTF-8: the byte */
			sl = 1;
		} else if (report_hidden_cp(cp)) {
			/* C0, DEL, C1 as \xHH; bidirectional controls as \uHHHH */
			buf_addf(b, cp < 0xa0 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
		} else {
			buf_add(b, p, sl);
		}
		p += sl;
		n += sl;
	}
	if (p < end)
		buf_adds(b, "...");
}

void
tout_hang(struct tout *t)
{
	t->hang = tout_col(t);
}

void
tout_sgr(struct tout *t, const char *sgr)
{
	if (!t->color)
		return;
	buf_addf(&t->line, "\x1b[%sm", sgr && *sgr ? sgr : "0");
}

int
tout_done(struct tout *t)
{
	if (t->line.len)
		flush_line(t);
	buf_release(&t->line);
	if (fflush(t->f) != 0)
		t->err = true;
	return t->err ? -1 : 0;
}

/* The one-line escaper of the other commands (report.h). */
void
report_put_escaped(FILE *out, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s && n < max; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else if (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] < 0xa0)
			fprintf(out, "\\x%02x", (unsigned char)*++s);	/* C1 controls (U+0080..U+009F) */
		else
			fputc(c, out);
	}
	if (s && *s)
		fputs("...", out);
}
