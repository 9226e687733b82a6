/* SPDX-License-Identifier: MIT */
/* fmt_evxml.c - Windows events as XML: `wevtutil qe ... /f:xml` (one
 * <Event> after another, no root element), with /e:Events (inside
 * <Events>...</Events>), /uni:true (UTF-16) and /f:RenderedXml (a
 * <RenderingInfo> with the message as the viewer rendered it), and Event
 * Viewer's "Save Selected Events" XML (a declaration, then <Events>).
 *
 * The bytes are decoded to UTF-8 and fed to expat in chunks, inside a
 * synthetic <r> root so that a file without a root element is one document;
 * an XML declaration at the start is blanked out (expat would refuse it
 * after "<r>"). Each <Event> becomes one event when its end tag is read:
 * System gives provider, ids, level, time and the ec_winevent fields,
 * EventData/Data (or UserData's leaves) the data items, RenderingInfo/Message
 * the message (else the inserts joined by winevent_message()). Memory per
 * event is bounded: text per element, data items and nesting depth are
 * capped, and an event that goes past a cap is stored as read so far with a
 * problem. An XML error ends the parse (expat cannot resume): the events
 * before it are kept.
 *
 * evxml_read_one() reads the one event of an Event Viewer text copy's
 * "Event Xml:" section for fmt_evtext.c. */
#include <expat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/evxml.h"
#include "parser/parser.h"
#include "parser/textutil.h"
#include "parser/winevent.h"
#include "parser/xmlfeed.h"

#define TEXT_MAX ((size_t)1 << 20)	/* text kept per element */
#define MAX_ITEMS 4096			/* data items per event */
#define MAX_EV_DEPTH 64			/* elements nested inside an <Event> */
#define MAX_DOC_DEPTH 4096		/* elements nested anywhere: beyond, the parse stops */
#define POOL_MAX EC_MAX_RECORD		/* names and values of one event's items */
#define FIELD_MAX 4096			/* provider, channel, computer, SID, SystemTime */
#define READ_SIZE (64u * 1024u)
#define HEAD_MAX 4096			/* bytes looked at for an XML declaration */

enum section { SEC_NONE, SEC_SYSTEM, SEC_EVENTDATA, SEC_USERDATA, SEC_RENDER, SEC_OTHER };

/* What the captured text of an element is for. */
enum field {
	F_NONE, F_EVENTID, F_LEVEL, F_TASK, F_OPCODE, F_KEYWORDS, F_RECORDID, F_CHANNEL,
	F_COMPUTER, F_DATA, F_MESSAGE, F_RLEVEL,
};

struct item {
	size_t name, name_n, val, val_n;	/* offsets into the pool */
};

struct evx {
	XML_Parser xp;
	const struct ec_sink *sink;
	int (*emit)(struct evx *x, struct ec_event *ev);
	void *ctx;			/* evxml_read_one()'s caller */
	int rc;				/* a sink's value that stopped the parse */
	bool stopped;			/* XML_StopParser() was called */
	uint64_t line_base;		/* added to expat's line numbers, minus 1 */

	/* where the parse is */
	unsigned depth;			/* open elements, the synthetic root included */
	unsigned ev_depth;		/* depth of the open <Event>, 0 outside one */
	enum section sec;
	bool skip;			/* the rest of this event is skipped */
	bool capture;			/* character data goes to text */
	bool leaf;			/* UserData: no element started since the last start */
	enum field field;
	struct buf text;

	/* offsets of the input: bytes fed before the input's first byte after
	 * the byte-order mark (the "<r>"), and that mark's length */
	bool offsets;
	uint64_t fed_extra, bom;

	/* the event being read */
	uint64_t line, offset;
	struct buf provider, channel, computer, sid, systime, message, rlevel, msg;
	struct ec_winevent win;
	int64_t event_id;
	bool have_message;
	unsigned ndata;			/* <Data> elements seen */
	struct buf dname;		/* Name of the current <Data> */
	struct buf pool;
	struct item *items;
	size_t nitems, citems;
	struct ec_kv *kv;
	size_t ckv;

	uint64_t events, problems;
};

/* ---- small readers ------------------------------------------------------- */

