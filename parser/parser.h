/* SPDX-License-Identifier: MIT */
/* parser.h - the parser contract: formats turn the bytes of one input into
 * records (events, facts, problems) handed to a sink. Parsers do no I/O of
 * their own beyond the stream they are given, never print, never exit and
 * never touch SQLite. Every view in a record is valid only during the sink
 * call that receives it: a sink that keeps data copies it. */
#ifndef PARSER_PARSER_H
#define PARSER_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/encoding.h"
#include "common/stream.h"
#include "common/strview.h"

enum ec_level {
	LVL_NONE = 0,		/* the format has no level */
	LVL_VERBOSE = 1,	/* trace VERB */
	LVL_INFO = 2,
	LVL_WARN = 3,
	LVL_ERROR = 4,
	LVL_CRITICAL = 5,
};

/* How sure we are of an event's time, weakest first. */
enum ec_timeq {
	TQ_NONE = 0,		/* no time at all */
	TQ_TIME_OF_DAY = 1,	/* local time of day, date unknown: time_ms unset */
	TQ_LOCAL_ASSUMED = 2,	/* local time, offset unknown: read as --utc-offset (default UTC) */
	TQ_LOCAL_GIVEN = 3,	/* local time with an offset the user gave */
	TQ_HEADER_OFFSET = 4,	/* local time, offset from the file's own header */
	TQ_EXACT = 5,		/* the input gives UTC */
};

struct ec_kv {
	struct sv name;		/* data item name ("Data[2]" style for unnamed items) */
	struct sv value;
};

/* What a Windows event has besides the common fields (EVTX and its
 * exports). Views as in struct ec_event. */
struct ec_winevent {
	uint64_t record_id;	/* EventRecordID, 0 if unknown */
	struct sv channel;	/* "Application" */
	struct sv computer;
	struct sv user_sid;	/* Security/@UserID, e.g. "S-1-5-18"; may be empty */
	int64_t qualifiers;	/* EventID/@Qualifiers (classic sources), -1 if none */
	int64_t task, opcode;	/* -1 if unknown */
	int64_t win_level;	/* the Level number as written (0-5), -1 if unknown */
	uint64_t keywords;
	bool has_keywords;
	int64_t process_id, thread_id;	/* System/Execution, -1 if unknown */
};

struct ec_event {
	uint64_t line;		/* first line (text formats) or record number */
	uint64_t offset;	/* byte offset of the record in the input */
	int64_t time_ms;	/* UTC milliseconds since 1970 when timeq >= TQ_LOCAL_ASSUMED */
	int32_t tod_ms;		/* local time of day in ms as written, or -1 */
	enum ec_timeq timeq;
	enum ec_level level;
	struct sv provider;	/* component, source or provider; may be empty */
	int64_t event_id;	/* event id, or -1 */
	struct sv thread;	/* thread id as written; may be empty */
	struct sv message;	/* the whole record, continuation lines joined with '\n' */
	const struct ec_kv *data; /* name/value items of the event */
	size_t ndata;
	const struct ec_winevent *win;	/* Windows event fields, or NULL */
};

/* A typed observation. It belongs to the last event passed to the sink
 * (on_event) or to the input as a whole. */
struct ec_fact {
	struct sv name;		/* dotted name from docs/FACTS.md, e.g. "engine.installed_version" */
	struct sv key;		/* what it is about when there can be several (a component name); may be empty */
	struct sv value;
	bool on_event;		/* true: supported by the last event emitted */
};

/* Something that could not be read. line or offset may be 0 when unknown. */
struct ec_problem {
	uint64_t line;		/* line number, or 0 */
	uint64_t offset;	/* byte offset, or UINT64_MAX when unknown */
	uint64_t records;	/* records (or lines) skipped because of it */
	uint64_t bytes;		/* bytes skipped because of it */
	const char *message;	/* lower case, no full stop: "line too long, cut at 1048576 bytes" */
};

