/* SPDX-License-Identifier: MIT */
/* winevent.c - levels, message lines and emission shared by the Windows
 * event formats. */
#include <string.h>

#include "parser/autoupgrade.h"
#include "parser/evmsg.h"
#include "parser/winevent.h"

enum ec_level
winevent_level(int64_t level)
{
	switch (level) {
	case 1:
		return LVL_CRITICAL;
	case 2:
		return LVL_ERROR;
	case 3:
		return LVL_WARN;
	case 0:
	case 4:
		return LVL_INFO;
	case 5:
		return LVL_VERBOSE;
	default:
		return LVL_NONE;
	}
}

enum ec_level
winevent_level_name(struct sv name)
{
	static const struct {
		const char *name;
		enum ec_level level;
	} names[] = {
		{ "Critical", LVL_CRITICAL }, { "Error", LVL_ERROR },	  { "Warning", LVL_WARN },
		{ "Information", LVL_INFO },  { "Verbose", LVL_VERBOSE }, { "Audit Success", LVL_INFO },
		{ "Audit Failure", LVL_WARN },
	};

	name = sv_trim(name);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (sv_ieq(name, names[i].name))
			return names[i].level;
	}
	return LVL_NONE;
}

void
winevent_message(struct sv provider, int64_t event_id, const struct ec_kv *data, size_t n,
		 struct buf *out)
{
	const char *tmpl = evmsg_template(provider, event_id);

	if (tmpl) {
		struct ec_kv res[16];

		/* "%%1069" inserts read as Event Viewer shows them */
		if (data && n <= 16) {
			bool any = false;

			for (size_t i = 0; i < n; i++) {
				const char *t = evmsg_param(provider, data[i].value);

				res[i] = data[i];
				if (t) {
					res[i].value = sv_cstr(t);
					any = true;
				}
			}
			if (any)
				data = res;
		}
		evmsg_expand(tmpl, data, n, out);
		return;
	}
	/* What Event Viewer shows when it has no message for an event: the
	 * inserts, in order (their names are in the event's data). */
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_add(out, "; ", 2);
		buf_addsv(out, sv_trim(data[i].value));
	}
}

static bool
is_upgrade_provider(struct sv p)
{
	return sv_ieq(p, "Azure AD Connect Upgrade") || sv_ieq(p, "Microsoft Entra Connect Upgrade");
}

int
winevent_emit(const struct ec_sink *sink, const struct ec_event *ev)
{
	struct sv code, rest = ev->message;
	int rc;

	if (sink->event && (rc = sink->event(sink->ctx, ev)) != 0)
		return rc;
	if (!is_upgrade_provider(ev->provider) && sv_find(ev->message, "pgrade") < 0)
		return 0;
	while (upgrade_result_find(rest, &code)) {
		if ((rc = ec_fact_report(sink, "autoupgrade.result", SV_NULL, code, true)) != 0)
			return rc;
		rest = sv_make(code.p + code.n, (size_t)(ev->message.p + ev->message.n - (code.p + code.n)));
	}
	return 0;
}
