/* SPDX-License-Identifier: MIT */
/* test_parser_evexport.c - Windows event exports read as text: wevtutil XML
 * ("evxml": with and without a root element, declarations, UTF-16,
 * RenderedXml, data items, limits, damage) and Event Viewer's text copies
 * ("evtext": the corpus renderings, padding, several events, dates, the
 * "Event Xml:" section). The CSV and JSON exports are tested in
 * test_parser_evexport_csv.c. Corpus snippets are read from ECDIAG_CORPUS. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/stream.h"
#include "common/timeutil.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

#define EVTEXT_CORPUS "text/events/msdocs_EventViewer-text_ADSync-and-DirectorySynchronization." \
	"VERBATIM-SNIPPETS.txt"
#define NS "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'"

/* ---- parsing into the capture sink ------------------------------------- */

/* Parse n bytes (encoding sniffed as the walker does) with a format,
 * chunk bytes per read (0: any). */
static int
parse_with(struct cap *c, const char *fmt, const void *data, size_t n, size_t chunk,
	   const struct ec_options *opt)
{
	return cap_parse(c, cap_format(fmt), data, n, chunk, opt, NULL);
}

static int
xml(struct cap *c, const char *text)
{
	return parse_with(c, "evxml", text, strlen(text), 0, NULL);
}

static int
evtext(struct cap *c, const char *text)
{
	return parse_with(c, "evtext", text, strlen(text), 0, NULL);
}

/* UTF-8 to UTF-16LE (with a byte-order mark if bom); caller frees. */
static unsigned char *
to_utf16le(const char *s, bool bom, size_t *n)
{
	size_t len = strlen(s), k = 0;
	unsigned char *u = malloc(2 * len + 4);

	cr_assert_not_null(u);
	if (bom) {
		u[k++] = 0xFF;
		u[k++] = 0xFE;
	}
	for (size_t i = 0; i < len;) {
		unsigned char b = (unsigned char)s[i];
		unsigned cp;
		int extra;

		if (b < 0x80) {
			cp = b;
			extra = 0;
		} else if (b < 0xE0) {
			cp = b & 0x1F;
			extra = 1;
		} else if (b < 0xF0) {
			cp = b & 0x0F;
			extra = 2;
		} else {
			cp = b & 0x07;
			extra = 3;
		}
		i++;
		for (int e = 0; e < extra; e++)
			cp = (cp << 6) | ((unsigned char)s[i++] & 0x3F);
		if (cp >= 0x10000) {
			unsigned v = cp - 0x10000, hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);

			u[k++] = (unsigned char)(hi & 0xFF);
			u[k++] = (unsigned char)(hi >> 8);
			u[k++] = (unsigned char)(lo & 0xFF);
			u[k++] = (unsigned char)(lo >> 8);
		} else {
			u[k++] = (unsigned char)(cp & 0xFF);
			u[k++] = (unsigned char)(cp >> 8);
		}
	}
	*n = k;
	return u;
}

static int64_t
utc(int y, int mo, int d, int h, int mi, int s, int ms)
{
	struct civil c = { y, mo, d, h, mi, s, ms };

	return civil_to_ms(&c);
}

static uint64_t
offset_of(const char *text, const char *part, int nth)
{
	const char *p = text;

	for (int i = 0; i <= nth; i++) {
		p = strstr(i ? p + 1 : p, part);
		cr_assert_not_null(p, "no %d-th '%s'", nth, part);
	}
	return (uint64_t)(p - text);
}

#define assert_data(ev, i, name, value)                                                      \
	do {                                                                                 \
		cr_assert_gt((ev)->ndata, (size_t)(i), "only %zu data items", (ev)->ndata);  \
		cr_assert_str_eq((ev)->dname[i], name);                                      \
		cr_assert_str_eq((ev)->dvalue[i], value);                                    \
	} while (0)

/* ---- evxml: the System section ------------------------------------------ */

#define EV_6050                                                                               \
	"<Event " NS "><System><Provider Name='ADSync'/><EventID Qualifiers='0'>6050</EventID>" \
	"<Version>0</Version><Level>2</Level><Task>3</Task><Opcode>0</Opcode>"                \
	"<Keywords>0x80000000000000</Keywords>"                                               \
	"<TimeCreated SystemTime='2023-05-12T07:34:38.1234567Z'/>"                            \
	"<EventRecordID>12345</EventRecordID><Correlation/>"                                  \
	"<Execution ProcessID='0' ThreadID='0'/><Channel>Application</Channel>"               \
	"<Computer>AADConnect.Contoso.com</Computer><Security/></System>"                     \
	"<EventData><Data>Contoso.com</Data><Data>Delta Import</Data><Data>0</Data></EventData>" \
	"</Event>"

#define EV_TEST                                                                               \
	"<Event " NS "><System><Provider Name='Contoso Test Source'/>"                         \
	"<EventID Qualifiers='16384'>1000</EventID><Level>4</Level><Task>0</Task>"             \
	"<Keywords>0x80000000000000</Keywords>"                                               \
	"<TimeCreated SystemTime='2026-01-02T03:04:05.0060000Z'/>"                            \
	"<EventRecordID>77</EventRecordID><Execution ProcessID='1234' ThreadID='5678'/>"      \
	"<Channel>Application</Channel><Computer>srv1</Computer>"                             \
	"<Security UserID='S-1-5-18'/></System>"                                              \
	"<EventData><Data>first</Data><Data>second &amp; more</Data></EventData></Event>"

static void
assert_6050(const struct cev *e)
{
	cr_assert_str_eq(e->provider, "ADSync");
	cr_assert_eq(e->event_id, 6050);
	cr_assert_eq(e->level, LVL_ERROR);
	cr_assert_eq(e->tq, TQ_EXACT);
	cr_assert_eq(e->time_ms, utc(2023, 5, 12, 7, 34, 38, 123));
	cr_assert_eq(e->tod, -1);
	cr_assert(e->has_win);
	cr_assert_eq(e->win.qualifiers, 0);
	cr_assert_eq(e->win.win_level, 2);
	cr_assert_eq(e->win.task, 3);
	cr_assert_eq(e->win.opcode, 0);
	cr_assert(e->win.has_keywords);
	cr_assert_eq(e->win.keywords, UINT64_C(0x80000000000000));
	cr_assert_eq(e->win.record_id, 12345);
	cr_assert_eq(e->win.process_id, 0);
	cr_assert_eq(e->win.thread_id, 0);
	cr_assert_str_eq(e->channel, "Application");
	cr_assert_str_eq(e->computer, "AADConnect.Contoso.com");
	cr_assert_str_eq(e->user_sid, "");
	cr_assert_eq(e->ndata, 3);
	assert_data(e, 0, "Data[1]", "Contoso.com");
	assert_data(e, 1, "Data[2]", "Delta Import");
	assert_data(e, 2, "Data[3]", "0");
	cr_assert_gt(strlen(e->message), 0);
}

static void
assert_test_event(const struct cev *e)
{
	cr_assert_str_eq(e->provider, "Contoso Test Source");
	cr_assert_eq(e->event_id, 1000);
	cr_assert_eq(e->win.qualifiers, 16384);
	cr_assert_eq(e->level, LVL_INFO);
	cr_assert_eq(e->win.win_level, 4);
	cr_assert_eq(e->win.task, 0);
	cr_assert_eq(e->win.opcode, -1, "no Opcode element");
	cr_assert_eq(e->tq, TQ_EXACT);
	cr_assert_eq(e->time_ms, utc(2026, 1, 2, 3, 4, 5, 6));
	cr_assert_eq(e->win.record_id, 77);
	cr_assert_eq(e->win.process_id, 1234);
	cr_assert_eq(e->win.thread_id, 5678);
	cr_assert_str_eq(e->channel, "Application");
	cr_assert_str_eq(e->computer, "srv1");
	cr_assert_str_eq(e->user_sid, "S-1-5-18");
	cr_assert_eq(e->ndata, 2);
	assert_data(e, 0, "Data[1]", "first");
	assert_data(e, 1, "Data[2]", "second & more");
	cr_assert_str_eq(e->message, "first; second & more");
}

