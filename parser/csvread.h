/* SPDX-License-Identifier: MIT */
/* csvread.h - RFC 4180 records read from a line reader, for the CSV and
 * tab-separated event exports (fmt_evcsv.c, fmt_pscsv.c), and the local
 * dates those exports write in the exporter's culture.
 *
 * A record is one line, or several when a quoted field holds line breaks
 * (each CR, LF or CRLF inside quotes becomes one '\n'). Fields may be quoted
 * or not; "" inside a quoted field is one quote. Leniencies: a quote inside a
 * quoted field that is neither doubled nor followed by the separator or the
 * end of the line is kept as text (writers that do not escape quotes), and a
 * quote inside an unquoted field is text. Lines that are blank outside a
 * quoted field are skipped.
 *
 * No allocation per record once the buffers have grown: the field views are
 * valid until the next csv_next(). A record longer than the options'
 * max_record is cut (the rest is read past and counted), fields past
 * CSV_MAX_FIELDS are dropped; both are reported. Problems go to the input's
 * sink and count against one per-input cap (TEXT_PROBLEM_CAP), shared with
 * the caller through csvread.problems. */
#ifndef PARSER_CSVREAD_H
#define PARSER_CSVREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/strview.h"
#include "parser/parser.h"

#define CSV_MAX_FIELDS 1024

struct csv_span {
	size_t off, len;	/* field text in rec */
	bool quoted;
};

struct csvread {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct linereader lr;
	char sep;		/* the separator, 0 until the first line that has one */
	const char *seps;	/* candidates while sep is 0 */

	/* the current record */
	struct buf rec;		/* field texts, unescaped, the separator after each */
	struct csv_span *span;	/* CSV_MAX_FIELDS at most */
	struct sv *field;	/* views of span, filled by csv_next() */
	size_t nfields, cap;
	uint64_t line, offset;	/* first line and its byte offset */
	uint64_t end_line;	/* its last line */
	uint64_t cut_bytes;	/* bytes past max_record read past */
	size_t dropped_fields;	/* fields past CSV_MAX_FIELDS */
	bool unterminated;	/* the input ends inside a quoted field of this record */

	/* local dates (csv_time) */
	char order;		/* 'm' month first or 'd' day first once a date settles it */
	char assumed;		/* the order ambiguous dates were read in before that, or 0 */
	bool told_ambiguous, told_conflict;

	uint64_t records, problems;
	int stop;		/* a sink's non-zero value */
};

/* Read inp's stream. seps: the separator (",", "\t") or, when it holds
 * several, the candidates: the first of them found outside quotes in the
 * input fixes it. */
void csv_init(struct csvread *cr, const struct ec_input *inp, const char *seps);
void csv_release(struct csvread *cr);

/* The next record into cr->field[0 .. cr->nfields). Returns 1 for a record,
 * 0 at the end of the input, -1 if the stream failed, 2 if a sink stopped
 * the parse while a problem was reported (its value in cr->stop). */
int csv_next(struct csvread *cr);

/* The fields from k to the end of the record as one text, the separator
 * between them (fields past the last one a writer meant, in a last column
 * holding text that was not quoted). Empty if k >= nfields. */
struct sv csv_rest(const struct csvread *cr, size_t k);

/* The end of a parse: text_finish() with the reader's counts; r is the last
 * value csv_next() returned. */
int csv_finish(struct csvread *cr, int r);

/* A problem about the current record (counted against the cap); returns a
 * sink's non-zero value. */
int csv_problemf(struct csvread *cr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A date and time as the exporter's culture writes it: "5/12/2023 7:34:38
 * AM", "12/05/2023 07:34:38", "12.05.2023 07:34:38", "2023-05-12 07:34:38",
 * "2023/5/12 7:34:38", with or without seconds, fractions, and the
 * direction marks some Windows versions put in. It is local time: read with
 * the user's --utc-offset (TQ_LOCAL_GIVEN) or as UTC (TQ_LOCAL_ASSUMED); an
 * explicit offset or Z makes it TQ_EXACT. When day and month can be swapped
 * (both 12 or less) and no earlier date of the input settled the order, it is
 * read month first when AM/PM is written and day first otherwise, and one
 * problem per input says so. A date that cannot be read gives TQ_NONE and a
 * problem. Returns a sink's non-zero value, else 0. */
int csv_time(struct csvread *cr, struct sv text, struct ec_time *t);

/* Parse an integer field (spaces around allowed); false if it is not one. */
bool csv_int(struct sv v, int64_t *out);
/* Like csv_int, but also accepts values up to UINT64_MAX; a negative value
 * gives its two's complement (PowerShell writes 64-bit keywords signed). */
bool csv_u64(struct sv v, uint64_t *out);
/* Get-EventLog's EntryType as a level: the names ("Error", "Warning",
 * "Information", "SuccessAudit", "FailureAudit") or the EventLogEntryType
 * numbers (1, 2, 4, 8, 16) ConvertTo-Json writes. */
enum ec_level csv_entry_type(struct sv v);
/* ASCII case-insensitive comparison with a literal, spaces around ignored. */
bool csv_name_eq(struct sv v, const char *lit);

#endif
