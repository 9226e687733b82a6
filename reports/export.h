/* SPDX-License-Identifier: MIT */
/* export.h - 'ecdiag export': events and findings as NDJSON with Elastic
 * Common Schema field names, one document per line, and the timeline as
 * CSV (docs/EXPORT.md has the field mapping). Every line is valid JSON in
 * valid UTF-8 whatever the stored text holds: control characters are
 * escaped and bytes that are not UTF-8 become U+FFFD.
 *
 * An exporter owns the buffers it writes each line into; they grow to the
 * largest line and are reused, so writing a line allocates nothing. */
#ifndef REPORTS_EXPORT_H
#define REPORTS_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer/analyzer.h"
#include "analyzer/timeline.h"
#include "common/buf.h"
#include "store/store.h"

struct export_opts {
	const char *case_name;	/* ecdiag.case on every document, or NULL */
	const char *host;	/* host.name of documents that name no computer, or NULL */
	const char *bulk_index;	/* NULL, or write an Elasticsearch bulk API action line
				 * {"index":{"_index":...}} before each document */
};

struct exporter {
	const struct export_opts *o;
	struct buf line;	/* the document being written */
	struct buf text;	/* a string of the data column, decoded */
	struct buf keys;	/* the data item names of the document so far */
	struct buf action;	/* the bulk action line, or empty */
	struct export_key {
		size_t off, len;	/* a name in keys (names may hold NUL) */
		uint64_t next_dup;	/* the suffix to try next when it comes again */
	} *key;
	size_t nkeys, key_cap;
	struct export_slot {
		uint32_t gen, idx;	/* a key of this document when gen is the current one */
	} *slot;			/* hash table of the names, nslots a power of 2 */
	size_t nslots;
	uint32_t gen;
	uint64_t documents;	/* lines written (action lines not counted) */
	int64_t last_source;	/* source of the last event, and whether its format */
	bool last_windows;	/* is a Windows event format */
};

/* Results of the export_* writers. */
enum export_rc {
	EXPORT_OK = 0,
	EXPORT_WRITE = -1,	/* writing to out failed (errno says why) */
	EXPORT_TOO_LARGE = 1,	/* the document would pass EXPORT_LINE_MAX: nothing written */
};

#define EXPORT_LINE_MAX ((size_t)256 << 20)	/* bytes of one document */

/* o must outlive the exporter. */
void export_init(struct exporter *x, const struct export_opts *o);
void export_release(struct exporter *x);

/* One event as one NDJSON line (with its action line first for bulk). */
int export_event_ndjson(FILE *out, struct exporter *x, const struct store_export_row *r);
/* One finding as one NDJSON line (event.kind "alert"). */
int export_finding_ndjson(FILE *out, struct exporter *x, const struct an_finding *f);

/* The timeline as CSV (RFC 4180 quoting, LF line ends): a header row, then
 * one row per item with the columns start, end, lane, kind, status, label,
 * detail, path, line, record; empty fields for what is unknown. Returns 0,
 * or -1 if writing failed. */
int export_timeline_csv(FILE *out, const struct timeline *t);

#endif