Test(parser_evxml, no_root_element_one_line)
{
	/* wevtutil qe /f:xml: events one after another on one line. */
	static const char text[] = EV_6050 EV_TEST "\r\n";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 2);
	assert_6050(&c.ev[0]);
	assert_test_event(&c.ev[1]);
	cr_assert_eq(c.ev[0].line, 1);
	cr_assert_eq(c.ev[1].line, 1);
	cr_assert_eq(c.ev[0].offset, 0);
	cr_assert_eq(c.ev[1].offset, strlen(EV_6050));
	cap_free(&c);
}

Test(parser_evxml, events_root_with_declaration)
{
	static const char text[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Events>\r\n" EV_6050
				   "\r\n" EV_TEST "\r\n</Events>\r\n";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 2);
	assert_6050(&c.ev[0]);
	assert_test_event(&c.ev[1]);
	cr_assert_eq(c.ev[0].line, 3);
	cr_assert_eq(c.ev[1].line, 4);
	cr_assert_eq(c.ev[0].offset, offset_of(text, "<Event ", 0));
	cr_assert_eq(c.ev[1].offset, offset_of(text, "<Event ", 1));
	cap_free(&c);
}

Test(parser_evxml, utf8_bom_and_byte_at_a_time)
{
	static const char text[] = "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<Events>\n" EV_6050 "\n"
				   EV_TEST "\n</Events>\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_with(&c, "evxml", text, strlen(text), 1, NULL), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 2);
	assert_6050(&c.ev[0]);
	assert_test_event(&c.ev[1]);
	cr_assert_eq(c.ev[0].line, 3);
	cr_assert_eq(c.ev[0].offset, offset_of(text, "<Event ", 0));
	cr_assert_eq(c.ev[1].offset, offset_of(text, "<Event ", 1));
	cap_free(&c);
}

Test(parser_evxml, utf16le_with_bom)
{
	/* wevtutil /uni:true; a character outside the BMP tests surrogates
	 * split across reads. */
	static const char text[] = "<Events>\r\n" EV_6050 "\r\n"
		"<Event " NS "><System><Provider Name='Contoso Test Source'/><EventID>1</EventID>"
		"<Level>3</Level><TimeCreated SystemTime='2026-01-02T03:04:05Z'/></System>"
		"<EventData><Data>caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80</Data></EventData></Event>\r\n"
		"</Events>\r\n";
	struct cap c = { 0 }, c1 = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(text, true, &n);

	for (int pass = 0; pass < 2; pass++) {
		struct cap *cc = pass ? &c1 : &c;

		cr_assert_eq(parse_with(cc, "evxml", u, n, pass ? 1 : 0, NULL), 0);
		dump_problems(cc);
		cr_assert_eq(cc->np, 0);
		cr_assert_eq(cc->nev, 2);
		assert_6050(&cc->ev[0]);
		cr_assert_eq(cc->ev[0].line, 2);
		cr_assert_eq(cc->ev[0].offset, UINT64_MAX);
		cr_assert_eq(cc->ev[1].line, 3);
		cr_assert_eq(cc->ev[1].level, LVL_WARN);
		cr_assert_eq(cc->ev[1].time_ms, utc(2026, 1, 2, 3, 4, 5, 0));
		cr_assert_eq(cc->ev[1].win.qualifiers, -1);
		assert_data(&cc->ev[1], 0, "Data[1]", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
	}
	cap_free(&c);
	cap_free(&c1);
	free(u);
}

Test(parser_evxml, utf16le_cut_mid_character)
{
	static const char text[] = EV_TEST;
	struct cap c = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(text, true, &n);

	/* Cut inside the text of a Data element, half a character left. */
	n = 2 + 2 * offset_of(text, "first", 0) + 3;
	cr_assert_eq(parse_with(&c, "evxml", u, n, 0, NULL), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 0);
	cr_assert_not_null(find_problem(&c, "invalid utf-16 in the file, 1 units replaced"));
	cr_assert_not_null(find_problem(&c, "the file ends inside the event starting at line 1"));
	cap_free(&c);
	free(u);
}

Test(parser_evxml, windows_1252_and_leading_blank_declaration)
{
	/* wevtutil without /uni writes the ANSI code page; copies may start
	 * with blank lines before the declaration. */
	static const char text[] = "\r\n  <?xml version=\"1.0\" encoding=\"windows-1252\"?>\r\n"
		"<Event " NS "><System><Provider Name='Caf\xE9 \x80'/><EventID>3</EventID></System>"
		"<EventData><Data>na\xEFve</Data></EventData></Event>\r\n";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_str_eq(c.ev[0].provider, "Caf\xC3\xA9 \xE2\x82\xAC");
	assert_data(&c.ev[0], 0, "Data[1]", "na\xC3\xAFve");
	cr_assert_eq(c.ev[0].line, 3);
	cr_assert_eq(c.ev[0].offset, UINT64_MAX, "offsets of decoded text are not the file's");
	cap_free(&c);
}

Test(parser_evxml, prefixed_names_and_other_sections)
{
	static const char text[] =
		"<e:Event xmlns:e='http://schemas.microsoft.com/win/2004/08/events/event'><e:System>"
		"<e:Provider Name='' EventSourceName='Legacy'/><e:EventID>9</e:EventID></e:System>"
		"<e:ProcessingErrorData><e:ErrorCode>15005</e:ErrorCode></e:ProcessingErrorData>"
		"<e:EventData><e:Data Name='a'>1</e:Data></e:EventData></e:Event>";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_str_eq(c.ev[0].provider, "Legacy");
	cr_assert_eq(c.ev[0].event_id, 9);
	cr_assert_eq(c.ev[0].ndata, 1);
	assert_data(&c.ev[0], 0, "a", "1");
	cap_free(&c);
}

Test(parser_evxml, rendered_xml_message)
{
	static const char text[] =
		"<Event " NS "><System><Provider Name='ADSync'/><EventID Qualifiers='0'>6301</EventID>"
		"<Level>2</Level><Task>2</Task><Channel>Application</Channel></System>"
		"<EventData><Data>BAIL: MMS(7996): ..\\sql.cpp(7524): 0x80004005</Data></EventData>"
		"<RenderingInfo Culture='en-US'><Message>The server encountered an unexpected error "
		"in the synchronization engine:&#13;\n&#13;\n \"BAIL: MMS(7996)\"\n</Message>"
		"<Level>Information</Level><Task>Server</Task><Opcode>Info</Opcode>"
		"<Channel>Wrong</Channel><Provider>Wrong</Provider>"
		"<Keywords><Keyword>Classic</Keyword></Keywords></RenderingInfo></Event>";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_str_eq(c.ev[0].message, "The server encountered an unexpected error in the "
			 "synchronization engine:\r\n\r\n \"BAIL: MMS(7996)\"");
	cr_assert_eq(c.ev[0].level, LVL_ERROR, "System/Level wins over the rendered name");
	cr_assert_str_eq(c.ev[0].provider, "ADSync");
	cr_assert_str_eq(c.ev[0].channel, "Application");
	cr_assert_eq(c.ev[0].win.task, 2);
	cr_assert_eq(c.ev[0].tq, TQ_NONE);
	cr_assert_eq(c.ev[0].ndata, 1);
	assert_data(&c.ev[0], 0, "Data[1]", "BAIL: MMS(7996): ..\\sql.cpp(7524): 0x80004005");
	cap_free(&c);
}

Test(parser_evxml, rendered_level_when_system_has_none)
{
	static const char text[] =
		"<Event " NS "><System><Provider Name='X'/><EventID>5</EventID></System>"
		"<RenderingInfo Culture='en-US'><Message>m</Message><Level>Warning</Level>"
		"</RenderingInfo></Event>";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].level, LVL_WARN);
	cr_assert_eq(c.ev[0].win.win_level, -1);
	cr_assert_str_eq(c.ev[0].message, "m");
	cap_free(&c);
}

