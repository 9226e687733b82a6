/* SPDX-License-Identifier: MIT */
/* fmt_evtx.c - Windows XML Event Log files (.evtx), read natively.
 *
 * Layout (libyal's "Windows XML Event Log (EVTX)" notes, MS-EVEN6): a 4 KiB
 * file header ("ElfFile"), then 64 KiB chunks ("ElfChnk"), each a 512-byte
 * header (with a table of common strings and one of templates) and event
 * records ("**\0\0", size, record id, written time, BinXML, size again).
 * Each record's BinXML is a fragment holding a template instance: the
 * template's body (elements, attributes, substitution slots) is defined once
 * per chunk and filled with the record's substitution values.
 *
 * One chunk is read at a time into a fixed buffer: memory does not grow
 * with the file. Names are decoded once per chunk and classified (System,
 * EventID, Data ...), so a record is one walk over its template with the
 * values rendered straight into a per-record arena. The walk keeps only
 * what ecdiag stores: the System fields and the EventData/UserData items
 * (unnamed classic <Data> inserts as Data[1], Data[2] ...; a string array
 * in one <Data> is one item per string, as Windows renders it).
 *
 * Damage: CRC32 of the file header, chunk headers and record data are
 * checked (not when the header sets NO_CRC32); a chunk with a bad signature
 * is skipped, one with a bad checksum is read record by record; a bad record
 * is skipped and the next record signature is searched for; every skip is
 * reported with its offset and reason. Chunks past the header's count (a
 * dirty file) are read too; all-zero chunks are free space. Nesting of
 * elements and templates, substitution counts and every offset are bounded. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/parser.h"
#include "parser/winevent.h"

#define FILE_HEADER 4096
#define CHUNK_SIZE 65536
#define CHUNK_HEADER 512
#define RECORD_HEADER 24
#define MAX_ELEMENT_DEPTH 64	/* nested elements in one record */
#define MAX_FRAGMENT_DEPTH 8	/* templates and BinXML values inside one another */
#define MAX_SUBST 8192		/* substitution values open at once */
#define MAX_ITEMS 1024		/* EventData/UserData items kept per record */
#define ARENA_MAX ((size_t)8 << 20)
#define NAME_SLOTS 1024		/* per-chunk name cache (open addressing) */
#define PROBLEM_CAP 200

#define HDR_DIRTY 0x1
#define HDR_NO_CRC32 0x4

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- names -------------------------------------------------------------- */

/* What an element or attribute name means to the collector. */
enum nkind {
	N_OTHER = 0,
	N_SYSTEM, N_PROVIDER, N_EVENTID, N_LEVEL, N_TASK, N_OPCODE, N_KEYWORDS, N_TIMECREATED,
	N_RECORDID, N_EXECUTION, N_CHANNEL, N_COMPUTER, N_SECURITY, N_EVENTDATA, N_USERDATA,
	N_DATA, N_BINARY, N_RENDERING, N_MESSAGE,
	/* attributes */
	N_NAME, N_QUALIFIERS, N_SYSTEMTIME, N_PROCESSID, N_THREADID, N_USERID,
};

static const struct {
	const char *s;
	enum nkind k;
} known_names[] = {
	{ "System", N_SYSTEM }, { "Provider", N_PROVIDER }, { "EventID", N_EVENTID },
	{ "Level", N_LEVEL }, { "Task", N_TASK }, { "Opcode", N_OPCODE }, { "Keywords", N_KEYWORDS },
	{ "TimeCreated", N_TIMECREATED }, { "EventRecordID", N_RECORDID }, { "Execution", N_EXECUTION },
	{ "Channel", N_CHANNEL }, { "Computer", N_COMPUTER }, { "Security", N_SECURITY },
	{ "EventData", N_EVENTDATA }, { "UserData", N_USERDATA }, { "Data", N_DATA },
	{ "Binary", N_BINARY }, { "RenderingInfo", N_RENDERING }, { "Message", N_MESSAGE },
	{ "Name", N_NAME }, { "Qualifiers", N_QUALIFIERS }, { "SystemTime", N_SYSTEMTIME },
	{ "ProcessID", N_PROCESSID }, { "ThreadID", N_THREADID }, { "UserID", N_USERID },
};

struct name {
	uint32_t off;		/* chunk offset of the name structure; 0: empty slot */
	uint32_t pos, len;	/* UTF-8 text in the name arena */
	uint32_t size;		/* bytes of the structure in the chunk */
	enum nkind kind;
};

/* ---- state -------------------------------------------------------------- */

struct subst {
	uint32_t off;		/* chunk offset of the value */
	uint16_t size;
	uint8_t type;
};

/* A span of the record arena. */
struct span {
	uint32_t pos, len;
};

struct frame {
	enum nkind kind;
	uint32_t name_pos, name_len;	/* in the name arena */
	uint32_t text;			/* arena length when it opened */
	bool child;			/* an element opened inside it */
	bool array;			/* its content was a string array, split into items */
	struct span attr_name;		/* Data/@Name */
};

struct item {
	struct span name, value;
	bool positional;		/* unnamed: Data[n] */
};

struct evtx_state {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	unsigned char *chunk;		/* CHUNK_SIZE bytes */
	size_t chunk_len;		/* bytes read into it */
	uint64_t chunk_off;		/* file offset of the chunk */
	uint64_t chunk_no;		/* from 0 */
	bool no_crc;

	/* names of the current chunk */
	struct name names[NAME_SLOTS];
	size_t nnames;
	struct buf name_arena;

