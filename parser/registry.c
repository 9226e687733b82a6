/* SPDX-License-Identifier: MIT */
/* registry.c - the one table of formats this build reads (git's commands[]).
 * Sniffing asks each format in turn and takes the most confident answer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parser/parser.h"

extern const struct ec_format fmt_trace;
extern const struct ec_format fmt_msi;
extern const struct ec_format fmt_autoupgrade;
extern const struct ec_format fmt_evtx;
extern const struct ec_format fmt_evxml;
extern const struct ec_format fmt_evtext;
extern const struct ec_format fmt_evcsv;
extern const struct ec_format fmt_pscsv;
extern const struct ec_format fmt_psjson;
extern const struct ec_format fmt_runxml;
extern const struct ec_format fmt_runclixml;
extern const struct ec_format fmt_runjson;
extern const struct ec_format fmt_runcsv;
extern const struct ec_format fmt_runlist;
extern const struct ec_format fmt_adsyncsettings;
extern const struct ec_format fmt_aboutversion;
extern const struct ec_format fmt_configexport;
extern const struct ec_format fmt_localdberr;
extern const struct ec_format fmt_paste;
extern const struct ec_format fmt_text;

const struct ec_format *const ec_formats[] = {
	&fmt_trace,
	&fmt_msi,
	&fmt_autoupgrade,
	&fmt_evtx,
	&fmt_evxml,
	&fmt_evtext,
	&fmt_evcsv,
	&fmt_pscsv,
	&fmt_psjson,
	&fmt_runxml,
	&fmt_runclixml,
	&fmt_runjson,
	&fmt_runcsv,
	&fmt_runlist,
	&fmt_adsyncsettings,
	&fmt_aboutversion,
	&fmt_configexport,
	&fmt_localdberr,
	/* last, and below every other confidence: they take what no format claims */
	&fmt_paste,
	&fmt_text,
};

const size_t ec_nformats = sizeof(ec_formats) / sizeof(ec_formats[0]);

const struct ec_format *
ec_format_sniff(const struct ec_sniff *s)
{
	const struct ec_format *best = NULL;
	int best_score = 0;

	for (size_t i = 0; i < ec_nformats; i++) {
		const struct ec_format *f = ec_formats[i];
		int score;

		if (!f->binary && !s->text)
			continue;
		score = f->sniff(s);
		if (score > best_score) {
			best = f;
			best_score = score;
		}
	}
	return best;
}

const struct ec_format *
ec_format_find(const char *name)
{
	for (size_t i = 0; i < ec_nformats; i++) {
		if (strcmp(ec_formats[i]->name, name) == 0)
			return ec_formats[i];
	}
	return NULL;
}

int
ec_problemf(const struct ec_sink *sink, uint64_t line, uint64_t offset, uint64_t records,
	    uint64_t bytes, const char *fmt, ...)
{
	char msg[512];
	struct ec_problem p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p.line = line;
	p.offset = offset;
	p.records = records;
	p.bytes = bytes;
	p.message = msg;
	return sink->problem ? sink->problem(sink->ctx, &p) : 0;
}

int
ec_fact_report(const struct ec_sink *sink, const char *name, struct sv key, struct sv value,
	       bool on_event)
{
	struct ec_fact f;

	if (!sink->fact)
		return 0;
	f.name = sv_cstr(name);
	f.key = key;
	f.value = value;
	f.on_event = on_event;
	return sink->fact(sink->ctx, &f);
}
