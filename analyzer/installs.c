/* SPDX-License-Identifier: MIT */
/* installs.c - Windows Installer installs and auto-upgrade results.
 *
 * An install is one logging session of an MSI log: its product, version,
 * outcome from the status Windows Installer reported, and the first action
 * that returned 3 with the custom action's error code and the "Error NNNNN"
 * message written inside it. The wizard trace that ran the install names
 * its log ("Log file: '...'"), which links the two; when the log is not in
 * the case, the MSI lines the wizard copied into its exception still give
 * the error, and the missing log is named so that it can be collected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/analyzer.h"
#include "analyzer/clock.h"
#include "common/timeutil.h"
#include "common/strview.h"
#include "common/xalloc.h"

/* Win32 codes msiexec returns ("MsiExec.exe and InstMsi.exe error messages"). */
const char *
msi_status_text(int64_t status)
{
	static const struct {
		int64_t code;
		const char *text;
	} codes[] = {
		{ 0, "success" },
		{ 1601, "the Windows Installer service could not be accessed" },
		{ 1602, "cancelled by the user" },
		{ 1603, "fatal error during installation" },
		{ 1605, "the product is not installed" },
		{ 1608, "unknown property" },
		{ 1612, "the installation source is not available" },
		{ 1618, "another installation is already in progress" },
		{ 1619, "the installation package could not be opened" },
		{ 1625, "prohibited by system policy" },
		{ 1633, "this platform is not supported by the package" },
		{ 1638, "another version of this product is already installed" },
		{ 1639, "invalid command line argument" },
		{ 1641, "succeeded; the installer started a restart" },
		{ 3010, "succeeded; a restart is required" },
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (codes[i].code == status)
			return codes[i].text;
	}
	return NULL;
}

const char *
autoupgrade_kind(const char *code)
{
	if (!code)
		return "other";
	if (strncasecmp(code, "UpgradeAborted", 14) == 0)
		return "aborted";
	if (strncasecmp(code, "UpgradeNotSupported", 19) == 0 ||
	    strcasecmp(code, "DirSyncInPlaceUpgradeNonLocalDb") == 0)
		return "not-supported";
	if (strncasecmp(code, "UpgradeFailed", 13) == 0 || strcasecmp(code, "PreUpgradeFailure") == 0)
		return "failed";
	if (strcasecmp(code, "Success") == 0 || strcasecmp(code, "UpgradeSucceeded") == 0)
		return "succeeded";
	return "other";
}

static const char *
outcome_of(int64_t status, int64_t failed_actions, bool footer)
{
	if (status == 0)
		return "succeeded";
	if (status == 3010 || status == 1641)
		return "succeeded-restart";
	if (status == 1602)
		return "cancelled";
	if (status > 0 || failed_actions > 0)
		return "failed";
	return footer ? "unknown" : "unknown-cut";
}

#define GROW(arr, n)                                                             \
	do {                                                                     \
		if (((n) & ((n) - 1)) == 0)                                      \
			(arr) = xrealloc((arr), ((n) ? (n) * 2 : 1) * sizeof(*(arr))); \
	} while (0)

static struct an_install *
new_install(struct analysis *a)
{
	struct an_install *in;

	GROW(a->installs, a->ninstalls);
	in = &a->installs[a->ninstalls++];
	memset(in, 0, sizeof(*in));
	in->status = in->ca_error = in->error_number = -1;
	return in;
}

static int
on_failed_action(void *ctx, const struct store_msi_action_row *r)
{
	struct an_install *in = ctx;

	if (r->return_value != 3)
		return 0;
	in->fail_action = xstrdup0(r->name);
	in->fail_time = xstrdup0(r->end_time);
	in->fail_local = xstrdup0(r->end_local);
	in->fail_line = r->end_line;
	in->fail_start_line = r->start_line ? r->start_line : r->end_line;
	in->ca_name = xstrdup0(r->ca_name);
	in->ca_error = r->ca_error;
	in->ca_line = r->ca_line;
	in->error_number = r->error_number;
	in->error_line = r->error_line;
	in->error_text = xstrdup0(r->error_text);
	return 1;
}

struct load {
	struct store *s;
	struct analysis *a;
	int rc;
};