/* A time as read from an input: UTC ms when q >= TQ_LOCAL_ASSUMED, else
 * only the local time of day (tod_ms, -1 if none). */
struct ec_time {
	int64_t ms;
	int32_t tod_ms;
	enum ec_timeq q;
};

/* One Windows Installer action (fmt_msi), reported when it ends, or at the
 * end of its session if it never did. Lines are the input's line numbers
 * (0 when not seen); numbers are -1 when not seen. */
struct ec_msi_action {
	uint32_t session;	/* logging session in the file, from 1 */
	uint32_t seq;		/* order of its start (or end) within the file, from 1 */
	struct sv name;
	struct sv parent;	/* innermost action open when it started; may be empty */
	uint32_t depth;		/* 0 at the top, 1 inside another action ... */
	uint64_t start_line, end_line;
	struct ec_time start, end;
	int64_t return_value;	/* "Return value N." (1 success, 2 cancel, 3 fatal), -1 never ended */
	struct sv ca_name;	/* last "CustomAction X returned actual error code N" inside it */
	int64_t ca_error;
	uint64_t ca_line;
	int64_t error_number;	/* last "Error NNNNN." message inside it */
	uint64_t error_line;
	struct sv error_text;	/* that message, lines joined with '\n' */
};

/* One logging session of a Windows Installer log ("=== Verbose logging
 * started ..." to "=== ... stopped", or the whole file when it has no
 * header), reported when it ends. */
struct ec_msi_session {
	uint32_t session;
	uint64_t start_line, end_line;
	struct ec_time start, end;	/* first and last time read in it */
	struct sv started;		/* header date and time as written, empty without header */
	struct sv calling_process;	/* from the header */
	struct sv package;		/* the .msi ("******* Product: ...") */
	struct sv command_line;		/* "Command Line: ..." of the server side, else client */
	struct sv product;		/* ProductName */
	struct sv version;		/* ProductVersion */
	struct sv product_code, upgrade_code;
	struct sv result;		/* last "Product: X -- <result>" that is not an error */
	int64_t status;			/* "Installation success or error status: N", -1 */
	int64_t engine_return;		/* last "MainEngineThread is returning N", -1 */
	bool footer;			/* the "logging stopped" line was read */
	uint32_t actions, failed_actions;	/* actions seen, those that returned 3 */
};

/* Sync engine run history (Get-ADSyncRunProfileResult, run-history XML,
 * ADSyncTools exports): one run of a run profile on a connector, with its
 * steps. Literal values are kept as written; the *_class fields are
 * parser/runclass.c's reading of them. Times are UTC as the sync engine
 * keeps them. Views as in struct ec_event. */
struct ec_run_error {
	struct sv category;	/* "connection", "discovery", "sync", "export", "mv-retry" */
	struct sv dn;		/* the object's DN, may be empty */
	struct sv error_type;	/* "ma-extension-error", "failed-search", ... */
	struct sv code;		/* "8453", "0x80230703" ... */
	struct sv detail;	/* the error text (error-literal, message) */
	struct ec_time when;	/* date-occurred or the incident's date */
};

struct ec_run_step {
	int64_t step_number;		/* -1 if unknown */
	struct sv step_type;		/* as written: "delta-import", "DeltaImport", "apply-rules" ... */
	struct sv step_subtype;		/* "apply-pending", "reevaluate-flow-connectors", "to-cs" ...; may be empty */
	const char *step_class;		/* run_step_class(): full-import, delta-import, full-sync,
					 * delta-sync, export, unknown */
	struct sv result;		/* as written: "success", "stopped-connectivity" ... */
	const char *result_class;	/* run_result_class() */
	struct ec_time start, end;
	const struct ec_kv *counters;	/* kebab-case names as the run-history XML writes them
					 * ("stage-add", "export-failure", "connector-flow"), decimal values */
	size_t ncounters;
	struct sv connection_result;	/* "success", "failed-search", "dropped-connection" ... */
	struct sv connection_server;
	const struct ec_run_error *errors;	/* the errors kept (a parser keeps at most a few hundred) */
	size_t nerrors;
	int64_t error_count;		/* all the errors the step had, -1 if unknown */
};

