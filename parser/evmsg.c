/* SPDX-License-Identifier: MIT */
/* evmsg.c - documented message texts of Windows event providers.
 * PLACEHOLDER: the table is filled in by the message-template work. */
#include <string.h>

#include "parser/evmsg.h"

const char *
evmsg_template(struct sv provider, int64_t event_id)
{
	(void)provider;
	(void)event_id;
	return NULL;
}

void
evmsg_expand(const char *tmpl, const struct ec_kv *data, size_t n, struct buf *out)
{
	(void)data;
	(void)n;
	buf_adds(out, tmpl);
}