static struct sv
local_name(const XML_Char *name)
{
	const char *c = strrchr(name, ':');

	return sv_cstr(c ? c + 1 : name);
}

static const char *
attr(const XML_Char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2) {
		if (sv_eq(local_name(atts[i]), name))
			return atts[i + 1];
	}
	return NULL;
}

/* A decimal number (or hexadecimal after 0x); false if v is not one. */
static bool
read_u64(struct sv v, uint64_t *out)
{
	uint64_t n = 0;
	unsigned base = 10;
	size_t i = 0;

	v = sv_trim(v);
	if (v.n > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == v.n)
		return false;
	for (; i < v.n; i++) {
		unsigned d;
		char c = v.p[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		if (n > (UINT64_MAX - d) / base)
			return false;
		n = n * base + d;
	}
	*out = n;
	return true;
}

static int64_t
num_or(struct sv v, int64_t dflt)
{
	uint64_t n;

	return read_u64(v, &n) && n <= INT64_MAX ? (int64_t)n : dflt;
}

/* TimeCreated/@SystemTime: "2023-05-12T07:34:38.1234567Z" (UTC; any number
 * of fractional digits, a space for the T, an offset instead of Z). */
static bool
systime_ms(struct sv v, int64_t *ms)
{
	struct civil c = { 0 };
	size_t i = 19;
	int64_t off = 0;

	v = sv_trim(v);
	if (v.n < 19 || v.p[4] != '-' || v.p[7] != '-' || (v.p[10] != 'T' && v.p[10] != ' ') ||
	    v.p[13] != ':' || v.p[16] != ':')
		return false;
	c.year = read_digits(v.p, 4);
	c.month = read_digits(v.p + 5, 2);
	c.day = read_digits(v.p + 8, 2);
	c.hour = read_digits(v.p + 11, 2);
	c.min = read_digits(v.p + 14, 2);
	c.sec = read_digits(v.p + 17, 2);
	if (i < v.n && (v.p[i] == '.' || v.p[i] == ',')) {
		int k = 0;

		for (i++; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++, k++) {
			if (k < 3)
				c.msec = c.msec * 10 + (v.p[i] - '0');
		}
		if (k == 0)
			return false;
		for (; k < 3; k++)
			c.msec *= 10;
	}
	if (i < v.n && (v.p[i] == 'Z' || v.p[i] == 'z')) {
		i++;
	} else if (i + 6 == v.n && (v.p[i] == '+' || v.p[i] == '-') && v.p[i + 3] == ':') {
		int h = read_digits(v.p + i + 1, 2), m = read_digits(v.p + i + 4, 2);

		if (h < 0 || h > 14 || m < 0 || m > 59)
			return false;
		off = (h * 60 + m) * INT64_C(60000) * (v.p[i] == '-' ? -1 : 1);
		i += 6;
	}
	if (i != v.n || c.sec > 59 || !civil_valid(&c))
		return false;
	*ms = civil_to_ms(&c) - off;
	return true;
}

/* ---- the event ----------------------------------------------------------- */

static void
reset_event(struct evx *x)
{
	struct buf *bufs[] = { &x->provider, &x->channel, &x->computer, &x->sid, &x->systime,
			       &x->message, &x->rlevel, &x->pool, &x->dname, &x->text };

	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		buf_reset(bufs[i]);
	memset(&x->win, 0, sizeof(x->win));
	x->win.qualifiers = x->win.task = x->win.opcode = x->win.win_level = -1;
	x->win.process_id = x->win.thread_id = -1;
	x->event_id = -1;
	x->have_message = false;
	x->ndata = 0;
	x->nitems = 0;
	x->sec = SEC_NONE;
	x->skip = x->capture = x->leaf = false;
	x->field = F_NONE;
}

static void
stop(struct evx *x, int rc)
{
	if (!x->stopped) {
		x->stopped = true;
		x->rc = rc;
		XML_StopParser(x->xp, XML_FALSE);
	}
}

static uint64_t
cur_line(struct evx *x)
{
	return x->line_base + (uint64_t)XML_GetCurrentLineNumber(x->xp);
}

static uint64_t
cur_offset(struct evx *x)
{
	XML_Index i = XML_GetCurrentByteIndex(x->xp);

	if (!x->offsets || i < 0 || (uint64_t)i < x->fed_extra)
		return UINT64_MAX;
	return (uint64_t)i - x->fed_extra + x->bom;
}

static void
problem(struct evx *x, uint64_t line, uint64_t offset, uint64_t records, const char *msg)
{
	int rc;

	if (!text_problem_ok(&x->problems))
		return;
	rc = ec_problemf(x->sink, line, offset, records, 0, "%s", msg);
	if (rc)
		stop(x, rc);
}

/* Past a cap: what was read of the event is kept, the rest skipped. */
static void
skip_event(struct evx *x, const char *why)
{
	char msg[160];

	if (x->skip)
		return;
	x->skip = true;
	x->capture = false;
	snprintf(msg, sizeof(msg), "%s in the event starting at line %" PRIu64
		 ": the rest of that event is skipped", why, x->line);
	problem(x, cur_line(x), cur_offset(x), 0, msg);
}

static void
add_item(struct evx *x, struct sv name, struct sv value)
{
	struct item *it;

	if (x->nitems == MAX_ITEMS) {
		skip_event(x, "more than 4096 data items");
		return;
	}
	if (x->pool.max - x->pool.len < name.n + value.n) {
		skip_event(x, "data items over 16 MiB");
		return;
	}
	if (x->nitems == x->citems) {
		x->citems = x->citems ? 2 * x->citems : 16;
		x->items = xrealloc(x->items, x->citems * sizeof(*x->items));
	}
	it = &x->items[x->nitems++];
	it->name = x->pool.len;
	it->name_n = name.n;
	buf_addsv(&x->pool, name);
	it->val = x->pool.len;
	it->val_n = value.n;
	buf_addsv(&x->pool, value);
}

static void
finish_event(struct evx *x)
{
	struct ec_event ev;
	int64_t ms;
	int rc;

	if (x->nitems > x->ckv) {
		x->ckv = x->nitems;
		x->kv = xrealloc(x->kv, x->ckv * sizeof(*x->kv));
	}
	for (size_t i = 0; i < x->nitems; i++) {
		x->kv[i].name = sv_make(x->pool.data + x->items[i].name, x->items[i].name_n);
		x->kv[i].value = sv_make(x->pool.data + x->items[i].val, x->items[i].val_n);
	}
	memset(&ev, 0, sizeof(ev));
	ev.line = x->line;
	ev.offset = x->offset;
	ev.tod_ms = -1;
	ev.timeq = TQ_NONE;
	if (x->systime.len) {
		if (systime_ms(buf_sv(&x->systime), &ms)) {
			ev.time_ms = ms;
			ev.timeq = TQ_EXACT;
		} else {
			char msg[160];

			snprintf(msg, sizeof(msg), "TimeCreated '%.64s' of the event at line %" PRIu64
				 " not understood: the event has no time", x->systime.data, x->line);
			problem(x, x->line, x->offset, 0, msg);
			if (x->stopped)
				return;
		}
	}
	if (x->win.win_level >= 0)
		ev.level = winevent_level(x->win.win_level);
	else
		ev.level = winevent_level_name(buf_sv(&x->rlevel));
	ev.provider = buf_sv(&x->provider);
	ev.event_id = x->event_id;
	x->win.channel = buf_sv(&x->channel);
	x->win.computer = buf_sv(&x->computer);
	x->win.user_sid = buf_sv(&x->sid);
	ev.data = x->nitems ? x->kv : NULL;
	ev.ndata = x->nitems;
	ev.win = &x->win;
	buf_reset(&x->msg);
	if (x->have_message) {
		buf_addsv(&x->msg, buf_sv(&x->message));
		buf_rtrim(&x->msg, " \t\r\n");
	} else {
		winevent_message(ev.provider, ev.event_id, ev.data, ev.ndata, &x->msg);
	}
	ev.message = buf_sv(&x->msg);
	x->events++;
	if ((rc = x->emit(x, &ev)) != 0)
		stop(x, rc);
}

/* The text of an element that ended, to its field. */
static void
store_field(struct evx *x, struct sv name)
{
	struct sv t = buf_sv(&x->text);
	uint64_t n;

	switch (x->field) {
	case F_EVENTID:
		if (read_u64(t, &n)) {
			x->event_id = (int64_t)(n & 0xFFFF);
			if (x->win.qualifiers < 0 && n > 0xFFFF)
				x->win.qualifiers = (int64_t)((n >> 16) & 0xFFFF);
		}
		break;
	case F_LEVEL:
		x->win.win_level = num_or(t, -1);
		break;
	case F_TASK:
		x->win.task = num_or(t, -1);
		break;
	case F_OPCODE:
		x->win.opcode = num_or(t, -1);
		break;
	case F_KEYWORDS:
		if (read_u64(t, &n)) {
			x->win.keywords = n;
			x->win.has_keywords = true;
		}
		break;
	case F_RECORDID:
		if (read_u64(t, &n))
			x->win.record_id = n;
		break;
	case F_CHANNEL:
		buf_reset(&x->channel);
		buf_addsv(&x->channel, sv_trim(t));
		break;
	case F_COMPUTER:
		buf_reset(&x->computer);
		buf_addsv(&x->computer, sv_trim(t));
		break;
	case F_DATA:
		if (x->sec == SEC_EVENTDATA && !sv_eq(name, "Data")) {
			add_item(x, SV_LIT("Binary"), t);
		} else if (x->dname.len) {
			add_item(x, buf_sv(&x->dname), t);
		} else {
			char nm[24];

			snprintf(nm, sizeof(nm), "Data[%u]", x->ndata);
			add_item(x, sv_cstr(nm), t);
		}
		break;
	case F_MESSAGE:
		buf_reset(&x->message);
		buf_addsv(&x->message, t);
		x->have_message = sv_trim(t).n > 0;
		break;
	case F_RLEVEL:
		buf_reset(&x->rlevel);
		buf_addsv(&x->rlevel, t);
		break;
	case F_NONE:
		break;
	}
}

static void
set_field(struct buf *b, const char *v)
{
	buf_reset(b);
	if (v)
		buf_addsv(b, sv_trim(sv_cstr(v)));
}

static void
capture(struct evx *x, enum field f)
{
	x->field = f;
	x->capture = true;
	buf_reset(&x->text);
}

static void
system_child(struct evx *x, struct sv n, const XML_Char **atts)
{
	const char *v;

	if (sv_eq(n, "Provider")) {
		v = attr(atts, "Name");
		if (!v || !*v)
			v = attr(atts, "EventSourceName");
		set_field(&x->provider, v);
	} else if (sv_eq(n, "EventID")) {
		if ((v = attr(atts, "Qualifiers")) != NULL)
			x->win.qualifiers = num_or(sv_cstr(v), -1);
		capture(x, F_EVENTID);
	} else if (sv_eq(n, "Level")) {
		capture(x, F_LEVEL);
	} else if (sv_eq(n, "Task")) {
		capture(x, F_TASK);
	} else if (sv_eq(n, "Opcode")) {
		capture(x, F_OPCODE);
	} else if (sv_eq(n, "Keywords")) {
		capture(x, F_KEYWORDS);
	} else if (sv_eq(n, "EventRecordID")) {
		capture(x, F_RECORDID);
	} else if (sv_eq(n, "Channel")) {
		capture(x, F_CHANNEL);
	} else if (sv_eq(n, "Computer")) {
		capture(x, F_COMPUTER);
	} else if (sv_eq(n, "TimeCreated")) {
		set_field(&x->systime, attr(atts, "SystemTime"));
	} else if (sv_eq(n, "Execution")) {
		if ((v = attr(atts, "ProcessID")) != NULL)
			x->win.process_id = num_or(sv_cstr(v), -1);
		if ((v = attr(atts, "ThreadID")) != NULL)
			x->win.thread_id = num_or(sv_cstr(v), -1);
	} else if (sv_eq(n, "Security")) {
		set_field(&x->sid, attr(atts, "UserID"));
	}
}

static void XMLCALL
on_start(void *ctx, const XML_Char *name, const XML_Char **atts)
{
	struct evx *x = ctx;
	struct sv n = local_name(name);
	unsigned rel;

	x->depth++;
	if (x->stopped)
		return;
	if (x->depth > MAX_DOC_DEPTH) {
		problem(x, cur_line(x), cur_offset(x), x->ev_depth ? 1 : 0,
			"elements nested deeper than 4096: the rest of the file is not read");
		stop(x, 0);
		return;
	}
	if (!x->ev_depth) {
		if (sv_eq(n, "Event")) {
			reset_event(x);
			x->ev_depth = x->depth;
			x->line = cur_line(x);
			x->offset = cur_offset(x);
		}
		return;
	}
	if (x->skip)
		return;
	rel = x->depth - x->ev_depth;
	if (rel > MAX_EV_DEPTH) {
		skip_event(x, "elements nested deeper than 64");
		return;
	}
	if (rel == 1) {
		x->capture = false;
		x->sec = sv_eq(n, "System") ? SEC_SYSTEM : sv_eq(n, "EventData") ? SEC_EVENTDATA
			 : sv_eq(n, "UserData") ? SEC_USERDATA : sv_eq(n, "RenderingInfo") ? SEC_RENDER
			 : SEC_OTHER;
		return;
	}
	switch (x->sec) {
	case SEC_SYSTEM:
		x->capture = false;
		if (rel == 2)
			system_child(x, n, atts);
		break;
	case SEC_EVENTDATA:
		x->capture = false;
		if (rel == 2 && (sv_eq(n, "Data") || sv_eq(n, "Binary"))) {
			if (sv_eq(n, "Data"))
				x->ndata++;
			set_field(&x->dname, sv_eq(n, "Data") ? attr(atts, "Name") : NULL);
			capture(x, F_DATA);
		}
		break;
	case SEC_USERDATA:
		/* Every element may be a leaf until another one starts in it. */
		capture(x, F_DATA);
		x->leaf = true;
		break;
	case SEC_RENDER:
		x->capture = false;
		if (rel == 2 && sv_eq(n, "Message"))
			capture(x, F_MESSAGE);
		else if (rel == 2 && sv_eq(n, "Level"))
			capture(x, F_RLEVEL);
		break;
	default:
		x->capture = false;
		break;
	}
}

static void XMLCALL
on_end(void *ctx, const XML_Char *name)
{
	struct evx *x = ctx;
	unsigned depth = x->depth--;
	unsigned rel;

	if (x->stopped || !x->ev_depth)
		return;
	rel = depth - x->ev_depth;
	if (rel == 0) {
		x->ev_depth = 0;
		finish_event(x);
		return;
	}
	if (x->skip)
		return;
	if (x->sec == SEC_USERDATA) {
		if (x->leaf) {
			struct buf *dn = &x->dname;

			buf_reset(dn);
			buf_addsv(dn, local_name(name));
			x->field = F_DATA;
			store_field(x, local_name(name));
		}
		x->leaf = false;
		x->capture = false;
	} else if (x->capture) {
		store_field(x, local_name(name));
		x->capture = false;
	}
	if (rel == 1)
		x->sec = SEC_NONE;
}

static void XMLCALL
on_text(void *ctx, const XML_Char *s, int len)
{
	struct evx *x = ctx;

	if (!x->capture || x->skip || x->stopped || len <= 0)
		return;
	if (!buf_add(&x->text, s, (size_t)len)) {
		char why[64];

		snprintf(why, sizeof(why), "text over %zu bytes", TEXT_MAX);
		skip_event(x, why);
	}
}

static const XML_Memory_Handling_Suite mem = { xmalloc, xrealloc, free };

static void
evx_init(struct evx *x, const struct ec_sink *sink)
{
	struct buf *fields[] = { &x->provider, &x->channel, &x->computer, &x->sid, &x->systime,
				 &x->rlevel, &x->dname };

	memset(x, 0, sizeof(*x));
	x->sink = sink;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		buf_init(fields[i], FIELD_MAX);
	buf_init(&x->text, TEXT_MAX);
	buf_init(&x->message, TEXT_MAX);
	buf_init(&x->msg, EC_MAX_RECORD);
	buf_init(&x->pool, POOL_MAX);
	/* Whatever the declaration says: we feed UTF-8. */
	x->xp = XML_ParserCreate_MM("UTF-8", &mem, NULL);
	if (!x->xp)
		abort();
	XML_SetUserData(x->xp, x);
	XML_SetElementHandler(x->xp, on_start, on_end);
	XML_SetCharacterDataHandler(x->xp, on_text);
}

static void
evx_release(struct evx *x)
{
	struct buf *bufs[] = { &x->provider, &x->channel, &x->computer, &x->sid, &x->systime,
			       &x->rlevel, &x->dname, &x->text, &x->message, &x->msg, &x->pool };

	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		buf_release(bufs[i]);
	free(x->items);
	free(x->kv);
	XML_ParserFree(x->xp);
}

/* ---- the stream ---------------------------------------------------------- */

struct evxml_state {
	struct evx x;
	const struct ec_input *inp;
	unsigned char *raw;		/* READ_SIZE bytes after up to 3 carried ones */
	size_t carry;			/* UTF-16 bytes held back for the next read */
	struct buf dec;			/* a read decoded to UTF-8 */
	struct buf head;		/* the first bytes, until the declaration is seen */
	bool in_head;
	size_t bad_units;		/* invalid UTF-16 replaced */
	uint64_t r_line;		/* the line of the synthetic "<r>" */
	struct xml_markup markup;	/* expat holds one piece of markup whole: capped */
	bool failed;			/* an XML error or a stop was reported */
};

static int
stream_emit(struct evx *x, struct ec_event *ev)
{
	return winevent_emit(x->sink, ev);
}

/* Report expat's error and stop. */
static void
xml_error(struct evxml_state *st, const char *where)
{
	struct evx *x = &st->x;
	enum XML_Error e = XML_GetErrorCode(x->xp);
	uint64_t line = cur_line(x);
	uint64_t col = (uint64_t)XML_GetCurrentColumnNumber(x->xp) + 1;
	char lost[96] = "";
	int rc;

	st->failed = true;
	if (line == st->r_line && col > 3)
		col -= 3;
	if (x->ev_depth)
		snprintf(lost, sizeof(lost), " (the event starting at line %" PRIu64 " is lost)", x->line);
	rc = ec_problemf(x->sink, line, cur_offset(x), x->ev_depth ? 1 : 0, 0,
			 "xml error at line %" PRIu64 ", column %" PRIu64 "%s: %s: the rest of the file "
			 "is not read%s", line, col, where, XML_ErrorString(e), lost);
	if (rc)
		x->rc = rc;
}

/* Feed n bytes of UTF-8; false when the parse is over. */
static bool
feed(struct evxml_state *st, const char *p, size_t n, bool final)
{
	struct evx *x = &st->x;

	/* expat holds a whole tag (or comment, or CDATA): cap it. */
	if (!xml_markup_ok(&st->markup, p, n)) {
		st->failed = true;
		problem(x, cur_line(x), UINT64_MAX, x->ev_depth ? 1 : 0,
			"markup over 16 MiB without '>': the rest of the file is not read");
		return false;
	}
	if (!xml_parse_bytes(x->xp, p, n, final)) {
		if (!x->stopped)
			xml_error(st, final && n <= 4 ? " (at the end of the file)" : "");
		st->failed = true;
		return false;
	}
	if (x->stopped) {
		st->failed = true;
		return false;
	}
	return true;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The first bytes: blank out an XML declaration, then open the synthetic
 * root. Returns false when more bytes are needed to decide (and !eof). */
static bool
feed_head(struct evxml_state *st, bool eof, bool *ok)
{
	char *p = st->head.data;
	size_t n = st->head.len, i = 0, end = 0;

	*ok = true;
	while (i < n && is_ws(p[i]))
		i++;
	if (i < n && n - i < 5 && memcmp(p + i, "<?xml", n - i) == 0 && !eof)
		return false;
	if (i == n && !eof && n < HEAD_MAX)
		return false;
	if (n - i >= 5 && memcmp(p + i, "<?xml", 5) == 0) {
		const char *q = NULL;

		for (size_t k = i + 5; k + 1 < n; k++) {
			if (p[k] == '?' && p[k + 1] == '>') {
				q = p + k;
				break;
			}
		}
		if (!q && !eof && n < HEAD_MAX)
			return false;
		if (q) {
			end = (size_t)(q - p) + 2;
			for (size_t k = i; k < end; k++) {
				if (p[k] != '\n' && p[k] != '\r')
					p[k] = ' ';
			}
		}
	}
	st->in_head = false;
	st->r_line = 1;
	for (size_t k = 0; k < end; k++) {
		if (p[k] == '\n' || (p[k] == '\r' && (k + 1 == end || p[k + 1] != '\n')))
			st->r_line++;
	}
	st->x.fed_extra = 3;
	*ok = feed(st, p, end, false) && feed(st, "<r>", 3, false) &&
	      feed(st, p + end, n - end, false);
	return true;
}

/* Hand decoded bytes on: to the head until it is decided, then to expat. */
static bool
take(struct evxml_state *st, const char *p, size_t n)
{
	bool ok;

	if (!st->in_head)
		return feed(st, p, n, false);
	buf_add(&st->head, p, n);
	if (!feed_head(st, st->head.len >= HEAD_MAX, &ok))
		return true;
	return ok;
}

static int
finish(struct evxml_state *st)
{
	struct evx *x = &st->x;
	int rc = 0;

	if (x->ev_depth) {
		rc = ec_problemf(x->sink, x->line, x->offset, 1, 0,
				 "the file ends inside the event starting at line %" PRIu64
				 ": cut off; that event is not stored", x->line);
	} else if (x->depth > 1) {
		rc = ec_problemf(x->sink, cur_line(x), UINT64_MAX, 0, 0,
				 "the file ends before the end tag of its root element: cut off?");
	} else if (!feed(st, "</r>", 4, true)) {
		return x->rc;
	}
	if (!rc && x->events == 0 && !x->ev_depth)
		rc = ec_problemf(x->sink, 0, UINT64_MAX, 0, 0, "no <Event> element found");
	return rc;
}

static int
run(struct evxml_state *st)
{
	const struct ec_input *inp = st->inp;
	struct evx *x = &st->x;
	enum enc e = inp->enc.enc;
	bool utf8 = e != ENC_UTF16LE && e != ENC_UTF16BE && e != ENC_CP1252;
	uint64_t skip = inp->enc.bom;
	long r;
	int rc;

	for (;;) {
		const char *p;
		size_t n;

		r = inp->in->read(inp->in->ctx, st->raw + st->carry, READ_SIZE);
		if (r < 0)
			break;
		n = (size_t)r + st->carry;
		if (r == 0 && n == 0)
			break;
		if (skip) {
			size_t k = skip < n ? (size_t)skip : n;

			memmove(st->raw, st->raw + k, n - k);
			n -= k;
			skip -= k;
			st->carry = 0;
			if (skip || (n == 0 && r > 0))
				continue;
		}
		if (utf8) {
			p = (const char *)st->raw;
			st->carry = 0;
		} else {
			st->carry = xml_decode(&st->dec, st->raw, n, st->inp->enc.enc, r == 0,
						&st->bad_units);
			p = st->dec.data;
			n = st->dec.len;
		}
		if (!take(st, p, n))
			break;
		if (r == 0)
			break;
	}
	if (!st->failed && st->in_head && r >= 0) {
		bool ok;

		feed_head(st, true, &ok);
	}
	if (x->rc)
		return x->rc;
	if (r < 0) {
		const char *why = inp->in->error ? inp->in->error(inp->in->ctx) : NULL;

		rc = ec_problemf(x->sink, cur_line(x), UINT64_MAX, x->ev_depth ? 1 : 0, 0,
				 "read error: %s", why ? why : "unknown");
		return rc ? rc : -1;
	}
	if (!st->failed && (rc = finish(st)) != 0)
		return rc;
	if (st->bad_units &&
	    (rc = ec_problemf(x->sink, 0, UINT64_MAX, 0, 0,
			      "invalid utf-16 in the file, %zu units replaced", st->bad_units)) != 0)
		return rc;
	if (x->problems > TEXT_PROBLEM_CAP &&
	    (rc = ec_problemf(x->sink, 0, UINT64_MAX, 0, 0, "%" PRIu64 " more problems like this",
			      x->problems - TEXT_PROBLEM_CAP)) != 0)
		return rc;
	return 0;
}

static int
evxml_parse(const struct ec_input *inp)
{
	struct evxml_state *st = xcalloc(1, sizeof(*st));
	enum enc e = inp->enc.enc;
	int rc;

	st->inp = inp;
	evx_init(&st->x, inp->sink);
	st->x.emit = stream_emit;
	st->x.offsets = e != ENC_UTF16LE && e != ENC_UTF16BE && e != ENC_CP1252;
	st->x.bom = inp->enc.bom;
	st->raw = xmalloc(READ_SIZE + 4);
	buf_init(&st->dec, 4 * READ_SIZE);
	buf_init(&st->head, HEAD_MAX + 4 * READ_SIZE);
	st->in_head = true;
	rc = run(st);
	buf_release(&st->head);
	buf_release(&st->dec);
	free(st->raw);
	evx_release(&st->x);
	free(st);
	return rc;
}

/* ---- one event from an Event Viewer text copy ---------------------------- */

struct one_ctx {
	int (*fn)(void *ctx, struct ec_event *ev);
	void *ctx;
	bool seen;
};

static int
one_emit(struct evx *x, struct ec_event *ev)
{
	struct one_ctx *o = x->ctx;

	if (o->seen)
		return 0;
	o->seen = true;
	return o->fn(o->ctx, ev);
}

/* See evxml.h. */
int
evxml_read_one(const char *xml, size_t n, const struct ec_sink *sink, uint64_t first_line,
	       int (*fn)(void *ctx, struct ec_event *ev), void *ctx)
{
	struct evx x;
	struct one_ctx o = { fn, ctx, false };
	int rc = -2;

	evx_init(&x, sink);
	x.emit = one_emit;
	x.ctx = &o;
	x.line_base = first_line - 1;
	if (XML_Parse(x.xp, xml, n > INT32_MAX ? INT32_MAX : (int)n, XML_TRUE) == XML_STATUS_ERROR &&
	    !x.stopped && !o.seen) {
		uint64_t line = cur_line(&x);

		if (text_problem_ok(&x.problems))
			ec_problemf(sink, line, UINT64_MAX, 0, 0,
				    "xml error at line %" PRIu64 " in the Event Xml section: %s: "
				    "the section is ignored", line,
				    XML_ErrorString(XML_GetErrorCode(x.xp)));
	}
	if (o.seen)
		rc = x.rc;
	evx_release(&x);
	return rc;
}

/* ---- sniffing ------------------------------------------------------------ */

static bool
starts_event(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n >= 8 && memcmp(p, "<Events", 7) == 0 && (p[7] == '>' || is_ws(p[7])))
		return true;
	if (n >= 7 && memcmp(p, "<Event", 6) == 0 && is_ws(p[6])) {
		p += 7;
		while (p < end && is_ws(*p))
			p++;
		return (size_t)(end - p) >= 6 && memcmp(p, "xmlns=", 6) == 0;
	}
	return false;
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* 90 for "<?xml ...?>" then <Event or <Events, or for text that starts with
 * <Event xmlns= or <Events>; else 0. */
static int
evxml_sniff(const struct ec_sniff *s)
{
	const char *p = s->text, *end;

	if (!p)
		return 0;
	end = p + s->text_len;
	if (s->text_len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	p = skip_ws(p, end);
	if ((size_t)(end - p) >= 5 && memcmp(p, "<?xml", 5) == 0) {
		const char *q = p + 5;

		while (q + 1 < end && !(q[0] == '?' && q[1] == '>'))
			q++;
		if (q + 1 >= end)
			return 0;
		p = skip_ws(q + 2, end);
		if ((size_t)(end - p) >= 6 && memcmp(p, "<Event", 6) == 0 &&
		    (size_t)(end - p) > 6 && (p[6] == '>' || p[6] == 's' || is_ws(p[6])))
			return 90;
		return 0;
	}
	return starts_event(p, end) ? 90 : 0;
}

const struct ec_format fmt_evxml = {
	.name = "evxml",
	.title = "Windows events as XML (wevtutil qe /f:xml or /f:RenderedXml, Event Viewer XML)",
	.identifies = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'> or "
		      "<Events> at the start, after an optional <?xml ...?>",
	.binary = false,
	.sniff = evxml_sniff,
	.parse = evxml_parse,
};
