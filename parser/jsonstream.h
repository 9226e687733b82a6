/* SPDX-License-Identifier: MIT */
/* jsonstream.h - the top-level objects of a JSON text, one at a time, for
 * the readers of PowerShell's ConvertTo-Json output (fmt_psjson.c,
 * fmt_runjson.c).
 *
 * ConvertTo-Json writes an array of objects, or one object when there was
 * one; `>>` appends make several such values one after another. Windows
 * PowerShell 5.1 writes UTF-16LE with a byte-order mark when redirected
 * (`>`), UTF-8 or ASCII with Out-File/Set-Content -Encoding; -Compress puts
 * everything on one line. The file is never loaded whole: a small scanner
 * (string and escape aware, counting brackets) cuts each element of a
 * top-level array, or each top-level object, into one reused buffer bounded
 * by the options' max_record, and cJSON parses that text alone; the callback
 * gets the parsed object, then it is freed. Damage is reported to the
 * input's sink and the reader goes on: an element larger than the buffer is
 * skipped, one that is not valid JSON or not an object is skipped, an input
 * cut off inside an element keeps the elements before it, text outside any
 * array or object is ignored (said once).
 *
 * Text that is not valid UTF-8 in a UTF-8 input is read as Windows-1252, as
 * the line reader does; UTF-16 is decoded on the fly (unpaired surrogates
 * become U+FFFD, counted and reported once at the end). Lines end at LF,
 * CRLF or a lone CR; offsets are those of the input's own bytes.
 *
 * The struct is public so that it can live on the stack or in a reader's
 * state; its fields other than problems, elements and peak are the
 * reader's own. */
#ifndef PARSER_JSONSTREAM_H
#define PARSER_JSONSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/strview.h"
#include "parser/parser.h"

/* One top-level object, valid only during the callback. */
struct js_element {
	const cJSON *json;	/* the parsed object */
	const char *text;	/* the UTF-8 text cJSON parsed (NUL-terminated) */
	size_t len;		/* its bytes */
	uint64_t line;		/* line of its opening brace, from 1 */
	uint64_t offset;	/* input offset of that brace */
};

/* Called for each object in input order: 0 to go on, non-zero to stop the
 * read (js_read() then returns that value). */
typedef int (*js_element_fn)(void *ctx, const struct js_element *el);

struct jsonstream {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	js_element_fn fn;	/* where objects go, during js_read() */
	void *ctx;

	/* the raw input */
	unsigned char *raw;	/* read buffer */
	uint64_t rbase;		/* input offset of the next byte to read */
	enum enc enc;
	bool failed;		/* the stream returned an error */
	unsigned char odd;	/* UTF-16: a byte left over from the last read */
	bool have_odd;
	unsigned high;		/* UTF-16: a high surrogate waiting for its pair */
	uint64_t high_off;
	uint64_t bad_units;	/* invalid UTF-16 units replaced */

	/* the scanner */
	uint64_t lineno;
	bool prev_cr;
	int64_t depth;		/* brackets open: 1 inside a top-level array, more in an element */
	bool capturing;		/* inside an element, its bytes going to obj */
	bool scalar;		/* the element is not an array or object */
	bool in_str, esc;
	int64_t cap_depth;	/* depth the element started at */
	bool junk_told;		/* text outside the arrays was reported */
	struct buf obj;		/* the element's text, at most max_record bytes */
	uint64_t obj_line, obj_offset;
	struct buf conv;	/* obj read as Windows-1252 */
	struct buf one;		/* one Windows-1252 byte as UTF-8 */

	uint64_t problems;	/* problems reported for the input (js_problemf), against
				 * TEXT_PROBLEM_CAP; the callback's own count here too */
	uint64_t elements;	/* objects handed to the callback */
	size_t peak;		/* the most bytes one element held in obj */
};

/* Prepare to read inp (its stream from offset 0, its encoding and byte-order
 * mark as sniffed, its options' max_record). */
void js_init(struct jsonstream *js, const struct ec_input *inp);
void js_release(struct jsonstream *js);

/* Read the whole input, calling fn for each top-level object. Returns 0 at
 * the end of the input (damage included), the first non-zero value of fn or
 * of the sink (the read then stops there), or -1 if the stream failed (the
 * objects before the failure were all handed over). Call js_finish() next. */
int js_read(struct jsonstream *js, js_element_fn fn, void *ctx);

/* The end of a parse, r being js_read()'s value: the problems past the cap
 * are counted in one problem, then a read error is reported. Returns r when
 * non-zero (-1 after the read error is reported), else a sink's non-zero
 * value, else 0. */
int js_finish(struct jsonstream *js, int r);

/* A problem counted against the input's cap (nothing past it). Returns the
 * sink's value. */
int js_problemf(struct jsonstream *js, uint64_t line, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- values ------------------------------------------------------------- */

/* The member called name (case ignored, as PowerShell does), or NULL when it
 * is missing or null. */
cJSON *js_get(const cJSON *o, const char *name);
/* An integer number, or a string holding one; false otherwise. */
bool js_num_int(const cJSON *v, int64_t *out);
/* A member as an integer, -1 when absent or not one. */
int64_t js_get_int(const cJSON *o, const char *name);
/* A string member, empty when absent or not a string. */
struct sv js_get_str(const cJSON *o, const char *name);
/* A scalar as PowerShell shows it: strings as they are, integers without a
 * fraction, booleans True/False, null empty (num holds a number's text).
 * False for arrays and objects. */
bool js_scalar_text(const cJSON *v, char num[32], struct sv *out);

/* A date as ConvertTo-Json writes it: "/Date(1649391053843)/" (Windows
 * PowerShell 5.1: milliseconds since 1970, UTC; a "+0200" suffix, when
 * present, does not change them) or ISO 8601 (PowerShell 7:
 * "2023-05-12T07:34:38.1234567+02:00", "...Z", or without a zone; a space
 * for the T is taken too). t->tod_ms is the time of day as written (UTC for
 * the /Date()/ form). *zoned says whether the text fixes the instant: then
 * t->ms is UTC and t->q TQ_EXACT; else t->ms is the written time read as UTC
 * and t->q TQ_LOCAL_ASSUMED, for the caller to settle. False if s is
 * neither. */
bool js_date(struct sv s, struct ec_time *t, bool *zoned);

/* ---- sniffing ----------------------------------------------------------- */

#define JS_SNIFF_MAX 4096

/* The first JS_SNIFF_MAX bytes of s's text, when their first character
 * (byte-order mark and spaces skipped) opens an array or an object. */
bool js_sniff_head(const struct ec_sniff *s, struct sv *head);
/* "key" followed by a colon somewhere in text. */
bool js_has_key(struct sv text, const char *key);

#endif
