/* SPDX-License-Identifier: MIT */
/* synccheck.c - sync-not-resumed: the connectors that did not fully resume
 * after the last upgrade attempt (not-resumed, resumed-without-export), and
 * why, from what the case holds: the ADSync service not running (Service
 * Control Manager events, ADSync 2005/6226), the scheduler suspended
 * (Microsoft.Synchronize.SchedulerSuspended True), runs stopped by a
 * connectivity or credential error, exports that fail. The first cause
 * found leads the title and its fix the remediation; the evidence cites the
 * settings line, the event or the run. */
#include "analyzer/checks_int.h"

#define LEARN "https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/"

bool
setting_true(const struct setting *s)
{
	return s->value && !strcasecmp(s->value, "True");
}

/* Synchronization came back: with everything (resumed), with errors, or
 * with the exports a staging server holds. */
bool
resumed_fully(const char *v)
{
	return v && (!strcmp(v, "resumed") || !strcmp(v, "resumed-with-errors") || !strcmp(v, "resumed-staging"));
}

static bool
stuck(const struct cverdict *v)
{
	return !strcmp(v->verdict, "not-resumed") || !strcmp(v->verdict, "resumed-without-export");
}

/* A run stopped by the connection to its directory or its credentials:
 * the result (stopped-connectivity, stopped-server-down, no-start-connection,
 * stopped-bad-server-credentials, no-start-credentials; FORMATS-AND-
 * SIGNATURES.md e.4) or the step's connection-result (failed-search,
 * failed-connection, dropped-connection). 2: credentials, 1: connectivity. */
static int
run_connection_stop(const struct runrec *r)
{
	struct sv res = sv_cstr(r->result ? r->result : "");

	if (r->rclass == RC_OK)
		return 0;
	if (sv_ifind(res, "credentials") >= 0)
		return 2;
	if (sv_ifind(res, "connectivity") >= 0 || sv_ifind(res, "server-down") >= 0 ||
	    sv_ifind(res, "no-start-connection") >= 0)
		return 1;
	if (r->conn && (!strncasecmp(r->conn, "failed-", 7) || !strcasecmp(r->conn, "dropped-connection")))
		return 1;
	return 0;
}

static bool
after_end(int64_t ms, int64_t end)
{
	return end == UNKNOWN_MS || ms == UNKNOWN_MS || ms >= end;
}

struct cause {
	const char *id;		/* the finding's captures.cause */
	char what[320];		/* for the title */
	char why[768];		/* for the summary */
	const char *fix;
};

static const char fix_service[] =
	"Start the sync service and keep it running: Start-Service ADSync (services.msc: Microsoft Azure AD "
	"Sync), then read why it stopped in the Service Control Manager event it logged: 7038 (logon failure) "
	"means the ADSync service account's password or logon right, 7000/7009 the start error it gives, "
	"7031/7034 a crash (read the Application log's ADSync errors at that time).";
static const char fix_database[] =
	"The sync service could not open its database (ADSync 2005/6226, 0x8023044a): make sure the LocalDB "
	"or SQL Server instance of the ADSync database runs and the ADSync service account can log on to it, "
	"then Restart-Service ADSync.";
static const char fix_suspended[] =
	"Resume the scheduler the upgrade left suspended: close any Microsoft Entra Connect wizard that is "
	"still open (the wizard suspends the scheduler while it runs), then check Get-ADSyncScheduler; if "
	"SchedulerSuspended is still True, run Set-ADSyncScheduler -SchedulerSuspended $false (the scheduler "
	"article reserves this property to Connect itself, so prefer running the wizard again and closing it "
	"with Exit if the command is not wanted).";
static const char fix_connect[] =
	"Restore the connector's connection to its directory: check that a domain controller (AD connector) "
	"or Microsoft Entra ID (AAD connector, through the proxy and TLS 1.2) is reachable from the server, "
	"and the connection-result and error code of the stopped run in Synchronization Service Manager > "
	"Operations.";