Test(parser_evxml, named_data_and_binary)
{
	static const char text[] =
		"<Event " NS "><System><Provider Name='Contoso Test Source'/><EventID>2503</EventID>"
		"<Level>4</Level></System><EventData>"
		"<Data Name='Name'>RotateApplicationCertificate</Data><Data Name='Status'>Success</Data>"
		"<Data/><Data Name='Details'>{\"a\": 1}</Data>"
		"<Binary>0A0B0C</Binary></EventData></Event>";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].ndata, 5);
	assert_data(&c.ev[0], 0, "Name", "RotateApplicationCertificate");
	assert_data(&c.ev[0], 1, "Status", "Success");
	assert_data(&c.ev[0], 2, "Data[3]", "");
	assert_data(&c.ev[0], 3, "Details", "{\"a\": 1}");
	assert_data(&c.ev[0], 4, "Binary", "0A0B0C");
	/* The inserts alone, as Event Viewer shows them without a message. */
	cr_assert_str_eq(c.ev[0].message, "RotateApplicationCertificate; Success; ; {\"a\": 1}; 0A0B0C");
	cap_free(&c);
}

Test(parser_evxml, user_data_leaves)
{
	static const char text[] =
		"<Event " NS "><System><Provider Name='Contoso Test Source'/><EventID>7</EventID>"
		"<Level>4</Level></System><UserData><EventXML xmlns='Event_NS'>"
		"<Param1>a</Param1>\n  <Nested><Inner>b</Inner><x:Pre xmlns:x='u'>c</x:Pre></Nested>"
		"<Empty/></EventXML></UserData></Event>";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].ndata, 4);
	assert_data(&c.ev[0], 0, "Param1", "a");
	assert_data(&c.ev[0], 1, "Inner", "b");
	assert_data(&c.ev[0], 2, "Pre", "c");
	assert_data(&c.ev[0], 3, "Empty", "");
	cap_free(&c);
}

Test(parser_evxml, qualifiers_in_the_event_id)
{
	/* Without Qualifiers, a full 32-bit id keeps its low 16 bits. */
	static const char text[] =
		"<Event " NS "><System><Provider Name='X'/><EventID>1073748874</EventID></System></Event>"
		"<Event " NS "><System><Provider Name='X'/><EventID Qualifiers='49152'>6050</EventID>"
		"</System></Event>";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.ev[0].event_id, 1073748874 & 0xFFFF);
	cr_assert_eq(c.ev[0].win.qualifiers, 16384);
	cr_assert_eq(c.ev[1].event_id, 6050);
	cr_assert_eq(c.ev[1].win.qualifiers, 49152);
	cr_assert_eq(c.ev[0].level, LVL_NONE);
	cr_assert_eq(c.ev[0].tq, TQ_NONE);
	cap_free(&c);
}

Test(parser_evxml, time_created_forms)
{
	static const char text[] =
		"<Event " NS "><System><TimeCreated SystemTime='2023-05-12T07:34:38Z'/></System></Event>\n"
		"<Event " NS "><System><TimeCreated SystemTime='2023-05-12T07:34:38.9999999Z'/></System></Event>\n"
		"<Event " NS "><System><TimeCreated SystemTime='2023-05-12T09:34:38.5+02:00'/></System></Event>\n"
		"<Event " NS "><System><TimeCreated SystemTime='yesterday'/></System></Event>\n"
		"<Event " NS "><System><TimeCreated SystemTime='2023-02-29T07:34:38Z'/></System></Event>\n";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	cr_assert_eq(c.nev, 5);
	cr_assert_eq(c.ev[0].time_ms, utc(2023, 5, 12, 7, 34, 38, 0));
	cr_assert_eq(c.ev[1].time_ms, utc(2023, 5, 12, 7, 34, 38, 999));
	cr_assert_eq(c.ev[2].time_ms, utc(2023, 5, 12, 7, 34, 38, 500));
	for (int i = 0; i < 3; i++)
		cr_assert_eq(c.ev[i].tq, TQ_EXACT);
	cr_assert_eq(c.ev[3].tq, TQ_NONE);
	cr_assert_eq(c.ev[4].tq, TQ_NONE);
	cr_assert_eq(c.np, 2);
	cr_assert_str_eq(c.p[0].message, "TimeCreated 'yesterday' of the event at line 4 not "
			 "understood: the event has no time");
	cr_assert_eq(c.p[0].line, 4);
	cr_assert_eq(c.p[1].line, 5);
	cap_free(&c);
}

Test(parser_evxml, malformed_mid_file)
{
	static const char text[] = "<Events>\n" EV_TEST "\n"
		"<Event " NS "><System><Level>2</Levl></System></Event>\n" EV_TEST "\n</Events>\n";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	cr_assert_eq(c.nev, 1, "the event before the error is kept, none after it");
	assert_test_event(&c.ev[0]);
	cr_assert_eq(c.np, 1);
	dump_problems(&c);
	cr_assert_eq(c.p[0].line, 3);
	cr_assert_eq(c.p[0].records, 1);
	/* expat points at the name in the end tag */
	cr_assert_eq(c.p[0].offset, offset_of(text, "</Levl>", 0) + 2);
	cr_assert(strstr(c.p[0].message, "xml error at line 3, column "));
	cr_assert(strstr(c.p[0].message, "mismatched tag"));
	cr_assert(strstr(c.p[0].message, "the rest of the file is not read (the event starting at "
			 "line 3 is lost)"));
	cap_free(&c);
}

Test(parser_evxml, truncated_inside_an_event)
{
	static const char text[] = "<Events>\n" EV_TEST "\n" EV_6050;
	struct cap c = { 0 };
	size_t n = strlen(text) - 40;

	cr_assert_eq(parse_with(&c, "evxml", text, n, 0, NULL), 0);
	cr_assert_eq(c.nev, 1);
	assert_test_event(&c.ev[0]);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "the file ends inside the event starting at line 3: cut "
			 "off; that event is not stored");
	cr_assert_eq(c.p[0].line, 3);
	cr_assert_eq(c.p[0].records, 1);
	cap_free(&c);
}

Test(parser_evxml, truncated_between_events)
{
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, EV_TEST "\n<Eve"), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.np, 1);
	cr_assert(strstr(c.p[0].message, "xml error at line 2"), "%s", c.p[0].message);
	cr_assert(strstr(c.p[0].message, "(at the end of the file)"), "%s", c.p[0].message);
	cap_free(&c);

	cr_assert_eq(xml(&c, "<Events>\n" EV_TEST "\n"), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "the file ends before the end tag of its root element: "
			 "cut off?");
	cap_free(&c);
}

