/* SPDX-License-Identifier: MIT */
/* fmt_pscsv.c - PowerShell's Export-Csv of Windows events (FAS d.4):
 * `Get-WinEvent | Export-Csv` (EventLogRecord properties) and the legacy
 * `Get-EventLog | Export-Csv` (EventLogEntry properties).
 *
 * Windows PowerShell 5.1 writes a "#TYPE <type name>" line first unless
 * -NoTypeInformation is given, quotes every field and writes ASCII unless
 * told otherwise; PowerShell 7 leaves the #TYPE line out. Columns are found by
 * name in the header (their order depends on the PowerShell version and on
 * Select-Object); the separator is a comma, or the culture's list separator
 * with -UseCulture (";" in much of Europe), or a tab with -Delimiter. Dates
 * are local time written in the exporter's culture (csv_time()). Columns
 * that hold type names (Properties "System.Collections.Generic.List`1[...]",
 * ReplacementStrings "System.String[]", Data "System.Byte[]") say nothing
 * and are not read. A #TYPE line or the header found again later (exports
 * joined into one file) is skipped.
 *
 * Get-EventLog rows: InstanceId is the full classic event identifier (the
 * event id in its low 16 bits, the qualifiers above), Index the record
 * number, EntryType the level; the log name is in the #TYPE line
 * ("System.Diagnostics.EventLogEntry#Application/ADSync/1073748924"). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/parser.h"
#include "parser/textutil.h"
#include "parser/winevent.h"

enum col {
	C_MESSAGE, C_ID, C_QUALIFIERS, C_LEVEL, C_TASK, C_OPCODE, C_KEYWORDS, C_RECORDID,
	C_PROVIDERNAME, C_LOGNAME, C_PROCESSID, C_THREADID, C_MACHINENAME, C_USERID,
	C_TIMECREATED, C_LEVELDISPLAYNAME, C_TASKDISPLAYNAME,
	/* Get-EventLog */
	C_ENTRYTYPE, C_INSTANCEID, C_EVENTID, C_SOURCE, C_TIMEGENERATED, C_TIMEWRITTEN, C_INDEX,
	C_CATEGORY, C_USERNAME,
	NCOL
};

static const char *const col_names[NCOL] = {
	"Message", "Id", "Qualifiers", "Level", "Task", "Opcode", "Keywords", "RecordId",
	"ProviderName", "LogName", "ProcessId", "ThreadId", "MachineName", "UserId",
	"TimeCreated", "LevelDisplayName", "TaskDisplayName",
	"EntryType", "InstanceId", "EventID", "Source", "TimeGenerated", "TimeWritten", "Index",
	"Category", "UserName",
};

#define TYPE_WINEVENT "System.Diagnostics.Eventing.Reader.EventLogRecord"
#define TYPE_EVENTLOG "System.Diagnostics.EventLogEntry"
#define LOGNAME_MAX 256

struct pscsv_state {
	struct csvread cr;
	int col[NCOL];		/* column of each name, -1 if absent */
	size_t ncols;		/* columns in the header */
	char logname[LOGNAME_MAX];	/* from a Get-EventLog #TYPE line */
	size_t loglen;
	struct buf msg;
	uint64_t skipped;
};

/* The value of a column in the current row; empty if the header has none. */
static struct sv
get(const struct pscsv_state *st, enum col c)
{
	int k = st->col[c];

	return k >= 0 && (size_t)k < st->cr.nfields ? sv_trim(st->cr.field[k]) : SV_NULL;
}

static int64_t
get_int(const struct pscsv_state *st, enum col c)
{
	int64_t v;

	return csv_int(get(st, c), &v) ? v : -1;
}

/* "System.Diagnostics.EventLogEntry#Application/ADSync/1073748924": the
 * log name. */
static void
type_line(struct pscsv_state *st, struct sv type)
{
	long k = sv_find(type, TYPE_EVENTLOG "#");
	const char *p, *end = type.p + type.n, *slash;

	if (k < 0)
		return;
	p = type.p + k + strlen(TYPE_EVENTLOG "#");
	slash = memchr(p, '/', (size_t)(end - p));
	if (!slash || slash == p || (size_t)(slash - p) >= LOGNAME_MAX)
		return;
	st->loglen = (size_t)(slash - p);
	memcpy(st->logname, p, st->loglen);
}

