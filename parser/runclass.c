/* SPDX-License-Identifier: MIT */
/* runclass.c - families of run results, kinds of run steps. */
#include <string.h>

#include "parser/runclass.h"

const char *
run_result_class(struct sv r)
{
	r = sv_trim(r);
	if (!r.n)
		return "unknown";
	if (sv_ieq(r, "success"))
		return "success";
	if (sv_ieq(r, "completed-no-objects"))
		return "completed-no-objects";
	if (sv_istarts(r, "completed-") && sv_iends(r, "-warnings"))
		return "completed-warnings";
	if (sv_ieq(r, "completed-warnings"))
		return "completed-warnings";
	if (sv_istarts(r, "completed-") && (sv_iends(r, "-errors") || sv_iends(r, "-error")))
		return "completed-errors";
	if (sv_istarts(r, "stopped-") || sv_ieq(r, "stopped"))
		return "stopped";
	if (sv_istarts(r, "no-start-") || sv_ieq(r, "no-start"))
		return "no-start";
	if (sv_ieq(r, "in-progress"))
		return "in-progress";
	return "unknown";
}

/* Letters only, lower case: "Delta-Import" and "DeltaImport" are both
 * "deltaimport". */
static size_t
squash(struct sv v, char *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < v.n && k + 1 < max; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c >= 'A' && c <= 'Z')
			out[k++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || c >= 0x80)
			out[k++] = (char)c;
	}
	out[k] = '\0';
	return k;
}

const char *
run_step_class(struct sv type, struct sv subtype, struct sv profile)
{
	char t[64], p[128];

	if (squash(type, t, sizeof(t))) {
		if (!strcmp(t, "deltaimport"))
			return "delta-import";
		if (!strcmp(t, "fullimport"))
			return "full-import";
		if (!strcmp(t, "export"))
			return "export";
		if (!strcmp(t, "fullimportdeltasync") || !strcmp(t, "deltaimportdeltasync"))
			return strstr(t, "full") == t ? "full-import" : "delta-import";
		if (!strcmp(t, "applyrules") || !strcmp(t, "deltasync") || !strcmp(t, "fullsync") ||
		    !strcmp(t, "deltasynchronization") || !strcmp(t, "fullsynchronization")) {
			char st[64];

			squash(subtype, st, sizeof(st));
			if (!strcmp(t, "deltasync") || !strcmp(t, "deltasynchronization") ||
			    !strcmp(st, "applypending"))
				return "delta-sync";
			if (!strcmp(t, "fullsync") || !strcmp(t, "fullsynchronization") ||
			    !strcmp(st, "reevaluateflowconnectors"))
				return "full-sync";
		}
	}
	/* Run profile names are the user's: read what they say. */
	squash(profile, p, sizeof(p));
	if (strstr(p, "export"))
		return "export";
	if (strstr(p, "import")) {
		if (strstr(p, "delta"))
			return "delta-import";
		if (strstr(p, "full") || strstr(p, "vollst") || strstr(p, "complet"))
			return "full-import";
	}
	if (strstr(p, "sync")) {
		if (strstr(p, "delta"))
			return "delta-sync";
		if (strstr(p, "full") || strstr(p, "vollst") || strstr(p, "complet"))
			return "full-sync";
	}
	return "unknown";
}

void
run_counter_name(struct sv name, struct buf *out)
{
	for (size_t i = 0; i < name.n; i++) {
		char c = name.p[i];

		if (c >= 'A' && c <= 'Z') {
			if (i > 0 && name.p[i - 1] != '-')
				buf_addc(out, '-');
			buf_addc(out, (char)(c - 'A' + 'a'));
		} else {
			buf_addc(out, c);
		}
	}
}