Test(parser_evxml, not_xml_and_empty)
{
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, ""), 0);
	cr_assert_eq(c.nev, 0);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "no <Event> element found");
	cap_free(&c);

	cr_assert_eq(xml(&c, "<Events></Events>"), 0);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "no <Event> element found");
	cap_free(&c);

	/* Plain text is character data inside the synthetic root. */
	cr_assert_eq(xml(&c, "Log Name: Application\n"), 0);
	cr_assert_eq(c.nev, 0);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "no <Event> element found");
	cap_free(&c);

	cr_assert_eq(xml(&c, "a < b\n"), 0);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "xml error at line 1, column 4: not well-formed (invalid "
			 "token): the rest of the file is not read");
	cr_assert_eq(c.p[0].offset, 3);
	cap_free(&c);

	/* A DOCTYPE cannot declare entities: it is refused. */
	cr_assert_eq(xml(&c, "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'b'>]><Events/>"), 0);
	cr_assert_eq(c.nev, 0);
	cr_assert(strstr(c.p[0].message, "xml error at line 1"), "%s", c.p[0].message);
	cap_free(&c);
}

Test(parser_evxml, limits)
{
	struct buf b;
	struct cap c = { 0 };

	/* More than 4096 data items: the first 4096 kept. */
	buf_init(&b, (size_t)64 << 20);
	buf_adds(&b, "<Event " NS "><System><Provider Name='X'/></System><EventData>");
	for (int i = 0; i < 5000; i++)
		buf_addf(&b, "<Data>%d</Data>", i);
	buf_adds(&b, "</EventData></Event>" EV_TEST);
	cr_assert_eq(xml(&c, b.data), 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.ev[0].ndata, 4096);
	assert_data(&c.ev[0], 4095, "Data[4096]", "4095");
	assert_test_event(&c.ev[1]);
	cr_assert_eq(c.np, 1);
	cr_assert(strstr(c.p[0].message, "more than 4096 data items in the event starting at line 1: "
			 "the rest of that event is skipped"), "%s", c.p[0].message);
	cap_free(&c);

	/* Text over 1 MiB in one element. */
	buf_reset(&b);
	buf_adds(&b, "<Event " NS "><System><Provider Name='X'/></System><EventData><Data>");
	for (int i = 0; i < (1 << 20) / 8 + 1; i++)
		buf_adds(&b, "abcdefgh");
	buf_adds(&b, "</Data><Data>after</Data></EventData></Event>" EV_TEST);
	cr_assert_eq(xml(&c, b.data), 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.ev[0].ndata, 0);
	cr_assert_str_eq(c.ev[0].provider, "X");
	assert_test_event(&c.ev[1]);
	cr_assert_eq(c.np, 1);
	cr_assert(strstr(c.p[0].message, "text over 1048576 bytes"), "%s", c.p[0].message);
	cap_free(&c);

	/* Nesting deeper than 64 inside an event. */
	buf_reset(&b);
	buf_adds(&b, "<Event " NS "><System><Provider Name='X'/></System><UserData>");
	for (int i = 0; i < 100; i++)
		buf_adds(&b, "<a>");
	buf_adds(&b, "v");
	for (int i = 0; i < 100; i++)
		buf_adds(&b, "</a>");
	buf_adds(&b, "</UserData></Event>" EV_TEST);
	cr_assert_eq(xml(&c, b.data), 0);
	cr_assert_eq(c.nev, 2);
	assert_test_event(&c.ev[1]);
	cr_assert_eq(c.np, 1);
	cr_assert(strstr(c.p[0].message, "elements nested deeper than 64"), "%s", c.p[0].message);
	cap_free(&c);

	/* Nesting deeper than 4096 anywhere: the parse stops there. */
	buf_reset(&b);
	buf_adds(&b, EV_TEST);
	for (int i = 0; i < 5000; i++)
		buf_adds(&b, "<a>");
	cr_assert_eq(xml(&c, b.data), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.np, 1);
	cr_assert(strstr(c.p[0].message, "nested deeper than 4096"), "%s", c.p[0].message);
	cap_free(&c);
	buf_release(&b);
}

Test(parser_evxml, sink_stops_the_parse)
{
	struct cap c = { 0 };

	c.stop_at = 1;
	cr_assert_eq(xml(&c, EV_TEST EV_TEST EV_TEST), 7);
	cr_assert_eq(c.nev, 1);
	cap_free(&c);
}

Test(parser_evxml, upgrade_result_fact)
{
	static const char text[] =
		"<Event " NS "><System><Provider Name='Azure AD Connect Upgrade'/>"
		"<EventID Qualifiers='0'>300</EventID><Level>2</Level></System>"
		"<EventData><Data>Azure AD Connect AutoUpgrade result = PreUpgradeFailure</Data>"
		"</EventData></Event>";
	struct cap c = { 0 };

	cr_assert_eq(xml(&c, text), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_not_null(find_fact(&c, "autoupgrade.result", NULL));
	cr_assert_str_eq(find_fact(&c, "autoupgrade.result", NULL)->value, "PreUpgradeFailure");
	cap_free(&c);
}

/* A stream that fails after handing out its bytes. */
struct failing {
	const char *p;
	size_t n, pos;
};

static long
failing_read(void *ctx, void *buf, size_t n)
{
	struct failing *f = ctx;

	if (f->pos == f->n)
		return -1;
	if (n > f->n - f->pos)
		n = f->n - f->pos;
	memcpy(buf, f->p + f->pos, n);
	f->pos += n;
	return (long)n;
}

static const char *
failing_error(void *ctx)
{
	(void)ctx;
	return "device error";
}

Test(parser_evxml, read_error)
{
	static const char text[] = EV_TEST "\n" EV_TEST;
	static const struct ec_options defaults;
	struct cap c = { 0 };
	struct ec_sink sink = cap_sink(&c);
	struct failing f = { text, strlen(EV_TEST) + 200, 0 };
	struct ec_stream s = { failing_read, failing_error, &f };
	struct ec_input in = { &s, { ENC_UTF8, 0 }, NULL, &defaults, &sink };

	cr_assert_eq(cap_format("evxml")->parse(&in), -1);
	cr_assert_eq(c.nev, 1);
	assert_test_event(&c.ev[0]);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "read error: device error");
	cr_assert_eq(c.p[0].line, 2);
	cr_assert_eq(c.p[0].records, 1);
	cap_free(&c);
}

/* ---- sniffing ------------------------------------------------------------ */

static int
sniff_as(const char *fmt, const char *text, const struct ec_format **best)
{
	struct ec_sniff s = { 0 };

	s.raw = (const unsigned char *)text;
	s.raw_len = strlen(text);
	s.enc = enc_sniff(s.raw, s.raw_len);
	s.text = text;
	s.text_len = s.raw_len;
	*best = ec_format_sniff(&s);
	return cap_format(fmt)->sniff(&s);
}

Test(parser_evxml, sniff)
{
	const struct ec_format *best;

	cr_assert_str_eq(cap_format("evxml")->name, "evxml");
	cr_assert_not(cap_format("evxml")->binary);
	cr_assert_eq(sniff_as("evxml", EV_TEST, &best), 90);
	cr_assert_eq(best, cap_format("evxml"));
	cr_assert_eq(sniff_as("evxml", "\r\n  <Events>\r\n" EV_TEST, &best), 90);
	cr_assert_eq(sniff_as("evxml", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Events>\r\n",
			      &best), 90);
	cr_assert_eq(sniff_as("evxml", "\xEF\xBB\xBF<?xml version=\"1.0\"?><Event " NS ">", &best), 90);
	cr_assert_eq(sniff_as("evxml", "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/"
			      "events/event\">", &best), 90);
	cr_assert_eq(sniff_as("evxml", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">", &best), 0);
	cr_assert_eq(sniff_as("evxml", "<EventLog>", &best), 0);
	cr_assert_eq(sniff_as("evxml", "<Event>", &best), 0);
	cr_assert_eq(sniff_as("evxml", "Log Name: Application\n", &best), 0);
	cr_assert_eq(sniff_as("evxml", "", &best), 0);
}