static int
on_session(void *ctx, const struct store_msi_session_row *r)
{
	struct load *l = ctx;
	struct an_install *in = new_install(l->a);

	in->path = xstrdup0(r->path);
	in->name = xstrdup0(r->name);
	in->source_id = r->source_id;
	in->session = r->session;
	in->start_line = r->start_line;
	in->end_line = r->end_line;
	in->product = xstrdup0(r->product);
	in->version = xstrdup0(r->version);
	in->package = xstrdup0(r->package);
	in->result = xstrdup0(r->result);
	in->start = xstrdup0(r->start_time);
	in->end = xstrdup0(r->end_time);
	in->start_local = xstrdup0(r->start_local);
	in->end_local = xstrdup0(r->end_local);
	in->time_q = xstrdup0(r->time_q);
	/* Local times the case's clock converted (analyzer/clock.c): say with
	 * what offset. */
	if (r->time_q && strcmp(r->time_q, "local-derived") == 0 && r->has_offset) {
		in->offset = xmalloc(8);
		clock_offset_text(r->utc_offset, in->offset);
	}
	in->footer = r->footer;
	in->status = r->status >= 0 ? r->status : r->engine_return;
	in->outcome = outcome_of(in->status, r->failed_actions, r->footer);
	/* on_failed_action stops at the first: a positive return. */
	if (r->failed_actions &&
	    store_msi_actions(l->s, r->source_id, r->session, 3, on_failed_action, in) < 0)
		l->rc = STORE_ERROR;
	return l->rc != STORE_OK;
}


/* Context before the error: the last INSTALL_CONTEXT records, without the
 * engine's "Note: 1: 2205" noise. */
static int
on_context(void *ctx, const struct store_event_row *r)
{
	struct an_install *in = ctx;
	const char *nl;
	size_t n;

	if (!r->message || strstr(r->message, "]: Note: 1: "))
		return 0;
	if (in->ncontext == INSTALL_CONTEXT) {
		free(in->context[0].text);
		memmove(in->context, in->context + 1, (INSTALL_CONTEXT - 1) * sizeof(in->context[0]));
		in->ncontext--;
	}
	nl = strchr(r->message, '\n');
	n = nl ? (size_t)(nl - r->message) : strlen(r->message);
	in->context[in->ncontext].line = r->line;
	in->context[in->ncontext].text = xstrndup(r->message, n);
	in->ncontext++;
	return 0;
}

/* The trace's msi.log_path facts: link to the install whose log it names,
 * or remember the name for a trace-only install. */
struct trace_msi {
	int64_t source_id;
	char *path;		/* trace path */
	char *log_name;		/* unmatched log base name, or NULL */
	bool linked;		/* its log is in the case */
	char *product, *error_text, *ca_name, *fail_action, *time;
	int64_t error_number, ca_error, line;
};

struct traces {
	struct analysis *a;
	struct trace_msi *t;
	size_t n;
};

static struct trace_msi *
trace_of(struct traces *tr, const struct store_fact_row *r)
{
	struct trace_msi *t;

	for (size_t i = 0; i < tr->n; i++) {
		if (tr->t[i].source_id == r->source_id)
			return &tr->t[i];
	}
	GROW(tr->t, tr->n);
	t = &tr->t[tr->n++];
	memset(t, 0, sizeof(*t));
	t->source_id = r->source_id;
	t->path = xstrdup0(r->path);
	t->error_number = t->ca_error = -1;
	return t;
}

static bool
is_install_source(const struct analysis *a, int64_t source_id)
{
	for (size_t i = 0; i < a->ninstalls; i++) {
		if (a->installs[i].source_id == source_id)
			return true;
	}
	return false;
}

static int
on_log_path(void *ctx, const struct store_fact_row *r)
{
	struct traces *tr = ctx;
	const char *base = path_base(r->value);
	struct trace_msi *t;

	if (!r->value || is_install_source(tr->a, r->source_id))
		return 0;
	t = trace_of(tr, r);
	for (size_t i = 0; i < tr->a->ninstalls; i++) {
		struct an_install *in = &tr->a->installs[i];

		if (in->name && strcasecmp(in->name, base) == 0) {
			t->linked = true;
			if (in->trace_path)
				return 0;	/* the first line that names it: the install's start */
			in->trace_path = xstrdup0(r->path);
			in->trace_source = r->source_id;
			in->trace_line = r->line;
			return 0;
		}
	}
	free(t->log_name);
	t->log_name = xstrdup(base);
	return 0;
}

