/* SPDX-License-Identifier: MIT */
/* evmsg.h - the documented message texts of the Windows event providers ecdiag
 * cares about (MsiInstaller, Service Control Manager, ...), with %1..%n for
 * the inserts, so that a message line can be built without the provider's
 * message DLL. Parser-internal. */
#ifndef PARSER_EVMSG_H
#define PARSER_EVMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/strview.h"
#include "parser/parser.h"

/* The message template of (provider, event id), or NULL. Provider names
 * are matched without case. */
const char *evmsg_template(struct sv provider, int64_t event_id);

/* Append the template with %1..%99 replaced by data[0..n) values (a
 * missing insert becomes empty; "%%" is "%"). */
void evmsg_expand(const char *tmpl, const struct ec_kv *data, size_t n, struct buf *out);

/* The text an insert value stands for when it is a parameter reference
 * ("%%1069") that the provider resolves from the system message table
 * (Service Control Manager), or NULL: other values, other providers, codes
 * not in the table. */
const char *evmsg_param(struct sv provider, struct sv value);

#endif