/* ---- evtext -------------------------------------------------------------- */

#define TEXT_6050                                                                             \
	"Log Name:      Application\r\n"                                                      \
	"Source:        ADSync\r\n"                                                           \
	"Date:          5/12/2023 7:34:38 AM\r\n"                                             \
	"Event ID:      6050\r\n"                                                             \
	"Task Category: Management Agent Run Profile\r\n"                                     \
	"Level:         Error\r\n"                                                            \
	"Keywords:      Classic\r\n"                                                          \
	"User:          N/A\r\n"                                                              \
	"Computer:      AADConnect.Contoso.com\r\n"                                           \
	"Description:\r\n"                                                                    \
	"The management agent \"Contoso.com\" failed on run profile \"Delta Import\" because " \
	"of connectivity issues.\r\n"                                                         \
	" \r\n"                                                                               \
	" Additional Information\r\n"                                                         \
	" Discovery Errors       : \"0\"\r\n"                                                 \
	"\r\n"                                                                                \
	" User Action\r\n"                                                                    \
	" View the management agent run history for details.\r\n"

#define DESC_6050                                                                             \
	"The management agent \"Contoso.com\" failed on run profile \"Delta Import\" because " \
	"of connectivity issues.\n \n Additional Information\n Discovery Errors       : \"0\"\n" \
	"\n User Action\n View the management agent run history for details."

static void
assert_text_6050(const struct cev *e, uint64_t line)
{
	cr_assert_eq(e->line, line);
	cr_assert_str_eq(e->provider, "ADSync");
	cr_assert_eq(e->event_id, 6050);
	cr_assert_eq(e->level, LVL_ERROR);
	cr_assert_eq(e->tq, TQ_LOCAL_ASSUMED);
	cr_assert_eq(e->time_ms, utc(2023, 5, 12, 7, 34, 38, 0));
	cr_assert_eq(e->tod, (7 * 3600 + 34 * 60 + 38) * 1000);
	cr_assert(e->has_win);
	cr_assert_str_eq(e->channel, "Application");
	cr_assert_str_eq(e->computer, "AADConnect.Contoso.com");
	cr_assert_str_eq(e->user_sid, "");
	cr_assert_eq(e->win.qualifiers, -1);
	cr_assert_eq(e->win.record_id, 0);
	cr_assert_eq(e->win.win_level, -1);
	cr_assert_not(e->win.has_keywords);
	cr_assert_eq(e->ndata, 1);
	assert_data(e, 0, "TaskCategory", "Management Agent Run Profile");
	cr_assert_str_eq(e->message, DESC_6050);
}

Test(parser_evtext, one_event)
{
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, TEXT_6050), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 1);
	assert_text_6050(&c.ev[0], 1);
	cr_assert_eq(c.ev[0].offset, 0);
	cap_free(&c);
}

Test(parser_evtext, two_events_and_utf16)
{
	static const char text[] = TEXT_6050 "\r\n"
		"Log Name:      System\r\n"
		"Source:        Service Control Manager\r\n"
		"Date:          5/12/2023 7:40:01 PM\r\n"
		"Event ID:      7000\r\n"
		"Task Category: None\r\n"
		"Level:         Warning\r\n"
		"Keywords:      Classic\r\n"
		"User:          CONTOSO\\admin\r\n"
		"Computer:      AADConnect.Contoso.com\r\n"
		"Description:   The Microsoft Azure AD Sync service failed to start.\r\n"
		"\r\n";
	struct cap c = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(text, true, &n);

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0)
			cr_assert_eq(evtext(&c, text), 0);
		else
			cr_assert_eq(parse_with(&c, "evtext", u, n, 1, NULL), 0);
		dump_problems(&c);
		cr_assert_eq(c.np, 0);
		cr_assert_eq(c.nev, 2);
		assert_text_6050(&c.ev[0], 1);
		cr_assert_eq(c.ev[1].line, 19);
		cr_assert_eq(c.ev[1].offset, pass ? 2 + 2 * offset_of(text, "Log Name:      System", 0)
					     : offset_of(text, "Log Name:      System", 0));
		cr_assert_str_eq(c.ev[1].provider, "Service Control Manager");
		cr_assert_eq(c.ev[1].event_id, 7000);
		cr_assert_eq(c.ev[1].level, LVL_WARN);
		cr_assert_eq(c.ev[1].time_ms, utc(2023, 5, 12, 19, 40, 1, 0));
		cr_assert_str_eq(c.ev[1].channel, "System");
		cr_assert_str_eq(c.ev[1].user_sid, "CONTOSO\\admin");
		assert_data(&c.ev[1], 0, "TaskCategory", "None");
		cr_assert_str_eq(c.ev[1].message, "The Microsoft Azure AD Sync service failed to start.");
		cap_free(&c);
	}
	free(u);
}

Test(parser_evtext, collapsed_padding_and_tabs)
{
	static const char text[] =
		"Log Name:   Application\n"
		"Source:    ADSync\n"
		"Date:     8/22/2019 11:11:17 PM\n"
		"Event ID:\t6301\n"
		"Task Category: Server\n"
		"Level:     Error\n"
		"Keywords:   Classic\n"
		"User:     N/A\n"
		"Computer:   AADConnect.contoso.com\n"
		"Description:\n"
		"The server encountered an unexpected error in the synchronization engine:\n"
		"\n"
		" \"BAIL: MMS(7996): ..\\sql.cpp(7524): 0x80004005 (Unspecified error)\n"
		"Azure AD Sync 1.5.45.0\"\n";
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, text), 0);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_str_eq(c.ev[0].provider, "ADSync");
	cr_assert_eq(c.ev[0].event_id, 6301);
	cr_assert_eq(c.ev[0].time_ms, utc(2019, 8, 22, 23, 11, 17, 0));
	cr_assert_str_eq(c.ev[0].computer, "AADConnect.contoso.com");
	assert_data(&c.ev[0], 0, "TaskCategory", "Server");
	cr_assert_str_eq(c.ev[0].message,
			 "The server encountered an unexpected error in the synchronization engine:\n\n"
			 " \"BAIL: MMS(7996): ..\\sql.cpp(7524): 0x80004005 (Unspecified error)\n"
			 "Azure AD Sync 1.5.45.0\"");
	cap_free(&c);
}

Test(parser_evtext, indented_copy)
{
	/* A Markdown code block: every line indented by four spaces. */
	static const char text[] =
		"    Log Name:      Application\n"
		"    Source:        MSDPM\n"
		"    Date:          6/1/2016 2:55:45 PM\n"
		"    Event ID:      999\n"
		"    Task Category: None\n"
		"    Level:         Error\n"
		"    Keywords:      Classic\n"
		"    User:          N/A\n"
		"    Computer:      srvdpm2\n"
		"    Description:\n"
		"    The description for Event ID 999 from source MSDPM cannot be found.\n"
		"    \n"
		"      indented more\n";
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, text), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_str_eq(c.ev[0].provider, "MSDPM");
	cr_assert_eq(c.ev[0].time_ms, utc(2016, 6, 1, 14, 55, 45, 0));
	cr_assert_str_eq(c.ev[0].message, "The description for Event ID 999 from source MSDPM "
			 "cannot be found.\n\n  indented more");
	cap_free(&c);
}

