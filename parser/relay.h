/* SPDX-License-Identifier: MIT */
/* relay.h - a sink that hands records to another thread: the parser runs
 * on the caller's thread while the target sink (the store) consumes on one
 * of its own, so that parsing and SQLite overlap on two cores. Records are
 * copied into a few fixed buffers and replayed in order; the target sees
 * exactly the calls it would have seen, one thread at a time.
 *
 * Between relay_start() and relay_finish() only the relay thread may touch
 * the target; after relay_finish() returns the caller owns it again. */
#ifndef PARSER_RELAY_H
#define PARSER_RELAY_H

#include "parser/parser.h"

struct relay;

/* Start the relay thread for target. NULL if a thread cannot be made (the
 * caller then uses target directly). */
struct relay *relay_start(const struct ec_sink *target);
/* The sink a parser writes into. A callback returns the first non-zero
 * value the target returned (the parser then stops), or 0. */
const struct ec_sink *relay_sink(struct relay *r);
/* Wait until every record was handed to the target. Returns the first
 * non-zero value the target returned since the last relay_finish(), or 0. */
int relay_finish(struct relay *r);
/* Stop the thread; relay_stop(NULL) does nothing. */
void relay_stop(struct relay *r);

#endif