/* MSI facts the trace parser read from lines copied into exceptions. */
static int
on_trace_msi(void *ctx, const struct store_fact_row *r)
{
	struct traces *tr = ctx;
	struct trace_msi *t;

	if (is_install_source(tr->a, r->source_id) || !r->value)
		return 0;
	t = trace_of(tr, r);
	if (strcmp(r->name, "msi.product") == 0 && !t->product) {
		t->product = xstrdup(r->value);
	} else if (strcmp(r->name, "msi.error") == 0 && t->error_number < 0 && r->key) {
		t->error_number = atoll(r->key);
		t->error_text = xstrdup(r->value);
		if (!t->line) {
			t->line = r->line;
			t->time = xstrdup0(r->time);
		}
	} else if (strcmp(r->name, "msi.custom_action_error") == 0 && t->ca_error < 0 && r->key) {
		t->ca_name = xstrdup(r->key);
		t->ca_error = atoll(r->value);
		if (!t->line) {
			t->line = r->line;
			t->time = xstrdup0(r->time);
		}
	} else if (strcmp(r->name, "msi.action_failed") == 0 && !t->fail_action && r->key) {
		t->fail_action = xstrdup(r->key);
	}
	return 0;
}

static int
on_autoupgrade(void *ctx, const struct store_fact_row *r)
{
	struct analysis *a = ctx;
	struct an_autoupgrade *u;

	GROW(a->autoupgrades, a->nautoupgrades);
	u = &a->autoupgrades[a->nautoupgrades++];
	u->code = xstrdup0(r->value);
	u->path = xstrdup0(r->path);
	u->time = xstrdup0(r->time);
	u->line = r->line;
	u->source_id = r->source_id;
	u->kind = autoupgrade_kind(r->value);
	return 0;
}

/* Products that are part of an Entra Connect installation or upgrade: the
 * wizard, the sync engine and what the wizard installs with it
 * (FORMATS-AND-SIGNATURES.md b, f). Matched case-insensitively anywhere in
 * the ProductName. An install log of any other product that no wizard trace
 * ran is another product's: read and listed, no finding of ours. */
static const char *const entra_products[] = {
	"Azure AD Connect", "Azure Active Directory Connect", "Entra Connect", "Azure AD Sync",
	"Synchronization Service", "Directory Sync", "DirSync", "Sign-in Assistant", "LocalDB",
	"Azure AD Connect Health", "Connect Health agent", "ODBC Driver", "OLE DB Driver",
	"Command Line Utilities", "Forefront Identity Manager",
};

static bool
entra_product(const char *product)
{
	for (size_t i = 0; product && i < sizeof(entra_products) / sizeof(entra_products[0]); i++) {
		if (sv_ifind(sv_cstr(product), entra_products[i]) >= 0)
			return true;
	}
	return false;
}

int
installs_load(struct store *s, struct analysis *a)
{
	struct load l = { s, a, STORE_OK };
	struct traces tr = { a, NULL, 0 };
	static const char *const msi_names[] = { "msi.product", "msi.error", "msi.custom_action_error",
						 "msi.action_failed" };
	int rc = STORE_OK;

	if (store_msi_sessions(s, on_session, &l) != STORE_OK || l.rc != STORE_OK)
		return STORE_ERROR;
	if (store_facts(s, "msi.log_path", on_log_path, &tr) != STORE_OK)
		rc = STORE_ERROR;
	for (size_t i = 0; rc == STORE_OK && i < sizeof(msi_names) / sizeof(msi_names[0]); i++) {
		if (store_facts(s, msi_names[i], on_trace_msi, &tr) != STORE_OK)
			rc = STORE_ERROR;
	}
	for (size_t i = 0; rc == STORE_OK && i < a->ninstalls; i++) {
		struct an_install *in = &a->installs[i];
		int64_t at = in->error_line ? in->error_line : in->fail_line;

		if (in->path && at &&
		    store_events_before(s, in->source_id, at, 3 * INSTALL_CONTEXT, on_context, in) < 0)
			rc = STORE_ERROR;
	}
	for (size_t i = 0; i < tr.n; i++) {
		struct trace_msi *t = &tr.t[i];

		/* The wizard's copy of the MSI error, next to the log it names. */
		for (size_t k = 0; t->linked && t->line && k < a->ninstalls; k++) {
			if (a->installs[k].trace_source == t->source_id && !a->installs[k].trace_error_line)
				a->installs[k].trace_error_line = t->line;
		}
		/* A failure known only from the trace: its log is not in the case. */
		if (rc == STORE_OK && !t->linked && (t->error_number >= 0 || t->ca_error >= 0)) {
			struct an_install *in = new_install(a);

			in->product = t->product, t->product = NULL;
			in->error_text = t->error_text, t->error_text = NULL;
			in->error_number = t->error_number;
			in->ca_name = t->ca_name, t->ca_name = NULL;
			in->ca_error = t->ca_error;
			in->fail_action = t->fail_action, t->fail_action = NULL;
			in->fail_time = t->time, t->time = NULL;
			in->trace_path = t->path, t->path = NULL;
			in->trace_source = t->source_id;
			in->trace_line = t->line;
			in->missing_log = t->log_name, t->log_name = NULL;
			in->outcome = "failed";
		}
		free(t->path), free(t->log_name), free(t->product), free(t->error_text);
		free(t->ca_name), free(t->fail_action), free(t->time);
	}
	free(tr.t);
	/* Unknown product names stay ours: a log without one is not enough to
	 * set it aside. */
	for (size_t i = 0; i < a->ninstalls; i++) {
		struct an_install *in = &a->installs[i];

		in->other_product = in->path && in->product && !in->trace_source && !entra_product(in->product);
	}
	if (rc == STORE_OK && store_facts(s, "autoupgrade.result", on_autoupgrade, a) != STORE_OK)
		rc = STORE_ERROR;
	return rc;
}