	/* the record being read */
	uint32_t rec_off, rec_end;	/* chunk offsets of its BinXML */
	uint64_t rec_id, rec_written;
	struct buf arena;		/* rendered text */
	struct frame stack[MAX_ELEMENT_DEPTH];
	int depth;
	int frag_depth;
	struct subst subs[MAX_SUBST];
	size_t nsubs;
	size_t cur_base, cur_count;	/* the innermost template instance's values */
	bool in_attr;
	enum nkind attr_kind;
	uint32_t attr_start;
	int zone;			/* what the record's top-level element holds */
	struct item items[MAX_ITEMS];
	size_t nitems, dropped_items;
	size_t positional;		/* Data[n] given so far */
	struct span f_provider, f_eventid, f_level, f_task, f_opcode, f_keywords, f_recid,
		f_channel, f_computer, f_userid, f_message, f_pid, f_tid;
	int64_t qualifiers;
	int64_t systime_ms;		/* TimeCreated/@SystemTime, or INT64_MIN */
	int64_t last_filetime_ms;	/* the last FILETIME value rendered */
	const char *fail;		/* why the record cannot be read */
	char failbuf[160];
	bool partial_value;		/* a value was cut short (kept, reported) */

	struct buf msg;
	struct ec_kv kv[MAX_ITEMS];
	char numbuf[MAX_ITEMS][16];	/* "Data[1]" ... made once */
	uint8_t numlen[MAX_ITEMS];

	uint64_t records, problems, skipped_records;
	uint64_t declared;		/* chunks the file header counts (0: header unreadable) */
	uint64_t unused_chunks;
};

enum zone { Z_NONE, Z_SYSTEM, Z_EVENTDATA, Z_USERDATA, Z_RENDERING };

static bool
problem_ok(struct evtx_state *st)
{
	return ++st->problems <= PROBLEM_CAP;
}

static int
problem(struct evtx_state *st, uint64_t offset, uint64_t records, uint64_t bytes, const char *fmt,
	...) __attribute__((format(printf, 5, 6)));

static int
problem(struct evtx_state *st, uint64_t offset, uint64_t records, uint64_t bytes, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!problem_ok(st))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ec_problemf(st->sink, 0, offset, records, bytes, "%s", msg);
}

/* Record a reason the current record cannot be read (the first wins). */
static void
fail(struct evtx_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct evtx_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->fail)
		return;
	va_start(ap, fmt);
	vsnprintf(st->failbuf, sizeof(st->failbuf), fmt, ap);
	va_end(ap);
	st->fail = st->failbuf;
}

/* ---- names -------------------------------------------------------------- */

static enum nkind
classify(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(known_names) / sizeof(known_names[0]); i++) {
		if (strlen(known_names[i].s) == n && memcmp(known_names[i].s, s, n) == 0)
			return known_names[i].k;
	}
	return N_OTHER;
}

/* The name structure at chunk offset off: next offset (4), hash (2),
 * characters (2), UTF-16 text, NUL (2). NULL on damage. */
static const struct name *
name_at(struct evtx_state *st, uint32_t off)
{
	size_t slot = (off * 2654435761u) % NAME_SLOTS, chars, start;
	struct name *nm;

	for (size_t probe = 0; probe < NAME_SLOTS; probe++) {
		nm = &st->names[(slot + probe) % NAME_SLOTS];
		if (nm->off == off)
			return nm;
		if (nm->off == 0)
			break;
	}
	if (off < CHUNK_HEADER || (size_t)off + 8 > st->chunk_len) {
		fail(st, "name offset %" PRIu32 " outside the chunk", off);
		return NULL;
	}
	chars = le16(st->chunk + off + 6);
	if ((size_t)off + 8 + chars * 2 > st->chunk_len) {
		fail(st, "name at offset %" PRIu32 " runs past the chunk", off);
		return NULL;
	}
	if (st->nnames >= NAME_SLOTS * 3 / 4) {
		/* A chunk with this many names is odd; start the cache again. */
		memset(st->names, 0, sizeof(st->names));
		st->nnames = 0;
		buf_reset(&st->name_arena);
	}
	for (size_t probe = 0;; probe++) {
		nm = &st->names[(slot + probe) % NAME_SLOTS];
		if (nm->off == 0)
			break;
	}
	start = st->name_arena.len;
	utf16_to_utf8(&st->name_arena, st->chunk + off + 8, chars * 2, false);
	nm->off = off;
	nm->pos = (uint32_t)start;
	nm->len = (uint32_t)(st->name_arena.len - start);
	nm->size = (uint32_t)(8 + chars * 2 + 2);
	nm->kind = classify(st->name_arena.data + start, nm->len);
	st->nnames++;
	return nm;
}

/* Read a name reference at *pos; an inline definition is skipped over. */
static const struct name *
read_name(struct evtx_state *st, uint32_t *pos, uint32_t end)
{
	uint32_t off;
	const struct name *nm;

	if (*pos + 4 > end) {
		fail(st, "name reference past the end of its data");
		return NULL;
	}
	off = le32(st->chunk + *pos);
	*pos += 4;
	nm = name_at(st, off);
	if (nm && off == *pos) {
		if (*pos + nm->size > end) {
			fail(st, "inline name past the end of its data");
			return NULL;
		}
		*pos += nm->size;
	}
	return nm;
}

/* ---- rendering values --------------------------------------------------- */

static void
put_hex(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char tmp[64];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		tmp[k++] = hex[p[i] >> 4];
		tmp[k++] = hex[p[i] & 15];
		if (k == sizeof(tmp)) {
			buf_add(b, tmp, k);
			k = 0;
		}
	}
	buf_add(b, tmp, k);
}