static const char fix_credentials[] =
	"Give the connector valid credentials: in Synchronization Service Manager > Connectors > the "
	"connector > Properties > Connect to ... set the connector account's current password (or run the "
	"wizard's Manage connectors / Change user sign-in for the AAD connector), then run the connector "
	"again.";
static const char fix_export[] =
	"Open the failed or erroneous Export run in Synchronization Service Manager > Operations, read each "
	"export error (and its object), fix the objects or permissions it names, and run the Export again.";
static const char fix_no_export[] =
	"Run an export: Start-ADSyncSyncCycle -PolicyType Delta runs the import, synchronization and export "
	"of every connector; if the Export run profile never runs, check Get-ADSyncScheduler "
	"(SyncCycleEnabled, StagingModeEnabled) and turn the cycle on with Set-ADSyncScheduler "
	"-SyncCycleEnabled $true.";
static const char fix_generic[] =
	"Open the Synchronization Service Manager > Operations and look at the first failing step of the "
	"connector. Check the scheduler with Get-ADSyncScheduler (SyncCycleEnabled, SchedulerSuspended); "
	"turn the cycle on with Set-ADSyncScheduler -SyncCycleEnabled $true, start a cycle with "
	"Start-ADSyncSyncCycle -PolicyType Delta, then check that a Delta Import, a Delta Synchronization and "
	"an Export of every connector end with success.";

/* The causes, most fundamental first: the service, the scheduler, the
 * connectors' connections, the exports. */
struct causes {
	struct cause c[6];
	size_t n;
	struct ref ev[16];
	const char *evnote[16];
	size_t nev;
};

static struct cause *
cause_add(struct causes *k, const char *id, const char *fix)
{
	struct cause *x = &k->c[k->n++];

	memset(x, 0, sizeof(*x));
	x->id = id;
	x->fix = fix;
	return x;
}

static void
cause_ev(struct causes *k, int64_t source_id, int64_t event_id, int64_t line, const char *time, const char *note)
{
	if (k->nev < sizeof(k->ev) / sizeof(k->ev[0])) {
		k->ev[k->nev] = (struct ref){ source_id, event_id, line, time };
		k->evnote[k->nev++] = note;
	}
}