struct ec_run {
	uint64_t line;			/* line (or record) where the run starts in the input */
	struct sv connector, connector_id;
	struct sv profile;		/* run profile name, user-defined */
	struct sv run_history_id;
	struct sv user;
	int64_t run_number;		/* -1 if unknown */
	struct sv result;		/* as written */
	const char *result_class;	/* run_result_class() */
	struct ec_time start, end;
	const struct ec_run_step *steps;
	size_t nsteps;
};

/* Where records go. Callbacks return 0 to continue, non-zero to stop the
 * parser (which then returns that value). Callbacks a sink does not need
 * may be NULL. */
struct ec_sink {
	void *ctx;
	int (*event)(void *ctx, const struct ec_event *ev);
	int (*fact)(void *ctx, const struct ec_fact *f);
	int (*problem)(void *ctx, const struct ec_problem *p);
	int (*msi_action)(void *ctx, const struct ec_msi_action *a);
	int (*msi_session)(void *ctx, const struct ec_msi_session *s);
	int (*run)(void *ctx, const struct ec_run *r);
};

/* What a parse may depend on besides the bytes. */
struct ec_options {
	bool have_offset;	/* the user gave the UTC offset of local times */
	int utc_offset_min;	/* that offset, minutes east of UTC */
	size_t max_line;	/* longest line kept (default EC_MAX_LINE) */
	size_t max_record;	/* longest multi-line record kept (default and most EC_MAX_RECORD) */
};

#define EC_MAX_LINE ((size_t)1 << 20)
#define EC_MAX_RECORD ((size_t)16 << 20)

/* What a sniffer sees: the first bytes of the input and, for text, their
 * decoded form. */
struct ec_sniff {
	const unsigned char *raw;	/* first bytes of the input */
	size_t raw_len;
	struct enc_guess enc;		/* encoding found from raw */
	const char *text;		/* raw decoded to UTF-8, byte-order mark removed (NULL for binary) */
	size_t text_len;
	const char *name;		/* base name of the input (a hint only, never decisive) */
};

/* One input handed to a parser. */
struct ec_input {
	struct ec_stream *in;		/* the bytes, from offset 0 */
	struct enc_guess enc;		/* as sniffed */
	const char *name;		/* base name, e.g. "trace-20260510-101502.log" */
	const struct ec_options *opt;
	const struct ec_sink *sink;
};

struct ec_format {
	const char *name;		/* short id stored in source.format: "trace" */
	const char *title;		/* "Entra Connect wizard trace log" */
	const char *identifies;		/* how sniff() recognises it, for `ecdiag formats` */
	bool binary;			/* sniffed on raw bytes only */
	/* 0 = not this format; otherwise confidence 1..100. */
	int (*sniff)(const struct ec_sniff *s);
	/* Parse the whole input. Returns 0 when the input was read to its end
	 * (problems included), a sink's non-zero value if a sink stopped it,
	 * or -1 if the stream failed (after reporting a problem). */
	int (*parse)(const struct ec_input *inp);
};

/* The registry: every format this build reads, in sniffing order. */
extern const struct ec_format *const ec_formats[];
extern const size_t ec_nformats;

/* The best format for these first bytes, or NULL if none claims them. */
const struct ec_format *ec_format_sniff(const struct ec_sniff *s);
const struct ec_format *ec_format_find(const char *name);

/* Report a fact through the sink (nothing if it takes no facts). */
int ec_fact_report(const struct ec_sink *sink, const char *name, struct sv key, struct sv value,
		   bool on_event);

/* Report a problem through the sink (printf-style message). */
int ec_problemf(const struct ec_sink *sink, uint64_t line, uint64_t offset, uint64_t records,
		uint64_t bytes, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
