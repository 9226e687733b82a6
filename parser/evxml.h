/* SPDX-License-Identifier: MIT */
/* evxml.h - the wevtutil XML reader's one-event entry, shared with the
 * Event Viewer text format (whose "Event Xml:" section holds one event).
 * Parser-internal. */
#ifndef PARSER_EVXML_H
#define PARSER_EVXML_H

#include <stddef.h>
#include <stdint.h>

#include "parser/parser.h"

/* Read the one <Event> of xml (an "Event Xml:" section whose first line is
 * first_line of the input) and call fn with it: the event's views are valid
 * during that call. Returns fn's value, or -2 when no whole event was read
 * (a problem then says why). */
int evxml_read_one(const char *xml, size_t n, const struct ec_sink *sink, uint64_t first_line,
		   int (*fn)(void *ctx, struct ec_event *ev), void *ctx);

#endif