Test(parser_evtext, utc_offset)
{
	struct ec_options o = { 0 };
	struct cap c = { 0 };

	o.have_offset = true;
	o.utc_offset_min = 120;
	cr_assert_eq(parse_with(&c, "evtext", TEXT_6050, strlen(TEXT_6050), 0, &o), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].tq, TQ_LOCAL_GIVEN);
	cr_assert_eq(c.ev[0].time_ms, utc(2023, 5, 12, 5, 34, 38, 0));
	cr_assert_eq(c.ev[0].tod, (7 * 3600 + 34 * 60 + 38) * 1000);
	cap_free(&c);

	o.utc_offset_min = -330;
	cr_assert_eq(parse_with(&c, "evtext", TEXT_6050, strlen(TEXT_6050), 0, &o), 0);
	cr_assert_eq(c.ev[0].time_ms, utc(2023, 5, 12, 13, 4, 38, 0));
	cap_free(&c);
}

/* Events whose header is only Source, Date and Event ID, to test dates. */
static void
dated(struct buf *b, const char *date)
{
	buf_addf(b, "Log Name: Application\nSource: S\nDate: %s\nEvent ID: 1\nDescription: d\n\n", date);
}

Test(parser_evtext, date_forms)
{
	struct buf b;
	struct cap c = { 0 };

	buf_init(&b, 1 << 20);
	dated(&b, "12.05.2023 07:34:38");	/* dots: day first */
	dated(&b, "2023-05-12 07:34:38");
	dated(&b, "2023/05/12 7:34:38");
	dated(&b, "15-07-2024 09:25:57 PM");	/* en-IN */
	dated(&b, "12/5/2023 12:00:01 AM");	/* AM/PM: month first, silently */
	dated(&b, "\xE2\x80\x8E" "5/\xE2\x80\x8E" "12/2023 12:30:00 PM");
	dated(&b, "2023-05-12T07:34:38.1234567");
	dated(&b, "<time>");
	dated(&b, "13/13/2023 10:00:00");
	cr_assert_eq(evtext(&c, b.data), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 9);
	cr_assert_eq(c.ev[0].time_ms, utc(2023, 5, 12, 7, 34, 38, 0));
	cr_assert_eq(c.ev[1].time_ms, utc(2023, 5, 12, 7, 34, 38, 0));
	cr_assert_eq(c.ev[2].time_ms, utc(2023, 5, 12, 7, 34, 38, 0));
	cr_assert_eq(c.ev[3].time_ms, utc(2024, 7, 15, 21, 25, 57, 0));
	cr_assert_eq(c.ev[4].time_ms, utc(2023, 12, 5, 0, 0, 1, 0));
	cr_assert_eq(c.ev[5].time_ms, utc(2023, 5, 12, 12, 30, 0, 0));
	cr_assert_eq(c.ev[6].time_ms, utc(2023, 5, 12, 7, 34, 38, 0));
	for (int i = 0; i < 7; i++)
		cr_assert_eq(c.ev[i].tq, TQ_LOCAL_ASSUMED, "event %d", i);
	cr_assert_eq(c.ev[7].tq, TQ_NONE);
	cr_assert_eq(c.ev[7].tod, -1);
	cr_assert_eq(c.ev[8].tq, TQ_NONE);
	cr_assert_eq(c.np, 2);
	cr_assert_str_eq(c.p[0].message, "date '<time>' of the event at line 43 not understood: "
			 "the event has no time");
	cr_assert_eq(c.p[0].line, 43);
	cr_assert_str_eq(c.p[1].message, "date '13/13/2023 10:00:00' of the event at line 49 not "
			 "understood: the event has no time");
	cap_free(&c);
	buf_release(&b);
}

Test(parser_evtext, ambiguous_dates_one_problem)
{
	struct buf b;
	struct cap c = { 0 };

	buf_init(&b, 1 << 20);
	dated(&b, "05/06/2023 10:00:00");	/* either order: month first, said */
	dated(&b, "04/06/2023 10:00:00");	/* not said again */
	dated(&b, "13/06/2023 10:00:00");	/* day first: settles the file */
	dated(&b, "05/07/2023 10:00:00");	/* now read day first */
	cr_assert_eq(evtext(&c, b.data), 0);
	cr_assert_eq(c.nev, 4);
	cr_assert_eq(c.ev[0].time_ms, utc(2023, 5, 6, 10, 0, 0, 0));
	cr_assert_eq(c.ev[1].time_ms, utc(2023, 4, 6, 10, 0, 0, 0));
	cr_assert_eq(c.ev[2].time_ms, utc(2023, 6, 13, 10, 0, 0, 0));
	cr_assert_eq(c.ev[3].time_ms, utc(2023, 7, 5, 10, 0, 0, 0));
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "date '05/06/2023' could be month/day or day/month: read as "
			 "2023-05-06 (month first), and so are the file's other dates that do not "
			 "settle it");
	cr_assert_eq(c.p[0].line, 1);
	cap_free(&c);
	buf_release(&b);
}

#define XML_SECTION                                                                           \
	"Event Xml:\r\n"                                                                      \
	"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\r\n"          \
	"  <System>\r\n"                                                                      \
	"    <Provider Name=\"ADSync\" />\r\n"                                                \
	"    <EventID Qualifiers=\"0\">6050</EventID>\r\n"                                    \
	"    <Version>0</Version>\r\n"                                                        \
	"    <Level>2</Level>\r\n"                                                            \
	"    <Task>3</Task>\r\n"                                                              \
	"    <Opcode>0</Opcode>\r\n"                                                          \
	"    <Keywords>0x80000000000000</Keywords>\r\n"                                       \
	"    <TimeCreated SystemTime=\"2023-05-12T14:34:38.7297984Z\" />\r\n"                 \
	"    <EventRecordID>2373</EventRecordID>\r\n"                                         \
	"    <Correlation />\r\n"                                                             \
	"    <Execution ProcessID=\"0\" ThreadID=\"0\" />\r\n"                                \
	"    <Channel>Application</Channel>\r\n"                                              \
	"    <Computer>AADConnect.Contoso.com</Computer>\r\n"                                 \
	"    <Security />\r\n"                                                                \
	"  </System>\r\n"                                                                     \
	"  <EventData>\r\n"                                                                   \
	"    <Data>Contoso.com</Data>\r\n"                                                    \
	"    <Data>Delta Import</Data>\r\n"                                                   \
	"  </EventData>\r\n"                                                                  \
	"</Event>\r\n"

Test(parser_evtext, event_xml_section)
{
	static const char text[] = TEXT_6050 XML_SECTION TEXT_6050 XML_SECTION;
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 2);
	for (int i = 0; i < 2; i++) {
		const struct cev *e = &c.ev[i];

		cr_assert_eq(e->line, i ? 41 : 1);
		cr_assert_str_eq(e->message, DESC_6050);
		cr_assert_eq(e->tq, TQ_EXACT, "the XML's UTC time wins");
		cr_assert_eq(e->time_ms, utc(2023, 5, 12, 14, 34, 38, 729));
		cr_assert_eq(e->win.record_id, 2373);
		cr_assert_eq(e->win.qualifiers, 0);
		cr_assert_eq(e->win.win_level, 2);
		cr_assert_eq(e->win.task, 3);
		cr_assert(e->win.has_keywords);
		cr_assert_str_eq(e->channel, "Application");
		cr_assert_str_eq(e->computer, "AADConnect.Contoso.com");
		cr_assert_eq(e->ndata, 3);
		assert_data(e, 0, "Data[1]", "Contoso.com");
		assert_data(e, 1, "Data[2]", "Delta Import");
		assert_data(e, 2, "TaskCategory", "Management Agent Run Profile");
	}
	cap_free(&c);
}

