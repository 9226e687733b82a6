/* SPDX-License-Identifier: MIT */
/* winevent.h - what every Windows event format shares (EVTX, wevtutil XML,
 * Event Viewer CSV and text, Get-WinEvent CSV and JSON): levels, the message
 * line built from the inserts, and handing an event to the sink with the
 * facts every format reports alike. Parser-internal. */
#ifndef PARSER_WINEVENT_H
#define PARSER_WINEVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/strview.h"
#include "parser/parser.h"

/* System/Level: 1 critical, 2 error, 3 warning, 4 and 0 information,
 * 5 verbose; anything else LVL_NONE. */
enum ec_level winevent_level(int64_t level);
/* The English names Event Viewer and PowerShell write ("Error", "Warning",
 * "Information", "Critical", "Verbose", also "Audit Success"/"Audit
 * Failure"), case ignored; LVL_NONE if not one. */
enum ec_level winevent_level_name(struct sv name);

/* Append to out the message line of an event: the provider's documented
 * message with the inserts put in (parser/evmsg.c), else the inserts
 * themselves, "; " between them (their names are in the event's data). */
void winevent_message(struct sv provider, int64_t event_id, const struct ec_kv *data, size_t n,
		      struct buf *out);

/* Hand ev to the sink, then the facts of Windows events: for the auto-
 * upgrade provider ("Azure AD Connect Upgrade", "Microsoft Entra Connect
 * Upgrade") and any message with a result code, autoupgrade.result. */
int winevent_emit(const struct ec_sink *sink, const struct ec_event *ev);

#endif