void
installs_release(struct analysis *a)
{
	for (size_t i = 0; i < a->ninstalls; i++) {
		struct an_install *in = &a->installs[i];

		free(in->path), free(in->name), free(in->product), free(in->version);
		free(in->package), free(in->result), free(in->start), free(in->end);
		free(in->start_local), free(in->end_local), free(in->time_q);
		free(in->fail_action), free(in->fail_time), free(in->fail_local);
		free(in->ca_name), free(in->error_text), free(in->trace_path), free(in->missing_log);
		free(in->offset);
		for (size_t k = 0; k < in->ncontext; k++)
			free(in->context[k].text);
	}
	free(a->installs);
	for (size_t i = 0; i < a->nautoupgrades; i++) {
		free(a->autoupgrades[i].code), free(a->autoupgrades[i].path);
		free(a->autoupgrades[i].time);
	}
	free(a->autoupgrades);
	a->installs = NULL;
	a->autoupgrades = NULL;
	a->ninstalls = a->nautoupgrades = 0;
}

/* ---- findings ----------------------------------------------------------- */

static const char *
first_line_copy(const char *s, char *out, size_t n)
{
	size_t k = 0;

	while (s && s[k] && s[k] != '\n' && k + 1 < n) {
		out[k] = s[k];
		k++;
	}
	out[k] = '\0';
	return out;
}

static int
install_finding(struct store *s, const struct an_install *in)
{
	struct store_finding f = { 0 };
	char title[512], summary[2048], fix[1024], err[600], status[128] = "";
	const char *product = in->product ? in->product : "the product";
	const char *meaning = in->status >= 0 ? msi_status_text(in->status) : NULL;
	size_t n = 0;
	int64_t id;

	if (in->status > 0)
		snprintf(status, sizeof(status), ", status %lld%s%s%s", (long long)in->status,
			 meaning ? " (" : "", meaning ? meaning : "", meaning ? ")" : "");
	snprintf(title, sizeof(title), "Windows Installer failed to install %s%s%s%s", product,
		 in->version ? " " : "", in->version ? in->version : "", status);
	summary[0] = '\0';
	if (in->fail_action)
		n += (size_t)snprintf(summary + n, sizeof(summary) - n,
				      "first failing action %s returned 3", in->fail_action);
	else if (in->path)
		n += (size_t)snprintf(summary + n, sizeof(summary) - n, "no action is recorded as failing");
	if (in->ca_name && n < sizeof(summary))
		n += (size_t)snprintf(summary + n, sizeof(summary) - n,
				      "%scustom action %s returned error code %lld", n ? "; " : "",
				      in->ca_name, (long long)in->ca_error);
	if (in->error_number >= 0 && n < sizeof(summary))
		n += (size_t)snprintf(summary + n, sizeof(summary) - n, "%sError %lld: %s",
				      n ? "; " : "", (long long)in->error_number,
				      first_line_copy(in->error_text, err, sizeof(err)));
	if (in->missing_log && n < sizeof(summary))
		snprintf(summary + n, sizeof(summary) - n,
			 " (seen in the wizard trace; its MSI log %s is not in the case)", in->missing_log);
	if (in->missing_log)
		snprintf(fix, sizeof(fix),
			 "Collect %%ProgramData%%\\AADConnect\\%s from the server: the lines before the "
			 "Error message name the cause. Fix it and run the wizard again (Windows Installer "
			 "rolled the installation back).", in->missing_log);
	else
		snprintf(fix, sizeof(fix),
			 "Read the log from the line before the Error message up to the action that "
			 "returned 3: the custom action's own lines name the cause. Fix it and run the "
			 "wizard again (Windows Installer rolled the installation back).");
	f.rule = "msi-failed";
	f.title = title;
	f.severity = "error";
	f.confidence = in->path ? "high" : "medium";
	f.summary = summary;
	f.remediation = fix;
	f.time = in->fail_time ? in->fail_time : in->end;
	id = store_add_finding(s, &f);
	if (id < 0)
		return STORE_ERROR;
	if (in->path) {
		if ((in->error_line && store_add_evidence(s, id, in->source_id, 0, in->error_line,
							  "the Error message") != STORE_OK) ||
		    (in->ca_line && store_add_evidence(s, id, in->source_id, 0, in->ca_line,
						       "the custom action's error code") != STORE_OK) ||
		    (in->fail_line && store_add_evidence(s, id, in->source_id, 0, in->fail_line,
							 "the first action that returned 3") != STORE_OK))
			return STORE_ERROR;
	}
	if (in->trace_path && (in->trace_error_line || in->trace_line) &&
	    store_add_evidence(s, id, in->trace_source, 0,
			       in->trace_error_line ? in->trace_error_line : in->trace_line,
			       in->trace_error_line || !in->path ? "the wizard's copy of the MSI lines"
								 : "the wizard trace that ran it") != STORE_OK)
		return STORE_ERROR;
	return STORE_OK;
}