/* Find the columns by name; false if none of those that make an event. */
static bool
header(struct pscsv_state *st)
{
	struct csvread *cr = &st->cr;
	bool any = false;

	for (size_t c = 0; c < NCOL; c++)
		st->col[c] = -1;
	st->ncols = cr->nfields;
	for (size_t i = 0; i < cr->nfields; i++) {
		for (size_t c = 0; c < NCOL; c++) {
			if (st->col[c] < 0 && csv_name_eq(cr->field[i], col_names[c])) {
				st->col[c] = (int)i;
				break;
			}
		}
	}
	for (size_t c = 0; c < NCOL; c++) {
		if ((c == C_MESSAGE || c == C_ID || c == C_INSTANCEID || c == C_EVENTID ||
		     c == C_TIMECREATED || c == C_TIMEGENERATED) && st->col[c] >= 0)
			any = true;
	}
	return any;
}

/* The row names its columns where the header does. */
static bool
repeated_header(const struct pscsv_state *st)
{
	for (size_t c = 0; c < NCOL; c++) {
		int k = st->col[c];

		if (k >= 0 && (size_t)k < st->cr.nfields)
			return csv_name_eq(st->cr.field[k], col_names[c]);
	}
	return false;
}

static int
row(struct pscsv_state *st)
{
	struct csvread *cr = &st->cr;
	struct ec_winevent w;
	struct ec_event ev;
	struct ec_kv kv[2];
	struct sv v;
	int64_t n;
	uint64_t u;
	int rc;

	/* The #TYPE line or the header again: exports joined into one file. */
	if (cr->nfields == 1 && sv_starts(sv_trim(cr->field[0]), "#TYPE"))
		return 0;
	if (repeated_header(st))
		return 0;
	if (cr->nfields != st->ncols) {
		st->skipped++;
		return csv_problemf(cr, "row at line %" PRIu64 " has %zu columns, the header %zu: "
				    "skipped", cr->line, cr->nfields, st->ncols);
	}
	memset(&w, 0, sizeof(w));
	memset(&ev, 0, sizeof(ev));
	ev.line = cr->line;
	ev.offset = cr->offset;

	/* time */
	v = get(st, C_TIMECREATED);
	if (!v.n)
		v = get(st, C_TIMEGENERATED);
	if (!v.n)
		v = get(st, C_TIMEWRITTEN);
	{
		struct ec_time t;

		if ((rc = csv_time(cr, v, &t)) != 0)
			return rc;
		ev.time_ms = t.ms;
		ev.tod_ms = t.tod_ms;
		ev.timeq = t.q;
	}

	/* level */
	w.win_level = get_int(st, C_LEVEL);
	ev.level = winevent_level(w.win_level);
	if (ev.level == LVL_NONE)
		ev.level = winevent_level_name(get(st, C_LEVELDISPLAYNAME));
	if (ev.level == LVL_NONE && st->col[C_ENTRYTYPE] >= 0)
		ev.level = csv_entry_type(get(st, C_ENTRYTYPE));

	/* identity */
	ev.provider = get(st, C_PROVIDERNAME);
	if (!ev.provider.n)
		ev.provider = get(st, C_SOURCE);
	w.qualifiers = get_int(st, C_QUALIFIERS);
	if ((n = get_int(st, C_ID)) >= 0) {
		ev.event_id = n & 0xFFFF;
	} else if ((n = get_int(st, C_INSTANCEID)) >= 0) {
		ev.event_id = n & 0xFFFF;
		if (w.qualifiers < 0)
			w.qualifiers = (n >> 16) & 0xFFFF;
	} else if ((n = get_int(st, C_EVENTID)) >= 0) {
		ev.event_id = n & 0xFFFF;
	} else {
		ev.event_id = -1;
	}
	if (csv_u64(get(st, C_RECORDID), &u) || csv_u64(get(st, C_INDEX), &u))
		w.record_id = u;
	w.channel = get(st, C_LOGNAME);
	if (!w.channel.n)
		w.channel = sv_make(st->logname, st->loglen);
	w.computer = get(st, C_MACHINENAME);
	w.user_sid = get(st, C_USERID);
	w.task = get_int(st, C_TASK);
	w.opcode = get_int(st, C_OPCODE);
	w.has_keywords = csv_u64(get(st, C_KEYWORDS), &w.keywords);
	w.process_id = get_int(st, C_PROCESSID);
	w.thread_id = get_int(st, C_THREADID);

	/* data */
	v = get(st, C_TASKDISPLAYNAME);
	if (!v.n)
		v = get(st, C_CATEGORY);
	if (v.n) {
		kv[ev.ndata].name = SV_LIT("TaskCategory");
		kv[ev.ndata++].value = v;
	}
	if ((v = get(st, C_USERNAME)).n) {
		kv[ev.ndata].name = SV_LIT("UserName");
		kv[ev.ndata++].value = v;
	}
	ev.data = ev.ndata ? kv : NULL;

	/* the message, without the line end Windows messages carry */
	v = st->col[C_MESSAGE] >= 0 ? cr->field[st->col[C_MESSAGE]] : SV_NULL;
	while (v.n && (v.p[v.n - 1] == '\n' || v.p[v.n - 1] == '\r' || v.p[v.n - 1] == ' ' ||
		       v.p[v.n - 1] == '\t'))
		v.n--;
	ev.message = v;
	ev.win = &w;
	return winevent_emit(cr->sink, &ev);
}