Test(parser_evtext, broken_event_xml_keeps_the_text)
{
	static const char text[] = TEXT_6050 "Event Xml:\n<Event xmlns=\"x\">\n  <System>\n";
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, text), 0);
	cr_assert_eq(c.nev, 1);
	assert_text_6050(&c.ev[0], 1);
	cr_assert_eq(c.np, 1);
	cr_assert(strstr(c.p[0].message, "in the Event Xml section"), "%s", c.p[0].message);
	cr_assert(strstr(c.p[0].message, "the section is ignored"), "%s", c.p[0].message);
	cr_assert_eq(c.p[0].line, 20, "the section's last line");
	cap_free(&c);
}

Test(parser_evtext, lines_before_and_no_header)
{
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, "Here is the event:\n\n" TEXT_6050), 0);
	cr_assert_eq(c.nev, 1);
	assert_text_6050(&c.ev[0], 3);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "1 lines before the first event header skipped");
	cr_assert_eq(c.p[0].line, 1);
	cap_free(&c);

	cr_assert_eq(evtext(&c, "nothing here\n"), 0);
	cr_assert_eq(c.nev, 0);
	cr_assert_not_null(find_problem(&c, "no event header (Log Name:, Source:, Event ID: ...) "
					"found in 1 lines"));
	cap_free(&c);
}

Test(parser_evtext, header_without_description)
{
	static const char text[] = "Log Name: Application\nSource: A\nEvent ID: 1\nLevel: Info\n"
				   "Log Name: Application\nSource: B\nEvent ID: 2\nLevel: Critical\n";
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, text), 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_str_eq(c.ev[0].provider, "A");
	cr_assert_eq(c.ev[0].level, LVL_INFO);
	cr_assert_str_eq(c.ev[0].message, "");
	cr_assert_eq(c.ev[0].ndata, 0);
	cr_assert_str_eq(c.ev[1].provider, "B");
	cr_assert_eq(c.ev[1].line, 5);
	cr_assert_eq(c.ev[1].level, LVL_CRITICAL);
	cap_free(&c);
}

Test(parser_evtext, header_words_inside_a_description)
{
	/* Lone header-like lines stay in the description; only "Log Name:"
	 * followed by another header line, or three header lines in a row,
	 * start the next event. */
	static const char text[] =
		"Log Name: Application\nSource: A\nEvent ID: 1\nLevel: Error\nDescription:\n"
		"first\nSource: not a header\nmore\nLog Name: nor this\n\nLevel: 3\nUser: x\nend\n"
		"Event ID: 2\nSource: B\nLevel: Warning\nDetails:\nsecond\n";
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_str_eq(c.ev[0].message, "first\nSource: not a header\nmore\nLog Name: nor this\n\n"
			 "Level: 3\nUser: x\nend");
	cr_assert_str_eq(c.ev[1].provider, "B");
	cr_assert_eq(c.ev[1].event_id, 2);
	cr_assert_eq(c.ev[1].level, LVL_WARN);
	cr_assert_eq(c.ev[1].line, 14);
	cr_assert_eq(c.ev[1].offset, offset_of(text, "Event ID: 2", 0));
	cr_assert_str_eq(c.ev[1].message, "second");
	cr_assert_str_eq(c.ev[1].channel, "");
	cap_free(&c);
}

Test(parser_evtext, opcode_and_markdown_bold)
{
	static const char text[] =
		"Log Name: System\nSource: **Microsoft-Windows-DistributedCOM**\n"
		"Date: 1/9/2019 5:42:13 PM\nEvent ID: **10016**\nTask Category: None\n"
		"Level: Error\nOpCode: Info\nKeywords: Classic\nUser: NT SERVICE\\SQLSERVERAGENT\n"
		"Computer: testmachine\nDescription:\nThe application-specific permission settings\n";
	struct cap c = { 0 };

	cr_assert_eq(evtext(&c, text), 0);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_str_eq(c.ev[0].provider, "Microsoft-Windows-DistributedCOM");
	cr_assert_eq(c.ev[0].event_id, 10016);
	cr_assert_eq(c.ev[0].win.opcode, 0);
	cr_assert_str_eq(c.ev[0].user_sid, "NT SERVICE\\SQLSERVERAGENT");
	cr_assert_eq(c.ev[0].time_ms, utc(2019, 1, 9, 17, 42, 13, 0));
	cap_free(&c);
}

Test(parser_evtext, sink_stops_the_parse)
{
	struct cap c = { 0 };

	c.stop_at = 1;
	cr_assert_eq(evtext(&c, TEXT_6050 TEXT_6050), 7);
	cr_assert_eq(c.nev, 1);
	cap_free(&c);
}

Test(parser_evtext, sniff)
{
	const struct ec_format *best;

	cr_assert_eq(sniff_as("evtext", TEXT_6050, &best), 90);
	cr_assert_eq(best, cap_format("evtext"));
	cr_assert_eq(sniff_as("evtext", "\n\nLog Name: Application\nSource: ADSync\n", &best), 90);
	cr_assert_eq(sniff_as("evtext", "Log Name: Application\n\nx\ny\nz\nSource: ADSync\n", &best), 0);
	cr_assert_eq(sniff_as("evtext", "Event ID: 6941\nLog Name: Application\nSource: ADSync\n"
			      "Level: Error\n", &best), 70);
	cr_assert_eq(sniff_as("evtext", "Event ID: 6941\nLevel: Error\nSource: ADSync\nx\n", &best), 70);
	cr_assert_eq(sniff_as("evtext", "Source: somewhere\nhello\n", &best), 0);
	cr_assert_eq(sniff_as("evtext", "Level,Date and Time,Source,Event ID,Task Category\n", &best), 0);
	cr_assert_eq(sniff_as("evtext", EV_TEST, &best), 0);
	cr_assert_eq(sniff_as("evtext", "", &best), 0);
}

/* ---- evtext: the corpus -------------------------------------------------- */

/* Block N of the corpus file: from its "########## N)" line to the next
 * "##########" line, researcher lines ("# ...") removed. */
static char *
load_block(int block, size_t *n)
{
	const char *path = corpus_path(EVTEXT_CORPUS);
	char mark[32], *all, *start, *end;
	struct buf out;
	size_t len;

	if (!path)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", EVTEXT_CORPUS);
	all = slurp(path, &len);
	cr_assert_not_null(all, "cannot read %s", path);
	snprintf(mark, sizeof(mark), "########## %d)", block);
	start = strstr(all, mark);
	cr_assert_not_null(start, "no '%s' in the corpus file", mark);
	start = strchr(start, '\n') + 1;
	end = strstr(start, "\n##########");
	end = end ? end + 1 : all + len;
	buf_init(&out, len + 1);
	while (start < end) {
		char *nl = memchr(start, '\n', (size_t)(end - start));
		char *e = nl ? nl + 1 : end;

		if (!(e - start >= 2 && start[0] == '#' && (start[1] == ' ' || start[1] == '\n')))
			buf_add(&out, start, (size_t)(e - start));
		start = e;
	}
	free(all);
	return buf_detach(&out, n);
}

struct want {
	const char *source;
	int64_t id;
	enum ec_level level;
	const char *computer;
	int64_t time_ms;		/* 0: no date */
	const char *task;
	const char *first, *last;	/* first and last line of the description */
	size_t lines;			/* lines in the description */
};