/* Another product's install failed: shown as such, as information. */
static int
other_install_finding(struct store *s, const struct an_install *in)
{
	struct store_finding f = { 0 };
	char title[512], summary[512];
	int64_t id;

	snprintf(title, sizeof(title), "Windows Installer failed to install %s%s%s (not part of Entra Connect)",
		 in->product, in->version ? " " : "", in->version ? in->version : "");
	snprintf(summary, sizeof(summary),
		 "status %lld%s%s; no wizard trace of the case ran it, so nothing of the Entra Connect "
		 "diagnosis rests on this log",
		 (long long)in->status, in->fail_action ? ", first failing action " : "",
		 in->fail_action ? in->fail_action : "");
	f.rule = "other-product-install-failed";
	f.title = title;
	f.severity = "info";
	f.confidence = "high";
	f.summary = summary;
	f.remediation = "Nothing to do for Entra Connect. If the failed install matters, its log names the "
			"cause from the line before its first action that returned 3.";
	f.time = in->fail_time ? in->fail_time : in->end;
	id = store_add_finding(s, &f);
	if (id < 0)
		return STORE_ERROR;
	if (in->fail_line && store_add_evidence(s, id, in->source_id, 0, in->fail_line,
						"the first action that returned 3") != STORE_OK)
		return STORE_ERROR;
	return STORE_OK;
}

/* A fired signature names rule among the findings it explains. */
static bool
explained(const struct analysis *a, const char *rule)
{
	for (size_t i = 0; i < a->nexplained; i++) {
		if (a->explained[i] && strcmp(a->explained[i], rule) == 0)
			return true;
	}
	return false;
}

/* Episodes for every install and auto-upgrade result; an msi-failed
 * finding for a failed install unless a signature that fired explains it
 * (it names the cause; the install is its evidence). Runs after the
 * signature scan, which fills a->explained. */
int
installs_analyze(struct store *s, const struct analysis *a)
{
	char label[512];
	bool quiet = explained(a, "msi-failed");

	for (size_t i = 0; i < a->ninstalls; i++) {
		const struct an_install *in = &a->installs[i];
		struct store_episode e = { 0 };

		snprintf(label, sizeof(label), "%s%s%s", in->product ? in->product : "MSI install",
			 in->version ? " " : "", in->version ? in->version : "");
		e.kind = "msi-install";
		e.source_id = in->path ? in->source_id : in->trace_source;
		e.label = label;
		e.start_time = in->start;
		e.end_time = in->end ? in->end : in->fail_time;
		e.time_q = in->time_q;
		e.outcome = in->outcome;
		e.errors = in->fail_action || in->error_number >= 0 ? 1 : 0;
		if (store_add_episode(s, &e) != STORE_OK)
			return STORE_ERROR;
		if (strcmp(in->outcome, "failed") == 0 && in->other_product) {
			if (other_install_finding(s, in) != STORE_OK)
				return STORE_ERROR;
		} else if (!quiet && strcmp(in->outcome, "failed") == 0 && install_finding(s, in) != STORE_OK) {
			return STORE_ERROR;
		}
	}
	for (size_t i = 0; i < a->nautoupgrades; i++) {
		const struct an_autoupgrade *u = &a->autoupgrades[i];
		struct store_episode e = { 0 };

		e.kind = "auto-upgrade";
		e.source_id = u->source_id;
		e.label = u->code;
		e.start_time = u->time;
		e.end_time = u->time;
		e.outcome = u->kind;
		if (store_add_episode(s, &e) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}