static void
find_causes(struct ctx *c, int64_t end, struct causes *k)
{
	const struct scmevent *scm = NULL;
	const struct svcfail *db = NULL;
	const struct runrec *conn = NULL, *cred = NULL, *exp = NULL;
	bool no_export = false;
	char w[40];

	for (size_t i = 0; i < c->nscm; i++) {
		if (!after_end(c->scm[i].ms, end))
			continue;
		scm = scm ? scm : &c->scm[i];
		cause_ev(k, c->scm[i].source_id, c->scm[i].event_id, c->scm[i].line, c->scm[i].time,
			 "Service Control Manager: the ADSync service");
	}
	if (scm) {
		struct cause *x = cause_add(k, "service-stopped", fix_service);

		snprintf(x->what, sizeof(x->what), "the ADSync service did not run (Service Control Manager %lld)",
			 (long long)scm->id);
		snprintf(x->why, sizeof(x->why), "Service Control Manager %lld at %s: %.400s", (long long)scm->id,
			 when(scm->ms, w), scm->message ? scm->message : "(no message)");
	}
	for (size_t i = 0; i < c->nsvc; i++) {
		if (c->svc[i].ms != UNKNOWN_MS && end != UNKNOWN_MS && c->svc[i].ms >= end) {
			db = &c->svc[i];
			break;
		}
	}
	if (db) {
		struct cause *x = cause_add(k, "service-database", fix_database);

		snprintf(x->what, sizeof(x->what), "the sync service could not open its database (ADSync %lld)",
			 (long long)db->id);
		snprintf(x->why, sizeof(x->why), "ADSync %lld at %s: the sync service could not open its database",
			 (long long)db->id, when(db->ms, w));
		cause_ev(k, db->source_id, db->event_id, db->line, db->time, "the sync service could not open its database");
	}
	if (setting_true(&c->suspended) && after_end(c->suspended.ms, end)) {
		struct cause *x = cause_add(k, "scheduler-suspended", fix_suspended);

		snprintf(x->what, sizeof(x->what), "the scheduler is suspended");
		snprintf(x->why, sizeof(x->why),
			 "Get-ADSyncGlobalSettings reads Microsoft.Synchronize.SchedulerSuspended True (%s:%lld, %s): "
			 "the scheduler starts no sync cycle, so only runs started by hand ran",
			 path_base(c->suspended.path ? c->suspended.path : "?"), (long long)c->suspended.line,
			 c->suspended.time ? c->suspended.time : "read after the upgrade");
		cause_ev(k, c->suspended.source_id, c->suspended.event_id, c->suspended.line, c->suspended.time,
			 "Microsoft.Synchronize.SchedulerSuspended True");
	}
	for (size_t i = 0; i < c->nruns; i++) {
		const struct runrec *r = &c->runs[i];
		bool mine = false;
		int why;

		if (r->start_ms == UNKNOWN_MS || (end != UNKNOWN_MS && r->start_ms < end))
			continue;
		for (size_t j = 0; j < c->ncv; j++)
			mine |= stuck(&c->cv[j]) && !strcmp(c->cv[j].name, r->connector);
		if (!mine)
			continue;
		why = run_connection_stop(r);
		if (why == 2 && !cred)
			cred = r;
		else if (why == 1 && !conn)
			conn = r;
		if ((r->kinds & K_EXPORT) && r->rclass != RC_OK && !exp)
			exp = r;
	}
	for (size_t j = 0; j < c->ncv; j++)
		no_export |= !strcmp(c->cv[j].verdict, "resumed-without-export");
	if (cred || conn) {
		const struct runrec *r = cred ? cred : conn;
		struct cause *x = cause_add(k, cred ? "connector-credentials" : "connector-connectivity",
					    cred ? fix_credentials : fix_connect);

		snprintf(x->what, sizeof(x->what), "%s of %.120s stopped on its %s (%.60s)",
			 r->profile ? r->profile : "a run", r->connector, cred ? "credentials" : "connection",
			 r->result ? r->result : "?");
		snprintf(x->why, sizeof(x->why), "%s of %s at %s ended %s%s%s", r->profile ? r->profile : "a run",
			 r->connector, when(r->start_ms, w), r->result ? r->result : "?",
			 r->conn ? ", connection-result " : "", r->conn ? r->conn : "");
		cause_ev(k, r->source_id, 0, r->line, r->start, cred ? "the run stopped on its credentials"
								       : "the run stopped on its connection");
	}
	if (exp && no_export) {
		struct cause *x = cause_add(k, "export-failed", fix_export);

		snprintf(x->what, sizeof(x->what), "the export of %.120s fails (%.60s)", exp->connector,
			 exp->result ? exp->result : "?");
		snprintf(x->why, sizeof(x->why), "%s of %s at %s ended %s", exp->profile ? exp->profile : "the export",
			 exp->connector, when(exp->start_ms, w), exp->result ? exp->result : "?");
		cause_ev(k, exp->source_id, 0, exp->line, exp->start, "the export that did not succeed");
	} else if (no_export && !k->n) {
		struct cause *x = cause_add(k, "no-export", fix_no_export);

		snprintf(x->what, sizeof(x->what), "no export ran");
		snprintf(x->why, sizeof(x->why),
			 "imports and synchronizations ran but no Export run is in the run history after the upgrade, "
			 "and the server is not known to be in staging mode (Microsoft.Synchronize.StagingMode %s)",
			 c->staging.value ? c->staging.value : "not in the case");
		if (c->staging.value)
			cause_ev(k, c->staging.source_id, c->staging.event_id, c->staging.line, c->staging.time,
				 "Microsoft.Synchronize.StagingMode");
	}
}

/* sync-not-resumed: the connectors that did not fully resume after the last
 * attempt, and why. */