static void
assert_want(const struct cev *e, const struct want *w)
{
	const char *nl = strchr(e->message, '\n');
	const char *last = strrchr(e->message, '\n');
	size_t lines = 1;

	cr_assert_str_eq(e->provider, w->source);
	cr_assert_eq(e->event_id, w->id);
	cr_assert_eq(e->level, w->level);
	cr_assert_str_eq(e->computer, w->computer);
	if (w->time_ms) {
		cr_assert_eq(e->tq, TQ_LOCAL_ASSUMED);
		cr_assert_eq(e->time_ms, w->time_ms);
	} else {
		cr_assert_eq(e->tq, TQ_NONE);
	}
	if (w->task) {
		cr_assert_eq(e->ndata, 1);
		assert_data(e, 0, "TaskCategory", w->task);
	} else {
		cr_assert_eq(e->ndata, 0);
	}
	cr_assert_str_eq(e->channel, "Application");
	cr_assert_str_eq(e->user_sid, "");
	cr_assert(nl, "one-line description: %s", e->message);
	cr_assert_eq((size_t)(nl - e->message), strlen(w->first), "first line: %.*s",
		     (int)(nl - e->message), e->message);
	cr_assert(strncmp(e->message, w->first, strlen(w->first)) == 0);
	cr_assert_str_eq(last + 1, w->last);
	for (const char *p = e->message; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	cr_assert_eq(lines, w->lines, "%zu lines", lines);
}

static const struct want wants[] = {
	{ "ADSync", 6050, LVL_ERROR, "AADConnect.Contoso.com", 1683876878000,
	  "Management Agent Run Profile",
	  "The management agent \"Contoso.com\" failed on run profile \"Delta Import\" because of "
	  "connectivity issues.",
	  " View the management agent run history for details.", 11 },
	{ "ADSync", 6301, LVL_ERROR, "AADConnect.contoso.com", 1566515477000, "Server",
	  "The server encountered an unexpected error in the synchronization engine:",
	  "Azure AD Sync 1.5.45.0\"", 15 },
	{ "Directory Synchronization", 611, LVL_ERROR, "server1.contoso.com", 1597057239000, "None",
	  "Password hash synchronization failed for domain: contoso.com, domain controller hostname: "
	  "<not available>, domain controller IP address: <not available>.",
	  "DrsException:  There was an error creating the connection context. ---> "
	  "Microsoft.Online.PasswordSynchronization.DirectoryReplicationServices."
	  "DrsCommunicationException: RPC Error 1722 : The RPC server is unavailable. Error creating "
	  "the RPC binding handle", 3 },
	{ "Directory Synchronization", 611, LVL_ERROR, "server1.contoso.com", 1596485875000, "None",
	  "Password hash synchronization failed for domain: contoso.com, domain controller hostname: "
	  "server1.contoso.com, domain controller IP address: 192.168.0.0.",
	  "DrsException:  RPC Error 8333 : Directory object not found. There was an error calling "
	  "_IDL_DRSGetNCChanges.", 3 },
	{ "ADSync", 6329, LVL_ERROR, "server1.contoso.com", 1595963240000, "Server",
	  "An unexpected error has occurred during a password set operation.",
	  "Azure AD Sync 1.4.18.0\"", 16 },
	{ "ADSync", 6941, LVL_ERROR, "", 0, NULL, "ECMA2 MA export run caused an error. ",
	  "Error Detail: Unable to update this object because the following attributes associated "
	  "with this object have values that may already be associated with another object in your "
	  "local directory services: [UserPrincipalName john@contoso.com;]. Correct or remove the "
	  "duplicate values in your local directory. Please refer to https://support.microsoft.com/kb/"
	  "2647098 for more information on identifying objects with duplicate attribute values.", 4 },
	{ "ADSync", 6941, LVL_ERROR, "", 0, NULL, "ECMA2 MA export run caused an error.",
	  "Error Detail: Unable to update this object because the following attributes associated "
	  "with this object have values that may already be associated with another object in your "
	  "local directory services: [ProxyAddresses SMTP:john@contoso.com;]. Correct or remove the "
	  "duplicate values in your local directory.", 4 },
};

Test(parser_evtext, corpus_blocks)
{
	/* want index of each block's first event, and its events */
	static const struct {
		int block;
		size_t first, count;
	} blocks[] = { { 1, 0, 1 }, { 2, 1, 1 }, { 3, 2, 1 }, { 4, 3, 1 }, { 5, 4, 1 }, { 6, 5, 2 } };

	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
		struct cap c = { 0 };
		const struct ec_format *best;
		struct ec_sniff s = { 0 };
		size_t n;
		char *text = load_block(blocks[b].block, &n);

		cr_log_info("block %d", blocks[b].block);
		cr_assert_eq(parse_with(&c, "evtext", text, n, 0, NULL), 0);
		dump_problems(&c);
		cr_assert_eq(c.np, 0, "block %d", blocks[b].block);
		cr_assert_eq(c.nev, blocks[b].count, "block %d: %zu events", blocks[b].block, c.nev);
		for (size_t i = 0; i < c.nev; i++)
			assert_want(&c.ev[i], &wants[blocks[b].first + i]);
		cr_assert_eq(c.ev[0].line, 1);
		s.raw = (const unsigned char *)text;
		s.raw_len = n;
		s.enc = enc_sniff(s.raw, n);
		s.text = text;
		s.text_len = n;
		best = ec_format_sniff(&s);
		cr_assert_eq(best, cap_format("evtext"), "block %d sniffed as %s", blocks[b].block,
			     best ? best->name : "nothing");
		cap_free(&c);
		free(text);
	}
}

Test(parser_evtext, corpus_whole_file)
{
	struct cap c = { 0 };
	size_t n;
	char *text = corpus_excerpt(EVTEXT_CORPUS, &n);

	if (!text)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", EVTEXT_CORPUS);
	cr_assert_eq(parse_with(&c, "evtext", text, n, 0, NULL), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 7);
	for (size_t i = 0; i < 6; i++)
		assert_want(&c.ev[i], &wants[i]);
	/* The last 6941 runs to the end of the file: block 7's lines are no
	 * rendering of their own. */
	cr_assert_str_eq(c.ev[6].provider, "ADSync");
	cr_assert_eq(c.ev[6].event_id, 6941);
	cr_assert(strncmp(c.ev[6].message, wants[6].first, strlen(wants[6].first)) == 0);
	cr_assert(strstr(c.ev[6].message, "WaitForMultipleObjects"));
	for (size_t i = 1; i < c.nev; i++)
		cr_assert_gt(c.ev[i].line, c.ev[i - 1].line);
	{
		uint64_t off = offset_of(text, "Log Name:", 0), line = 1;

		for (uint64_t i = 0; i < off; i++)
			line += text[i] == '\n';
		cr_assert_eq(c.ev[0].line, line);
		cr_assert_eq(c.ev[0].offset, off);
	}
	cap_free(&c);
	free(text);
}

Test(parser_evtext, corpus_byte_at_a_time_utf16)
{
	struct cap ref = { 0 }, c = { 0 };
	size_t n, un;
	char *text = corpus_excerpt(EVTEXT_CORPUS, &n);
	unsigned char *u;

	if (!text)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", EVTEXT_CORPUS);
	u = to_utf16le(text, true, &un);
	cr_assert_eq(parse_with(&ref, "evtext", text, n, 0, NULL), 0);
	cr_assert_eq(parse_with(&c, "evtext", u, un, 1, NULL), 0);
	cr_assert_eq(c.nev, ref.nev);
	cr_assert_eq(c.np, ref.np);
	for (size_t i = 0; i < c.nev; i++) {
		cr_assert_eq(c.ev[i].line, ref.ev[i].line);
		cr_assert_eq(c.ev[i].event_id, ref.ev[i].event_id);
		cr_assert_eq(c.ev[i].time_ms, ref.ev[i].time_ms);
		cr_assert_str_eq(c.ev[i].message, ref.ev[i].message);
		cr_assert_str_eq(c.ev[i].provider, ref.ev[i].provider);
	}
	cap_free(&ref);
	cap_free(&c);
	free(u);
	free(text);
}
