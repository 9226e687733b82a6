/* SPDX-License-Identifier: MIT */
/* timeline.h - the case on one time axis: wizard runs, Windows Installer
 * installs and their failing action, the upgrade window and the sync
 * pause, the sync runs of each connector, error events. Built from a
 * loaded analysis and nothing else, so the HTML report's drawing and
 * 'ecdiag export --format csv' show the same items. */
#ifndef ANALYZER_TIMELINE_H
#define ANALYZER_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/analyzer.h"

enum tl_kind {
	TL_WIZARD,	/* a wizard run (trace log) */
	TL_INSTALL,	/* a Windows Installer install */
	TL_ACTION,	/* the action of an install that failed (a moment) */
	TL_UPGRADE,	/* an upgrade attempt: started .. ended */
	TL_PAUSE,	/* sync paused: last run before .. first run after */
	TL_RUN,		/* a sync run of one connector */
	TL_ERROR,	/* an error or critical event (a moment) */
	TL_KINDS
};

enum tl_status { TL_OK, TL_WARNING, TL_FAILED, TL_INFO, TL_UNKNOWN };

struct tl_lane {
	char *name;		/* "wizard", "installer", "upgrade", "sync paused", a connector, "error events" */
	enum tl_kind kind;	/* what its items are (TL_RUN for connectors) */
};

struct tl_item {
	enum tl_kind kind;
	size_t lane;		/* index into lanes */
	char *start, *end;	/* UTC ISO 8601; end NULL for a moment, or when not known */
	int64_t start_ms, end_ms;	/* milliseconds since 1970; end_ms = start_ms when end is NULL */
	enum tl_status status;
	char *label;		/* short: "wizard 2.2.8.0", "Delta Import", "ADSync 6100" */
	char *detail;		/* one line: result, failing action and error, first line of the message */
	char *path;		/* the source that shows it, or NULL */
	int64_t line, record;	/* 0 / -1 when none */
};

struct timeline {
	struct tl_lane *lanes;
	size_t nlanes;
	struct tl_item *items;	/* lane order, then start */
	size_t nitems;
	int64_t first_ms, last_ms;	/* the span of all items; both 0 when there are none */
	size_t unplaced;	/* episodes, installs and runs without a UTC time, left out */
	int64_t errors_total;	/* error events in the case; at most ERROR_EVENTS_MAX are items */
};

/* Build the timeline of a loaded analysis (strings are copies). */
void timeline_build(const struct analysis *a, struct timeline *t);
void timeline_release(struct timeline *t);

const char *tl_kind_name(enum tl_kind k);	/* wizard, install, action, upgrade, sync-paused, run, error */
const char *tl_status_name(enum tl_status s);	/* ok, warning, failed, info, unknown */

#endif