void
check_sync(struct ctx *c)
{
	char title[768], summary[4096], fix[4096];
	size_t nt = 0, ns = 0, nf = 0, nbad = 0, nexp = 0;
	bool events = false, mixed;
	struct store_finding f = { 0 };
	struct causes k = { 0 };
	cJSON *data;
	int64_t id, end;

	if (!c->nat)
		return;
	end = end_of(&c->at[c->nat - 1]);
	for (size_t i = 0; i < c->ncv; i++) {
		nbad += stuck(&c->cv[i]);
		nexp += !strcmp(c->cv[i].verdict, "resumed-without-export");
	}
	if (!nbad)
		return;
	mixed = nexp && nexp < nbad;
	nbad = 0;
	for (size_t i = 0; i < c->ncv; i++) {
		const struct cverdict *v = &c->cv[i];
		bool noexp = mixed && !strcmp(v->verdict, "resumed-without-export");

		if (!stuck(v))
			continue;
		events |= !strcmp(v->basis, "events");
		if (nt < sizeof(title))
			nt += (size_t)snprintf(title + nt, sizeof(title) - nt, "%s%s%s", nbad ? ", " : "", v->name,
					       noexp ? " (no export)" : "");
		if (ns < sizeof(summary))
			ns += (size_t)snprintf(summary + ns, sizeof(summary) - ns, "%s%s: %s.", nbad ? " " : "",
					       v->name, v->note ? v->note : "");
		nbad++;
	}
	find_causes(c, end, &k);
	{
		char head[sizeof(title)];

		snprintf(head, sizeof(head), "%s after the upgrade on %.300s%s%.300s",
			 nexp == nbad ? "Exports did not resume" : mixed ? "Synchronization did not fully resume"
								 : "Synchronization did not resume", title,
			 k.n ? ": " : "", k.n ? k.c[0].what : "");
		memcpy(title, head, sizeof(title));
	}
	for (size_t i = 0; i < k.n && ns < sizeof(summary); i++)
		ns += (size_t)snprintf(summary + ns, sizeof(summary) - ns, "%s%s%s", i ? "; " : " Why: ", k.c[i].why,
				       i + 1 == k.n ? "." : "");
	for (size_t i = 0; i < k.n && nf < sizeof(fix); i++)
		nf += (size_t)snprintf(fix + nf, sizeof(fix) - nf, "%s%s", i ? " " : "", k.c[i].fix);
	if (nf < sizeof(fix))
		snprintf(fix + nf, sizeof(fix) - nf, "%s%s", nf ? " Then open" : "Open",
			 fix_generic + strlen("Open"));
	f.rule = "sync-not-resumed";
	f.title = title;
	f.severity = "error";
	f.confidence = events ? "medium" : "high";
	f.summary = summary;
	f.remediation = fix;
	f.time = c->at[c->nat - 1].ended;
	data = cJSON_CreateObject();
	if (k.n) {
		cJSON *caps = cJSON_AddObjectToObject(data, "captures");

		cJSON_AddStringToObject(caps, "cause", k.c[0].id);
	}
	id = add_finding(c, &f, data,
			 (const char *const[]){ LEARN "how-to-connect-sync-feature-scheduler",
						LEARN "how-to-connect-sync-service-manager-ui-operations", NULL });
	for (size_t i = 0; i < k.nev; i++)
		add_evidence(c, id, k.ev[i].source_id, k.ev[i].event_id, k.ev[i].line, k.evnote[i]);
	for (size_t i = 0; i < c->ncv; i++) {
		const struct cverdict *v = &c->cv[i];

		if (!stuck(v))
			continue;
		for (size_t j = 0; j < v->nlast; j++)
			add_evidence(c, id, v->last[j].source_id, v->last[j].event_id, v->last[j].line,
				     "a run of the connector after the upgrade");
		if (!v->nlast)
			add_evidence(c, id, v->at.source_id, v->at.event_id, v->at.line, "the connector's last run");
	}
}