static int
run(struct pscsv_state *st)
{
	struct csvread *cr = &st->cr;
	int r, rc;

	r = csv_next(cr);
	if (r == 1 && cr->nfields == 1 && sv_starts(sv_trim(cr->field[0]), "#TYPE")) {
		type_line(st, cr->field[0]);
		r = csv_next(cr);
	}
	if (r == 1) {
		if (!header(st)) {
			while ((r = csv_next(cr)) == 1)
				st->skipped++;
			if (r == 2)
				return cr->stop;
			if ((rc = ec_problemf(cr->sink, 1, 0, st->skipped, 0,
					      "no column of Get-WinEvent or Get-EventLog (Message, "
					      "Id, InstanceId, TimeCreated, TimeGenerated) in the "
					      "header: nothing read")) != 0)
				return rc;
			return csv_finish(cr, r);
		}
		while ((r = csv_next(cr)) == 1) {
			if ((rc = row(st)) != 0)
				return rc;
		}
	}
	if (r == 2)
		return cr->stop;
	return csv_finish(cr, r);
}

static int
pscsv_parse(const struct ec_input *inp)
{
	struct pscsv_state *st = xcalloc(1, sizeof(*st));
	int rc;

	csv_init(&st->cr, inp, ",;\t");
	rc = run(st);
	csv_release(&st->cr);
	free(st);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------- */

/* A header that names an event id, a source and a time column. */
static int
pscsv_header(struct sv line)
{
	const char *p = line.p, *end = line.p + line.n;
	bool id = false, src = false, time = false;

	while (p <= end) {
		const char *q = p;
		struct sv name;

		while (q < end && *q != ',' && *q != ';' && *q != '\t')
			q++;
		name = sv_trim(sv_make(p, (size_t)(q - p)));
		if (name.n >= 2 && name.p[0] == '"' && name.p[name.n - 1] == '"')
			name = sv_make(name.p + 1, name.n - 2);
		id |= sv_eq(name, "Id") || sv_eq(name, "InstanceId");
		src |= sv_eq(name, "ProviderName") || sv_eq(name, "Source");
		time |= sv_eq(name, "TimeCreated") || sv_eq(name, "TimeGenerated");
		p = q + 1;
	}
	return id && src && time ? 90 : 0;
}

static int
pscsv_judge(void *ctx, struct sv line, int seen)
{
	(void)ctx;
	if (seen == 1 && sv_starts(line, "#TYPE ")) {
		if (sv_find(line, TYPE_WINEVENT) >= 0 || sv_find(line, TYPE_EVENTLOG) >= 0)
			return 90;
		return 0;
	}
	return pscsv_header(line) ? 90 : -1;
}

static int
pscsv_sniff(const struct ec_sniff *s)
{
	int v = text_sniff_lines(s, 2, pscsv_judge, NULL);

	return v > 0 ? v : 0;
}

const struct ec_format fmt_pscsv = {
	.name = "pscsv",
	.title = "Get-WinEvent or Get-EventLog | Export-Csv",
	.identifies = "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord or "
		      "System.Diagnostics.EventLogEntry, or a header naming Id/InstanceId, "
		      "ProviderName/Source and TimeCreated/TimeGenerated",
	.binary = false,
	.sniff = pscsv_sniff,
	.parse = pscsv_parse,
};