static void
put_guid(struct buf *b, const unsigned char *p)
{
	buf_addf(b, "{%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", le32(p), le16(p + 4),
		 le16(p + 6), p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
}

static int64_t
filetime_ms(uint64_t ft)
{
	return (int64_t)(ft / 10000) - INT64_C(11644473600000);
}

/* n decimal digits of v, zero-padded. */
static char *
digits(char *o, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + n;
}

/* "YYYY-MM-DDTHH:MM:SS.fffffffZ", as wevtutil writes SystemTime. */
static void
put_filetime(struct evtx_state *st, struct buf *b, uint64_t ft)
{
	int64_t ms = filetime_ms(ft);
	struct civil c;
	char tmp[32], *o = tmp;

	st->last_filetime_ms = ms;
	ms_to_civil(ms, &c);
	if (c.year < 0 || c.year > 9999) {
		buf_add_u64(b, ft);
		return;
	}
	o = digits(o, (uint64_t)c.year, 4);
	*o++ = '-';
	o = digits(o, (uint64_t)c.month, 2);
	*o++ = '-';
	o = digits(o, (uint64_t)c.day, 2);
	*o++ = 'T';
	o = digits(o, (uint64_t)c.hour, 2);
	*o++ = ':';
	o = digits(o, (uint64_t)c.min, 2);
	*o++ = ':';
	o = digits(o, (uint64_t)c.sec, 2);
	*o++ = '.';
	o = digits(o, ft % 10000000, 7);
	*o++ = 'Z';
	buf_add(b, tmp, (size_t)(o - tmp));
}

static void
put_sid(struct evtx_state *st, struct buf *b, const unsigned char *p, size_t n)
{
	uint64_t auth = 0;
	unsigned subs;

	if (n < 8) {
		st->partial_value = true;
		return;
	}
	for (int i = 2; i < 8; i++)
		auth = auth << 8 | p[i];
	subs = p[1];
	buf_add(b, "S-", 2);
	buf_add_u64(b, p[0]);
	buf_addc(b, '-');
	buf_add_u64(b, auth);
	for (unsigned i = 0; i < subs; i++) {
		if (8 + (size_t)i * 4 + 4 > n) {
			st->partial_value = true;	/* a cut SID keeps what it has */
			break;
		}
		buf_addc(b, '-');
		buf_add_u64(b, le32(p + 8 + i * 4));
	}
}

/* Strip NULs at the end of a rendered string. */
static void
trim_nuls(struct buf *b, size_t from)
{
	while (b->len > from && b->data[b->len - 1] == '\0')
		b->len--;
	b->data[b->len] = '\0';
}

/* Size of one element of a fixed-size type, 0 for variable ones. */
static size_t
type_size(uint8_t t)
{
	switch (t) {
	case 0x03: case 0x04: return 1;
	case 0x05: case 0x06: return 2;
	case 0x07: case 0x08: case 0x0b: case 0x0d: case 0x14: return 4;
	case 0x09: case 0x0a: case 0x0c: case 0x11: case 0x15: return 8;
	case 0x0f: case 0x12: return 16;
	default: return 0;
	}
}

static void walk_fragment(struct evtx_state *st, uint32_t pos, uint32_t end, bool deps);
struct span;
static int64_t span_num(const struct evtx_state *st, struct span s, int64_t def);

/* One value of type t (no array flag) of n bytes at p. */
static void
render_one(struct evtx_state *st, struct buf *b, uint8_t t, const unsigned char *p, size_t n)
{
	size_t from = b->len;

	switch (t) {
	case 0x00:
		break;
	case 0x01:
		utf16_to_utf8(b, p, n & ~(size_t)1, false);
		trim_nuls(b, from);
		break;
	case 0x02:
		cp1252_to_utf8(b, p, n);
		trim_nuls(b, from);
		break;
	case 0x03: buf_add_i64(b, (int8_t)p[0]); break;
	case 0x04: buf_add_u64(b, p[0]); break;
	case 0x05: buf_add_i64(b, (int16_t)le16(p)); break;
	case 0x06: buf_add_u64(b, le16(p)); break;
	case 0x07: buf_add_i64(b, (int32_t)le32(p)); break;
	case 0x08: buf_add_u64(b, le32(p)); break;
	case 0x09: buf_add_i64(b, (int64_t)le64(p)); break;
	case 0x0a: buf_add_u64(b, le64(p)); break;
	case 0x0b: {
		float f;
		uint32_t u = le32(p);

		memcpy(&f, &u, 4);
		buf_addf(b, "%g", (double)f);
		break;
	}
	case 0x0c: {
		double d;
		uint64_t u = le64(p);

		memcpy(&d, &u, 8);
		buf_addf(b, "%g", d);
		break;
	}
	case 0x0d: buf_adds(b, le32(p) ? "true" : "false"); break;
	case 0x0e: put_hex(b, p, n); break;
	case 0x0f: put_guid(b, p); break;
	case 0x10:
		if (n == 8)
			buf_addf(b, "0x%016" PRIx64, le64(p));
		else if (n == 4)
			buf_addf(b, "0x%08" PRIx32, le32(p));
		else
			put_hex(b, p, n);
		break;
	case 0x11: put_filetime(st, b, le64(p)); break;
	case 0x12:
		buf_addf(b, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", le16(p), le16(p + 2), le16(p + 6),
			 le16(p + 8), le16(p + 10), le16(p + 12), le16(p + 14));
		break;
	case 0x13: put_sid(st, b, p, n); break;
	case 0x14: buf_add(b, "0x", 2); buf_add_hex(b, le32(p)); break;
	case 0x15: buf_add(b, "0x", 2); buf_add_hex(b, le64(p)); break;
	default:
		put_hex(b, p, n);	/* EvtHandle, EvtXml and unknown types: the bytes */
		break;
	}
}

/* ---- the collector ------------------------------------------------------ */

static struct frame *
top(struct evtx_state *st)
{
	return st->depth ? &st->stack[st->depth - 1] : NULL;
}

static void
add_item(struct evtx_state *st, struct span name, struct span value, bool positional)
{
	if (st->nitems == MAX_ITEMS) {
		st->dropped_items++;
		return;
	}
	st->items[st->nitems].name = name;
	st->items[st->nitems].value = value;
	st->items[st->nitems].positional = positional;
	st->nitems++;
}

static struct span
span_from(struct evtx_state *st, uint32_t start)
{
	struct span s = { start, (uint32_t)(st->arena.len - start) };

	return s;
}

/* Copy a name into the arena (item names outlive the chunk's name cache
 * only until the record is emitted, but keep it simple and local). */
static struct span
name_span(struct evtx_state *st, uint32_t pos, uint32_t len)
{
	uint32_t start = (uint32_t)st->arena.len;

	buf_add(&st->arena, st->name_arena.data + pos, len);
	return span_from(st, start);
}

static void
elem_start(struct evtx_state *st, const struct name *nm)
{
	struct frame *parent = top(st), *f;

	if (st->depth == MAX_ELEMENT_DEPTH) {
		fail(st, "elements nested deeper than %d", MAX_ELEMENT_DEPTH);
		return;
	}
	if (parent)
		parent->child = true;
	f = &st->stack[st->depth++];
	memset(f, 0, sizeof(*f));
	f->kind = nm->kind;
	f->name_pos = nm->pos;
	f->name_len = nm->len;
	if (st->depth == 2) {
		switch (nm->kind) {
		case N_SYSTEM: st->zone = Z_SYSTEM; break;
		case N_EVENTDATA: st->zone = Z_EVENTDATA; break;
		case N_USERDATA: st->zone = Z_USERDATA; break;
		case N_RENDERING: st->zone = Z_RENDERING; break;
		default: st->zone = Z_NONE; break;
		}
	}
	f->text = (uint32_t)st->arena.len;
}

/* Attribute values end when the next attribute starts or the start tag
 * closes. */
static void
attr_end(struct evtx_state *st)
{
	struct frame *f = top(st);
	struct span v;

	if (!st->in_attr)
		return;
	st->in_attr = false;
	if (!f)
		return;
	v = span_from(st, st->attr_start);
	switch (st->attr_kind) {
	case N_NAME:
		if (f->kind == N_PROVIDER && st->zone == Z_SYSTEM && st->depth == 3)
			st->f_provider = v;
		else if (f->kind == N_DATA)
			f->attr_name = v;
		break;
	case N_QUALIFIERS:
		if (f->kind == N_EVENTID && v.len)
			st->qualifiers = span_num(st, v, -1);
		break;
	case N_SYSTEMTIME:
		if (f->kind == N_TIMECREATED && st->last_filetime_ms != INT64_MIN)
			st->systime_ms = st->last_filetime_ms;
		break;
	case N_PROCESSID:
		if (f->kind == N_EXECUTION)
			st->f_pid = v;
		break;
	case N_THREADID:
		if (f->kind == N_EXECUTION)
			st->f_tid = v;
		break;
	case N_USERID:
		if (f->kind == N_SECURITY)
			st->f_userid = v;
		break;
	default:
		break;
	}
}

static void
attr_start(struct evtx_state *st, const struct name *nm)
{
	attr_end(st);
	st->in_attr = true;
	st->attr_kind = nm->kind;
	st->attr_start = (uint32_t)st->arena.len;
	st->last_filetime_ms = INT64_MIN;
}

static void
elem_end(struct evtx_state *st)
{
	struct frame *f = top(st);
	struct span text;

	attr_end(st);
	if (!f)
		return;
	text = span_from(st, f->text);
	if (st->zone == Z_SYSTEM && st->depth == 3) {
		switch (f->kind) {
		case N_EVENTID: st->f_eventid = text; break;
		case N_LEVEL: st->f_level = text; break;
		case N_TASK: st->f_task = text; break;
		case N_OPCODE: st->f_opcode = text; break;
		case N_KEYWORDS: st->f_keywords = text; break;
		case N_RECORDID: st->f_recid = text; break;
		case N_CHANNEL: st->f_channel = text; break;
		case N_COMPUTER: st->f_computer = text; break;
		default: break;
		}
	} else if (st->zone == Z_EVENTDATA && st->depth == 3 && !f->child && !f->array) {
		if (f->kind == N_DATA && f->attr_name.len)
			add_item(st, f->attr_name, text, false);
		else if (f->kind == N_DATA)
			add_item(st, (struct span){ 0, 0 }, text, true);
		else
			add_item(st, name_span(st, f->name_pos, f->name_len), text, false);
	} else if (st->zone == Z_USERDATA && st->depth >= 4 && !f->child) {
		add_item(st, name_span(st, f->name_pos, f->name_len), text, false);
	} else if (st->zone == Z_RENDERING && st->depth == 3 && f->kind == N_MESSAGE) {
		st->f_message = text;
	}
	st->depth--;
}

/* A value in content or attribute position. */
static void
value(struct evtx_state *st, uint8_t type, uint32_t off, size_t n)
{
	const unsigned char *p = st->chunk + off;
	struct frame *f = top(st);
	uint8_t base = type & 0x7f;

	if (type == 0x21) {
		/* A BinXML fragment: its elements are children of this one. */
		if (st->frag_depth >= MAX_FRAGMENT_DEPTH) {
			fail(st, "BinXML values nested deeper than %d", MAX_FRAGMENT_DEPTH);
			return;
		}
		st->frag_depth++;
		walk_fragment(st, off, (uint32_t)(off + n), false);
		st->frag_depth--;
		return;
	}
	if (!(type & 0x80)) {
		size_t want = type_size(base);

		if (want && n < want) {
			st->partial_value = true;
			return;
		}
		render_one(st, &st->arena, base, p, n);
		return;
	}
	/* Arrays: strings are NUL-separated, fixed-size types packed. In a
	 * <Data> of EventData every element is an insert of its own. */
	if (!st->in_attr && f && f->kind == N_DATA && st->zone == Z_EVENTDATA && st->depth == 3 &&
	    !f->child) {
		f->array = true;
		st->arena.len = f->text;	/* drop what came before in this element */
	}
	if (base == 0x01 || base == 0x02) {
		size_t unit = base == 0x01 ? 2 : 1, i = 0, k = 0;

		while (i + unit <= n) {
			size_t j = i;

			while (j + unit <= n && !(p[j] == 0 && (unit == 1 || p[j + 1] == 0)))
				j += unit;
			if (f && f->array) {
				uint32_t start = (uint32_t)st->arena.len;

				render_one(st, &st->arena, base, p + i, j - i);
				add_item(st, f->attr_name, span_from(st, start), f->attr_name.len == 0);
			} else {
				if (k++)
					buf_adds(&st->arena, ", ");
				render_one(st, &st->arena, base, p + i, j - i);
			}
			i = j + unit;
		}
		return;
	}
	{
		size_t es = type_size(base), k = 0;

		if (!es)
			es = n ? n : 1;
		for (size_t i = 0; i + es <= n; i += es) {
			if (f && f->array) {
				uint32_t start = (uint32_t)st->arena.len;

				render_one(st, &st->arena, base, p + i, es);
				add_item(st, f->attr_name, span_from(st, start), f->attr_name.len == 0);
			} else {
				if (k++)
					buf_adds(&st->arena, ", ");
				render_one(st, &st->arena, base, p + i, es);
			}
		}
	}
}

/* ---- BinXML ------------------------------------------------------------- */

/* A template instance at *pos (token already read): its substitution
 * values, then its body walked with them. */
static void
template_instance(struct evtx_state *st, uint32_t *pos, uint32_t end)
{
	uint32_t p = *pos, def, body, body_end, count, vals, size;
	size_t base = st->nsubs, saved_base = st->cur_base, saved_count = st->cur_count;

	if (p + 9 > end) {
		fail(st, "template instance past the end of the record");
		return;
	}
	def = le32(st->chunk + p + 5);
	p += 9;
	if (def < CHUNK_HEADER || (size_t)def + 24 > st->chunk_len) {
		fail(st, "template definition at %" PRIu32 " outside the chunk", def);
		return;
	}
	size = le32(st->chunk + def + 20);
	body = def + 24;
	if (size > st->chunk_len - body) {
		fail(st, "template at %" PRIu32 " runs past the chunk", def);
		return;
	}
	body_end = body + size;
	if (def == p)
		p = body_end;		/* defined here, in this record */
	if (p + 4 > end) {
		fail(st, "substitution count past the end of the record");
		return;
	}
	count = le32(st->chunk + p);
	p += 4;
	if (count > (end - p) / 4 || count > MAX_SUBST - st->nsubs) {
		fail(st, "%" PRIu32 " substitution values do not fit", count);
		return;
	}
	vals = p + count * 4;
	for (uint32_t i = 0; i < count; i++) {
		uint16_t n = le16(st->chunk + p + i * 4);
		struct subst *s = &st->subs[st->nsubs++];

		s->off = vals;
		s->size = n;
		s->type = st->chunk[p + i * 4 + 2];
		if (n > end - vals) {
			fail(st, "substitution value %" PRIu32 " runs past the end of the record", i);
			st->nsubs = base;
			return;
		}
		vals += n;
	}
	*pos = vals;
	if (st->frag_depth >= MAX_FRAGMENT_DEPTH) {
		fail(st, "templates nested deeper than %d", MAX_FRAGMENT_DEPTH);
	} else {
		st->frag_depth++;
		st->cur_base = base;
		st->cur_count = count;
		walk_fragment(st, body, body_end, true);
		st->frag_depth--;
	}
	st->cur_base = saved_base;
	st->cur_count = saved_count;
	st->nsubs = base;
}

static void
substitution(struct evtx_state *st, uint32_t *pos, uint32_t end, bool optional)
{
	uint16_t idx;
	const struct subst *s;

	if (*pos + 3 > end) {
		fail(st, "substitution past the end of its data");
		return;
	}
	idx = le16(st->chunk + *pos);
	*pos += 3;
	if (idx >= st->cur_count) {
		if (!optional)
			fail(st, "substitution %u of a template with %zu values", idx, st->cur_count);
		return;
	}
	s = &st->subs[st->cur_base + idx];
	if (s->type == 0x00 || s->size == 0)
		return;		/* NULL: nothing, optional or not */
	value(st, s->type, s->off, s->size);
}

/* Value token: type, then for strings a character count and UTF-16 text. */
static void
value_token(struct evtx_state *st, uint32_t *pos, uint32_t end)
{
	uint8_t type;
	uint32_t n;

	if (*pos + 1 > end) {
		fail(st, "value past the end of its data");
		return;
	}
	type = st->chunk[(*pos)++];
	if (type == 0x01) {
		if (*pos + 2 > end) {
			fail(st, "value past the end of its data");
			return;
		}
		n = (uint32_t)le16(st->chunk + *pos) * 2;
		*pos += 2;
	} else {
		n = (uint32_t)type_size(type);
		if (!n) {
			fail(st, "value of type 0x%02x in a template", type);
			return;
		}
	}
	if (n > end - *pos) {
		fail(st, "value runs past the end of its data");
		return;
	}
	render_one(st, &st->arena, type, st->chunk + *pos, n);
	*pos += n;
}

/* Walk BinXML tokens in [pos, end). Elements of a template body carry a
 * dependency id; those of a BinXML value (type 0x21) do not. */
static void
walk_fragment(struct evtx_state *st, uint32_t pos, uint32_t end, bool deps)
{
	int open_here = 0;

	while (pos < end && !st->fail) {
		uint8_t tok = st->chunk[pos++];
		const struct name *nm;

		switch (tok & 0x0f) {
		case 0x00:	/* end of fragment */
			pos = end;
			break;
		case 0x01: {	/* open start element */
			uint32_t skip = (deps ? 2 : 0) + 4;

			if (pos + skip > end) {
				fail(st, "element past the end of its data");
				break;
			}
			pos += skip;
			nm = read_name(st, &pos, end);
			if (!nm)
				break;
			if (tok & 0x40)
				pos += 4;	/* attribute list size */
			elem_start(st, nm);
			open_here++;
			break;
		}
		case 0x02:	/* close start element: content starts here */
			attr_end(st);
			if (st->depth)
				st->stack[st->depth - 1].text = (uint32_t)st->arena.len;
			break;
		case 0x03:	/* close empty element */
		case 0x04:	/* end element */
			if (open_here > 0) {
				elem_end(st);
				open_here--;
			}
			break;
		case 0x05:
			value_token(st, &pos, end);
			break;
		case 0x06:	/* attribute */
			nm = read_name(st, &pos, end);
			if (nm)
				attr_start(st, nm);
			break;
		case 0x07:	/* CDATA: a string */
		case 0x08:	/* character reference */
			if (tok == 0x08 || tok == 0x48) {
				if (pos + 2 > end) {
					fail(st, "character reference past the end");
					break;
				}
				utf8_put(&st->arena, le16(st->chunk + pos));
				pos += 2;
			} else {
				uint32_t n;

				if (pos + 2 > end) {
					fail(st, "CDATA past the end");
					break;
				}
				n = (uint32_t)le16(st->chunk + pos) * 2;
				pos += 2;
				if (n > end - pos) {
					fail(st, "CDATA past the end");
					break;
				}
				utf16_to_utf8(&st->arena, st->chunk + pos, n, false);
				pos += n;
			}
			break;
		case 0x09:	/* entity reference */
			nm = read_name(st, &pos, end);
			if (nm) {
				const char *e = st->name_arena.data + nm->pos;

				if (nm->len == 2 && !memcmp(e, "lt", 2))
					buf_addc(&st->arena, '<');
				else if (nm->len == 2 && !memcmp(e, "gt", 2))
					buf_addc(&st->arena, '>');
				else if (nm->len == 3 && !memcmp(e, "amp", 3))
					buf_addc(&st->arena, '&');
				else if (nm->len == 4 && !memcmp(e, "quot", 4))
					buf_addc(&st->arena, '"');
				else if (nm->len == 4 && !memcmp(e, "apos", 4))
					buf_addc(&st->arena, '\'');
			}
			break;
		case 0x0a:	/* processing instruction target */
			nm = read_name(st, &pos, end);
			break;
		case 0x0b: {	/* processing instruction data */
			uint32_t n;

			if (pos + 2 > end) {
				fail(st, "PI data past the end");
				break;
			}
			n = (uint32_t)le16(st->chunk + pos) * 2;
			pos += 2 + n;
			break;
		}
		case 0x0c:
			template_instance(st, &pos, end);
			break;
		case 0x0d:
			substitution(st, &pos, end, false);
			break;
		case 0x0e:
			substitution(st, &pos, end, true);
			break;
		case 0x0f:	/* fragment header */
			pos += 3;
			break;
		default:
			fail(st, "unknown BinXML token 0x%02x at chunk offset %" PRIu32, tok, pos - 1);
			break;
		}
	}
	/* Elements a damaged fragment left open. */
	while (open_here-- > 0)
		elem_end(st);
}

/* ---- records ------------------------------------------------------------ */

static const char *
span_p(const struct evtx_state *st, struct span s)
{
	return st->arena.data + s.pos;
}

static struct sv
span_sv(const struct evtx_state *st, struct span s)
{
	return sv_make(st->arena.data + s.pos, s.len);
}

/* A decimal (or 0x hex) number written in a span; def if there is none. */
static int64_t
span_num(const struct evtx_state *st, struct span s, int64_t def)
{
	const char *p = span_p(st, s);
	uint64_t v = 0;
	size_t i = 0;
	bool neg = false;

	if (!s.len)
		return def;
	if (s.len > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		for (i = 2; i < s.len; i++) {
			char c = p[i];
			unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
				   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
				   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;

			if (d == 16)
				return def;
			v = v << 4 | d;
		}
		return (int64_t)v;
	}
	if (p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == s.len)
		return def;
	for (; i < s.len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return def;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	return neg ? -(int64_t)v : (int64_t)v;
}

static void
record_reset(struct evtx_state *st)
{
	buf_reset(&st->arena);
	st->depth = 0;
	st->frag_depth = 0;
	st->nsubs = 0;
	st->cur_base = st->cur_count = 0;
	st->in_attr = false;
	st->zone = Z_NONE;
	st->nitems = st->dropped_items = 0;
	memset(&st->f_provider, 0, (size_t)((char *)(&st->f_tid + 1) - (char *)&st->f_provider));
	st->qualifiers = -1;
	st->systime_ms = INT64_MIN;
	st->last_filetime_ms = INT64_MIN;
	st->fail = NULL;
	st->partial_value = false;
}

static int
emit_record(struct evtx_state *st, uint64_t file_off)
{
	struct ec_winevent w;
	struct ec_event ev;
	size_t npos = 0;
	int rc;

	memset(&w, 0, sizeof(w));
	w.record_id = st->rec_id;
	w.channel = span_sv(st, st->f_channel);
	w.computer = span_sv(st, st->f_computer);
	w.user_sid = span_sv(st, st->f_userid);
	w.qualifiers = st->qualifiers;
	w.task = span_num(st, st->f_task, -1);
	w.opcode = span_num(st, st->f_opcode, -1);
	w.win_level = span_num(st, st->f_level, -1);
	if (st->f_keywords.len) {
		w.keywords = (uint64_t)span_num(st, st->f_keywords, 0);
		w.has_keywords = true;
	}
	w.process_id = span_num(st, st->f_pid, -1);
	w.thread_id = span_num(st, st->f_tid, -1);

	for (size_t i = 0; i < st->nitems; i++) {
		const struct item *it = &st->items[i];

		if (it->positional) {
			st->kv[i].name = sv_make(st->numbuf[npos], st->numlen[npos]);
			npos++;
		} else {
			st->kv[i].name = span_sv(st, it->name);
		}
		st->kv[i].value = span_sv(st, it->value);
	}

	memset(&ev, 0, sizeof(ev));
	ev.line = st->rec_id;
	ev.offset = file_off;
	ev.time_ms = st->systime_ms != INT64_MIN ? st->systime_ms : filetime_ms(st->rec_written);
	ev.tod_ms = -1;
	ev.timeq = TQ_EXACT;
	ev.level = winevent_level(w.win_level);
	ev.provider = span_sv(st, st->f_provider);
	ev.event_id = st->f_eventid.len ? (span_num(st, st->f_eventid, 0) & 0xFFFF) : -1;
	ev.data = st->kv;
	ev.ndata = st->nitems;
	ev.win = &w;
	buf_reset(&st->msg);
	if (st->f_message.len)
		buf_addsv(&st->msg, span_sv(st, st->f_message));
	else
		winevent_message(ev.provider, ev.event_id, st->kv, st->nitems, &st->msg);
	ev.message = buf_sv(&st->msg);
	if ((rc = winevent_emit(st->sink, &ev)) != 0)
		return rc;
	st->records++;
	if (st->partial_value &&
	    (rc = problem(st, file_off, 0, 0, "record %" PRIu64 " at offset %" PRIu64
			  ": a value is shorter than its type needs (kept as read)",
			  st->rec_id, file_off)) != 0)
		return rc;
	if (st->dropped_items &&
	    (rc = problem(st, file_off, 0, 0, "record %" PRIu64 ": %zu data items past %d dropped",
			  st->rec_id, st->dropped_items, MAX_ITEMS)) != 0)
		return rc;
	return 0;
}

/* The record at chunk offset off, size bytes (checked by the caller). */
static int
read_record(struct evtx_state *st, uint32_t off, uint32_t size)
{
	uint64_t file_off = st->chunk_off + off;

	record_reset(st);
	st->rec_id = le64(st->chunk + off + 8);
	st->rec_written = le64(st->chunk + off + 16);
	st->rec_off = off + RECORD_HEADER;
	st->rec_end = off + size - 4;
	walk_fragment(st, st->rec_off, st->rec_end, false);
	if (st->fail) {
		st->skipped_records++;
		return problem(st, file_off, 1, size, "chunk %" PRIu64 ", record %" PRIu64
			       " at offset %" PRIu64 " skipped: %s", st->chunk_no, st->rec_id,
			       file_off, st->fail);
	}
	if (!st->f_provider.len && !st->f_eventid.len) {
		st->skipped_records++;
		return problem(st, file_off, 1, size, "chunk %" PRIu64 ", record %" PRIu64
			       " at offset %" PRIu64 " skipped: no System element", st->chunk_no,
			       st->rec_id, file_off);
	}
	return emit_record(st, file_off);
}

/* A record header at off: its signature and a size that fits. *copy_ok
 * says whether the size is repeated at its end, as it should be. */
static bool
record_ok(const struct evtx_state *st, uint32_t off, uint32_t limit, uint32_t *size, bool *copy_ok)
{
	uint32_t n;

	if ((size_t)off + RECORD_HEADER > limit || le32(st->chunk + off) != 0x00002a2a)
		return false;
	n = le32(st->chunk + off + 4);
	if (n < RECORD_HEADER + 4 || n > limit - off)
		return false;
	*size = n;
	*copy_ok = le32(st->chunk + off + n - 4) == n;
	return true;
}

static bool
all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

static int
read_chunk(struct evtx_state *st)
{
	const unsigned char *c = st->chunk;
	uint32_t free_off, off, size, data_end, crc;
	uint64_t start_records = st->records;
	bool copy_ok;
	int rc;

	if (st->chunk_len < CHUNK_HEADER)
		return problem(st, st->chunk_off, 0, st->chunk_len,
			       "chunk %" PRIu64 " at offset %" PRIu64 ": the file ends inside its header",
			       st->chunk_no, st->chunk_off);
	if (memcmp(c, "ElfChnk", 8) != 0) {
		/* Unused space: zeros, or anything past the chunks the header counts. */
		if (all_zero(c, st->chunk_len) || (st->declared && st->chunk_no >= st->declared)) {
			st->unused_chunks++;
			return 0;
		}
		return problem(st, st->chunk_off, 0, st->chunk_len,
			       "chunk %" PRIu64 " at offset %" PRIu64 " skipped: no ElfChnk signature",
			       st->chunk_no, st->chunk_off);
	}
	memset(st->names, 0, sizeof(st->names));
	st->nnames = 0;
	buf_reset(&st->name_arena);
	free_off = le32(c + 48);
	if (!st->no_crc) {
		crc = (uint32_t)crc32(0, c, 120);
		crc = (uint32_t)crc32(crc, c + 128, CHUNK_HEADER - 128);
		if (crc != le32(c + 124) &&
		    (rc = problem(st, st->chunk_off, 0, 0, "chunk %" PRIu64 " at offset %" PRIu64
				  ": header checksum mismatch (records checked one by one)",
				  st->chunk_no, st->chunk_off)) != 0)
			return rc;
	}
	data_end = free_off >= CHUNK_HEADER && free_off <= st->chunk_len ? free_off
									  : (uint32_t)st->chunk_len;
	if (!st->no_crc && free_off >= CHUNK_HEADER && free_off <= st->chunk_len &&
	    (uint32_t)crc32(0, c + CHUNK_HEADER, free_off - CHUNK_HEADER) != le32(c + 52) &&
	    (rc = problem(st, st->chunk_off, 0, 0, "chunk %" PRIu64 " at offset %" PRIu64
			  ": record data checksum mismatch (records checked one by one)",
			  st->chunk_no, st->chunk_off)) != 0)
		return rc;
	off = CHUNK_HEADER;
	while (off + RECORD_HEADER <= data_end) {
		uint32_t from = off;

		if (record_ok(st, off, (uint32_t)st->chunk_len, &size, &copy_ok)) {
			if (!copy_ok &&
			    (rc = problem(st, st->chunk_off + off, 0, 0, "chunk %" PRIu64 ", record %" PRIu64
					  " at offset %" PRIu64 ": its size is not repeated at its end"
					  " (read anyway)", st->chunk_no, le64(c + off + 8),
					  st->chunk_off + off)) != 0)
				return rc;
			if ((rc = read_record(st, off, size)) != 0)
				return rc;
			off += size;
			continue;
		}
		/* Unused space after the last record is zeros. */
		if (all_zero(c + off, data_end - off))
			return problem(st, st->chunk_off + off, 0, data_end - off,
				       "chunk %" PRIu64 ": %" PRIu32 " bytes of zeros at offset %" PRIu64
				       " where its header says records are (skipped)", st->chunk_no,
				       data_end - off, st->chunk_off + off);
		/* Look for the next record signature. */
		off++;
		while (off + RECORD_HEADER <= data_end &&
		       !record_ok(st, off, (uint32_t)st->chunk_len, &size, &copy_ok))
			off++;
		if ((rc = problem(st, st->chunk_off + from, 0, off - from,
				  "chunk %" PRIu64 ": %" PRIu32 " bytes at offset %" PRIu64
				  " are not a record (skipped)", st->chunk_no, off - from,
				  st->chunk_off + from)) != 0)
			return rc;
	}
	/* A dirty file's chunk may hold whole records past its free-space offset. */
	while (record_ok(st, off, (uint32_t)st->chunk_len, &size, &copy_ok) && copy_ok &&
	       le64(st->chunk + off + 8) > (st->records > start_records ? st->rec_id : 0)) {
		if ((rc = read_record(st, off, size)) != 0)
			return rc;
		off += size;
	}
	return 0;
}

/* Read up to n bytes, as many as the stream has. */
static long
read_full(struct ec_stream *in, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		long r = in->read(in->ctx, p + got, n - got);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

static int
run(struct evtx_state *st)
{
	struct ec_stream *in = st->inp->in;
	unsigned char hdr[FILE_HEADER];
	uint64_t declared = 0, chunks = 0;
	uint32_t flags = 0;
	long r;
	int rc;

	r = read_full(in, hdr, FILE_HEADER);
	if (r < 0)
		goto read_error;
	if (r < 128)
		return problem(st, 0, 0, (uint64_t)r, "the file ends inside the EVTX file header (%ld bytes)", r);
	if (memcmp(hdr, "ElfFile", 8) != 0) {
		if ((rc = problem(st, 0, 0, 0, "no ElfFile signature: the file header is damaged; reading"
				  " the chunks after it")) != 0)
			return rc;
	} else {
		declared = le16(hdr + 42);
		st->declared = declared;
		flags = le32(hdr + 120);
		st->no_crc = (flags & HDR_NO_CRC32) != 0;
		if (!st->no_crc && (uint32_t)crc32(0, hdr, 120) != le32(hdr + 124) &&
		    (rc = problem(st, 0, 0, 0, "file header checksum mismatch")) != 0)
			return rc;
		if ((flags & HDR_DIRTY) &&
		    (rc = ec_fact_report(st->sink, "evtx.dirty", SV_NULL, SV_LIT("true"), false)) != 0)
			return rc;
	}
	if (r < FILE_HEADER)
		return problem(st, (uint64_t)r, 0, 0, "the file ends after its header: no chunks");
	for (;;) {
		r = read_full(in, st->chunk, CHUNK_SIZE);
		if (r < 0)
			goto read_error;
		if (r == 0)
			break;
		st->chunk_len = (size_t)r;
		st->chunk_off = FILE_HEADER + chunks * CHUNK_SIZE;
		st->chunk_no = chunks++;
		if (r < CHUNK_SIZE &&
		    (rc = problem(st, st->chunk_off + (uint64_t)r, 0, 0,
				  "the file ends inside chunk %" PRIu64 ": %ld of %d bytes", st->chunk_no,
				  r, CHUNK_SIZE)) != 0)
			return rc;
		if ((rc = read_chunk(st)) != 0)
			return rc;
		if (r < CHUNK_SIZE)
			break;
	}
	if (declared > chunks &&
	    (rc = problem(st, UINT64_MAX, 0, 0, "the header counts %" PRIu64 " chunks; the file holds %"
			  PRIu64, declared, chunks)) != 0)
		return rc;
	if (st->problems > PROBLEM_CAP &&
	    (rc = ec_problemf(st->sink, 0, UINT64_MAX, 0, 0, "%" PRIu64 " more problems like this",
			      st->problems - PROBLEM_CAP)) != 0)
		return rc;
	return 0;
read_error: {
	const char *why = in->error ? in->error(in->ctx) : NULL;

	rc = ec_problemf(st->sink, 0, UINT64_MAX, 0, 0, "read error: %s", why ? why : "unknown");
	return rc ? rc : -1;
}
}

static int
evtx_parse(const struct ec_input *inp)
{
	struct evtx_state *st = xcalloc(1, sizeof(*st));
	int rc;

	st->inp = inp;
	st->sink = inp->sink;
	st->chunk = xmalloc(CHUNK_SIZE);
	buf_init(&st->name_arena, (size_t)1 << 20);
	buf_init(&st->arena, ARENA_MAX);
	buf_init(&st->msg, ARENA_MAX);
	for (size_t i = 0; i < MAX_ITEMS; i++)
		st->numlen[i] = (uint8_t)snprintf(st->numbuf[i], sizeof(st->numbuf[i]), "Data[%zu]", i + 1);
	rc = run(st);
	buf_release(&st->msg);
	buf_release(&st->arena);
	buf_release(&st->name_arena);
	free(st->chunk);
	free(st);
	return rc;
}

/* "ElfFile" at 0: 100; a damaged header with a chunk where the first one
 * belongs: 60. */
static int
evtx_sniff(const struct ec_sniff *s)
{
	if (s->raw_len >= 8 && memcmp(s->raw, "ElfFile", 8) == 0)
		return 100;
	if (s->raw_len >= FILE_HEADER + 8 && memcmp(s->raw + FILE_HEADER, "ElfChnk", 8) == 0)
		return 60;
	return 0;
}

const struct ec_format fmt_evtx = {
	.name = "evtx",
	.title = "Windows XML event log (.evtx)",
	.identifies = "bytes 'ElfFile' at offset 0 (or 'ElfChnk' at 4096)",
	.binary = true,
	.sniff = evtx_sniff,
	.parse = evtx_parse,
};
