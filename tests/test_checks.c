/* SPDX-License-Identifier: MIT */
/* test_checks.c - the checks in code (analyzer/checks.c): upgrade
 * reconstruction and phases, the sync-resumed verdict, the version checks,
 * missing evidence, and msi-failed giving way to a signature. Each test
 * builds a small case through the store API, runs the analysis and reads
 * it back as the reports do. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "support/testutil.h"

static char dbpath[4200];
static struct store *S;
static uint64_t nsources;

static void
setup(void)
{
	const char *dir = test_tmpdir("checks");
	char *err = NULL;

	cr_assert(dir);
	snprintf(dbpath, sizeof(dbpath), "%s/case.db", dir);
	cr_assert_eq(store_open(dbpath, STORE_RW, &S, &err), STORE_OK, "%s", err ? err : "");
	nsources = 0;
}

static void
teardown(void)
{
	store_close(S);
}

/* ---- building a case ------------------------------------------------------ */

static const char *current_path;

static void
begin(const char *path, const char *format)
{
	const char *base = strrchr(path, '/');
	struct store_source src = { path, base ? base + 1 : path, NULL, 0, 100, 0, format, "utf-8" };

	current_path = path;
	cr_assert_eq(store_begin_source(S, &src), STORE_OK, "%s", store_errmsg(S));
}

static void
commit(void)
{
	char sha[64];

	snprintf(sha, sizeof(sha), "sha-%llu", (unsigned long long)++nsources);
	cr_assert_eq(store_commit_source(S, sha, 100, NULL), STORE_OK, "%s", store_errmsg(S));
}

static int64_t
ms(const char *iso)
{
	int64_t t = iso_to_ms(iso);

	cr_assert_neq(t, INT64_MIN, "bad time %s", iso);
	return t;
}

/* An event; iso NULL: no time (a settings file, an About note). */
static void
event(uint64_t line, const char *iso, enum ec_level level, const char *provider, int64_t event_id,
      const char *msg)
{
	const struct ec_sink *k = store_sink(S);
	struct ec_event ev = { .line = line, .offset = line * 100, .time_ms = iso ? ms(iso) : 0,
			       .tod_ms = -1, .timeq = iso ? TQ_EXACT : TQ_NONE, .level = level,
			       .provider = sv_cstr(provider), .event_id = event_id,
			       .message = sv_cstr(msg) };

	cr_assert_eq(k->event(k->ctx, &ev), 0);
}

static void
fact(const char *name, const char *key, const char *value)
{
	const struct ec_sink *k = store_sink(S);
	struct ec_fact f = { sv_cstr(name), sv_cstr(key), sv_cstr(value), true };

	cr_assert_eq(k->fact(k->ctx, &f), 0);
}

#define T0 "2026-11-03T08:30:00.000Z"	/* the wizard run starts */
#define TEND "2026-11-03T08:33:30.000Z"	/* and ends */

enum ending { END_SUCCESS, END_FAILED, END_ERRORS, END_NONE };

/* A wizard trace from T0 to TEND that finds engine `from` and upgrades it
 * to `to`; moved: it left the Welcome page. */
static void
trace(const char *path, const char *from, const char *to, bool moved, enum ending how)
{
	char msg[512];

	begin(path, "trace");
	snprintf(msg, sizeof(msg), "Application Version: %s", to);
	event(9, "2026-11-03T08:30:00.000Z", LVL_INFO, NULL, -1, msg);
	fact("wizard.version", NULL, to);
	snprintf(msg, sizeof(msg),
		 "Package=Microsoft Azure AD Connect synchronization services, Version=%s, ProductCode=x, "
		 "UpgradeCode=545334d7-13cd-4bab-8da1-2775fa8cf7c2",
		 from);
	event(47, "2026-11-03T08:30:03.000Z", LVL_VERBOSE, NULL, -1, msg);
	fact("engine.installed_version", NULL, from);
	snprintf(msg, sizeof(msg),
		 "AzureADSyncEngineComponent: Product Azure AD Sync Engine (version %s) is installed, needs to be "
		 "upgraded to version %s.",
		 from, to);
	event(49, "2026-11-03T08:30:03.100Z", LVL_INFO, NULL, -1, msg);
	fact("upgrade.from", "Azure AD Sync Engine", from);
	fact("upgrade.to", "Azure AD Sync Engine", to);
	if (moved)
		event(77, "2026-11-03T08:30:10.000Z", LVL_INFO, NULL, -1,
		      "Page transition from \"Welcome\" [WelcomePageViewModel] to \"Connect to Azure AD\" "
		      "[AzureTenantPageViewModel]");
	if (how == END_SUCCESS)
		event(119, "2026-11-03T08:33:00.000Z", LVL_INFO, NULL, -1,
		      "PerformConfigurationPageViewModel.PerformWorkflowInstallationAndUpdateState: result of "
		      "installation operations - Success");
	else if (how == END_FAILED)
		event(119, "2026-11-03T08:33:00.000Z", LVL_INFO, NULL, -1,
		      "PerformConfigurationPageViewModel.PerformWorkflowInstallationAndUpdateState: result of "
		      "installation operations - Failed");
	else if (how == END_ERRORS)
		event(90, "2026-11-03T08:31:00.000Z", LVL_ERROR, NULL, -1,
		      "AzureTenantPage: Unable to validate credentials due to an unexpected error.");
	event(123, TEND, LVL_INFO, NULL, -1, "Opened log file at path C:\\ProgramData\\AADConnect\\trace.log");
	commit();
}

static void
config_export(const char *path, const char *when, const char *version)
{
	begin(path, "configexport");
	event(2, NULL, LVL_NONE, "configexport", -1, "policyMetadata");
	fact("config.export_time", NULL, when);
	fact("config.exported_from_version", NULL, version);
	commit();
}

static void
settings(const char *path, const char *scv)
{
	char msg[200];

	begin(path, "adsyncsettings");
	snprintf(msg, sizeof(msg), "Microsoft.Synchronize.ServerConfigurationVersion = %s", scv);
	event(41, NULL, LVL_NONE, "Get-ADSyncGlobalSettings", -1, msg);
	fact("settings.server_configuration_version", NULL, scv);
	commit();
}

static void
about(const char *path, const char *version)
{
	char msg[200];

	begin(path, "aboutversion");
	snprintf(msg, sizeof(msg), "Help > About: Version %s", version);
	event(2, NULL, LVL_NONE, "Help > About", -1, msg);
	fact("gui.version", NULL, version);
	commit();
}

/* One run with one step of step_class. */
static void
run(uint64_t line, const char *connector, const char *profile, const char *step_class, const char *result,
    const char *result_class, const char *start, const char *end)
{
	const struct ec_sink *k = store_sink(S);
	struct ec_time t1 = { ms(start), -1, TQ_EXACT }, t2 = { ms(end), -1, TQ_EXACT };
	struct ec_run_step step = { .step_number = 1, .step_type = sv_cstr(step_class), .step_class = step_class,
				    .result = sv_cstr(result), .result_class = result_class, .start = t1,
				    .end = t2, .error_count = 0 };
	struct ec_run r = { .line = line, .connector = sv_cstr(connector), .profile = sv_cstr(profile),
			    .run_number = (int64_t)line, .result = sv_cstr(result),
			    .result_class = result_class, .start = t1, .end = t2, .steps = &step, .nsteps = 1 };

	cr_assert_eq(k->run(k->ctx, &r), 0);
}

/* A successful cycle of one connector: import at start, export 2 min later. */
static void
cycle(uint64_t line, const char *connector, const char *import_start, const char *import_end,
      const char *export_start, const char *export_end)
{
	run(line, connector, "Delta Import", "delta-import", "success", "success", import_start, import_end);
	run(line + 20, connector, "Export", "export", "success", "success", export_start, export_end);
}

/* Runs of contoso.com before the upgrade only. */
static void
runs_before(void)
{
	cycle(3, "contoso.com", "2026-11-03T07:55:04.000Z", "2026-11-03T07:55:11.000Z", "2026-11-03T07:55:55.000Z",
	      "2026-11-03T07:56:02.000Z");
}

/* ---- running and reading back --------------------------------------------- */

static struct analysis A;

static void
analyse(void)
{
	cr_assert_eq(analyzer_run(S, NULL), STORE_OK, "%s", store_errmsg(S));
	cr_assert_eq(analysis_load(S, &A), STORE_OK, "%s", store_errmsg(S));
}

static void
release(void)
{
	analysis_release(&A);
}

static const struct an_finding *
finding(const char *rule)
{
	for (size_t i = 0; i < A.nfindings; i++) {
		if (!strcmp(A.findings[i].rule, rule))
			return &A.findings[i];
	}
	return NULL;
}

static const struct an_sync *
sync_of(const char *connector)
{
	for (size_t i = 0; i < A.nsyncs; i++) {
		if (!strcmp(A.syncs[i].connector, connector))
			return &A.syncs[i];
	}
	cr_assert_fail("no sync verdict for %s", connector);
	return NULL;
}

static const struct an_missing *
missing_q(const char *question_start)
{
	for (size_t i = 0; i < A.nmissing; i++) {
		if (!strncmp(A.missing[i].question, question_start, strlen(question_start)))
			return &A.missing[i];
	}
	return NULL;
}

static const struct an_phase *
phase(const char *name)
{
	cr_assert_geq(A.nupgrades, 1);
	for (int k = 0; k < PHASES; k++) {
		if (!strcmp(phase_names[k], name))
			return &A.upgrades[0].phases[k];
	}
	cr_assert_fail("no phase %s", name);
	return NULL;
}

/* ---- version_cmp ---------------------------------------------------------- */

Test(checks, version_cmp_numeric_parts)
{
	cr_assert_lt(version_cmp("2.2.8.0", "2.10.1.0"), 0);
	cr_assert_gt(version_cmp("2.6.91.0", "2.6.84.0"), 0);
	cr_assert_gt(version_cmp("10.0", "9.9.9.9"), 0);
	cr_assert_eq(version_cmp("2.5.79.0", "2.5.79.0"), 0);
	cr_assert_lt(version_cmp("1.6.16.0", "2"), 0);
}

Test(checks, version_cmp_missing_parts_leading_zeros_and_suffixes)
{
	cr_assert_eq(version_cmp("2.2.8", "2.2.8.0"), 0);
	cr_assert_eq(version_cmp("2.05", "2.5"), 0);
	/* 1.0.x wizards write a build stamp after the version */
	cr_assert_eq(version_cmp("1.0.0.0-1446499270", "1.0.0.0"), 0);
	cr_assert_lt(version_cmp("1.0.0.0-1446499270", "1.0.0.1"), 0);
}

/* ---- upgrade attempts and phases ------------------------------------------ */

Test(checks, succeeded_upgrade_with_runs_after_resumes, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/runhistory.xml", "runxml");
	runs_before();
	cycle(43, "contoso.com", "2026-11-03T08:36:10.000Z", "2026-11-03T08:36:17.000Z", "2026-11-03T08:38:08.000Z",
	      "2026-11-03T08:38:16.000Z");
	commit();
	analyse();

	cr_assert_eq(A.nupgrades, 1);
	cr_assert_str_eq(A.upgrades[0].from, "2.5.79.0");
	cr_assert_str_eq(A.upgrades[0].to, "2.6.91.0");
	cr_assert_str_eq(A.upgrades[0].outcome, "succeeded");
	cr_assert_str_eq(A.upgrades[0].started, T0);
	cr_assert_str_eq(A.upgrades[0].ended, TEND);
	cr_assert_eq(A.upgrades[0].line, 49);
	/* paused from the last run before the start to the first good run after */
	cr_assert_str_eq(A.upgrades[0].pause_start, "2026-11-03T07:55:55.000Z");
	cr_assert_str_eq(A.upgrades[0].pause_end, "2026-11-03T08:36:17.000Z");
	cr_assert_eq(A.upgrades[0].pause_seconds, 40 * 60 + 22);
	cr_assert_str_eq(phase("baseline")->state, "unknown");
	cr_assert_eq(phase("baseline")->line, 47, "the wizard's detection of the installed engine");
	cr_assert_str_eq(phase("backup")->state, "done");
	cr_assert(strstr(phase("backup")->path, "Exported-SynchronizationPolicy"));
	cr_assert_str_eq(phase("upgrade")->state, "done");
	cr_assert_eq(phase("upgrade")->line, 119);
	cr_assert_str_eq(phase("verify")->state, "unknown", "no version reading after the upgrade");

	cr_assert_eq(A.nsyncs, 1);
	cr_assert_str_eq(sync_of("contoso.com")->verdict, "resumed");
	cr_assert_str_eq(sync_of("contoso.com")->basis, "run-history");
	cr_assert_str_eq(sync_of("contoso.com")->import_time, "2026-11-03T08:36:10.000Z");
	cr_assert_str_eq(sync_of("contoso.com")->export_time, "2026-11-03T08:38:08.000Z");
	cr_assert_str_eq(sync_of("contoso.com")->resumed_time, "2026-11-03T08:38:16.000Z");
	cr_assert_eq(sync_of("contoso.com")->seconds_to_resume, 4 * 60 + 46);
	cr_assert_eq(sync_of("contoso.com")->runs_after, 2);
	cr_assert_str_eq(A.sync_verdict, "resumed");
	cr_assert_null(finding("sync-not-resumed"));
	cr_assert_null(finding("no-config-backup"));
	cr_assert_null(finding("unsupported-version"));
	cr_assert_not_null(missing_q("Which version runs now"));
	cr_assert_null(missing_q("Did synchronization resume"));
	/* the report's window is the attempt */
	cr_assert_str_eq(A.window_start, T0);
	cr_assert_str_eq(A.window_end, TEND);
	release();
}

Test(checks, run_history_ending_before_the_upgrade_is_unknown, .init = setup, .fini = teardown)
{
	const struct an_missing *m;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/runhistory-before-upgrade.xml", "runxml");
	runs_before();
	commit();
	analyse();

	cr_assert_str_eq(sync_of("contoso.com")->verdict, "unknown");
	cr_assert_eq(sync_of("contoso.com")->seconds_to_resume, -1);
	cr_assert_str_eq(A.sync_verdict, "unknown");
	cr_assert_null(finding("sync-not-resumed"));
	m = missing_q("Did synchronization resume");
	cr_assert_not_null(m);
	cr_assert(strstr(m->how, "Get-ADSyncRunProfileResult -NumberRequested"));
	release();
}

Test(checks, connector_failing_after_the_upgrade_is_not_resumed, .init = setup, .fini = teardown)
{
	const struct an_finding *f;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/runhistory.xml", "runxml");
	runs_before();
	run(61, "contoso.com", "Delta Import", "delta-import", "stopped-connectivity", "stopped",
	    "2026-11-03T08:36:10.000Z", "2026-11-03T08:36:40.000Z");
	cycle(81, "contoso.onmicrosoft.com - AAD", "2026-11-03T08:36:50.000Z", "2026-11-03T08:36:57.000Z",
	      "2026-11-03T08:37:10.000Z", "2026-11-03T08:37:17.000Z");
	commit();
	analyse();

	cr_assert_str_eq(sync_of("contoso.com")->verdict, "not-resumed");
	cr_assert_eq(sync_of("contoso.com")->failed_after, 1);
	cr_assert_str_eq(sync_of("contoso.onmicrosoft.com - AAD")->verdict, "resumed");
	cr_assert_str_eq(A.sync_verdict, "not-resumed", "the worst connector");
	f = finding("sync-not-resumed");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->severity, "error");
	cr_assert_str_eq(f->confidence, "high");
	cr_assert(strstr(f->title, "contoso.com"));
	cr_assert(!strstr(f->title, "AAD"));
	cr_assert_eq(f->nev, 1);
	cr_assert_eq(f->ev[0].line, 61, "the failed run");
	cr_assert_str_eq(phase("verify")->state, "failed");
	release();
}

Test(checks, errors_in_the_first_cycle_resume_with_errors, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/runhistory.xml", "runxml");
	runs_before();
	run(61, "contoso.com", "Full Import", "full-import", "success", "success", "2026-11-03T08:36:10.000Z",
	    "2026-11-03T08:36:17.000Z");
	run(62, "contoso.com", "Full Synchronization", "full-sync", "completed-sync-errors", "completed-errors",
	    "2026-11-03T08:36:20.000Z", "2026-11-03T08:37:00.000Z");
	run(63, "contoso.com", "Export", "export", "completed-no-objects", "completed-no-objects",
	    "2026-11-03T08:37:10.000Z", "2026-11-03T08:37:17.000Z");
	commit();
	analyse();

	cr_assert_str_eq(sync_of("contoso.com")->verdict, "resumed-with-errors");
	cr_assert_str_eq(A.sync_verdict, "resumed-with-errors");
	cr_assert_null(finding("sync-not-resumed"));
	release();
}

Test(checks, export_errors_resume_with_errors_even_after_a_good_sync, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/runhistory.xml", "runxml");
	runs_before();
	run(61, "contoso.com", "Delta Import", "delta-import", "success", "success", "2026-11-03T08:36:10.000Z",
	    "2026-11-03T08:36:17.000Z");
	run(62, "contoso.com", "Delta Synchronization", "delta-sync", "success", "success",
	    "2026-11-03T08:36:20.000Z", "2026-11-03T08:37:00.000Z");
	run(63, "contoso.com", "Export", "export", "completed-export-errors", "completed-errors",
	    "2026-11-03T08:37:10.000Z", "2026-11-03T08:37:17.000Z");
	commit();
	analyse();

	cr_assert_str_eq(sync_of("contoso.com")->verdict, "resumed-with-errors",
			 "a sync does not stand in for an export that ran");
	release();
}

Test(checks, failed_run_events_without_run_history, .init = setup, .fini = teardown)
{
	const struct an_finding *f;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/Application.xml", "evxml");
	event(1, "2026-11-03T08:40:00.000Z", LVL_ERROR, "ADSync", 6050,
	      "The management agent \"contoso.com\" failed on run profile \"Delta Import\" because of "
	      "connectivity issues.");
	commit();
	analyse();

	cr_assert_str_eq(sync_of("contoso.com")->verdict, "not-resumed");
	cr_assert_str_eq(sync_of("contoso.com")->basis, "events");
	f = finding("sync-not-resumed");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->confidence, "medium");
	release();
}

Test(checks, sync_service_database_failures_after_the_upgrade, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/runhistory-before-upgrade.xml", "runxml");
	runs_before();
	commit();
	begin("case/Application.xml", "evxml");
	event(1, "2026-11-03T08:39:36.000Z", LVL_ERROR, "ADSync", 6226,
	      "0x8023044a; OriginalError=0x80004005 OLEDB Provider error(s):\nDescription  = 'Login timeout "
	      "expired'");
	commit();
	analyse();

	cr_assert_str_eq(sync_of("contoso.com")->verdict, "not-resumed");
	cr_assert_str_eq(sync_of("contoso.com")->basis, "events");
	cr_assert_not_null(finding("sync-not-resumed"));
	release();
}

Test(checks, detection_only_run_is_no_attempt, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", false, END_NONE);
	analyse();

	cr_assert_eq(A.nupgrades, 0, "closed on the Welcome page: it only looked");
	cr_assert_null(finding("no-config-backup"));
	cr_assert_null(A.window_start);
	release();
}

Test(checks, run_that_just_stops_is_aborted, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_NONE);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	analyse();

	cr_assert_eq(A.nupgrades, 1);
	cr_assert_str_eq(A.upgrades[0].outcome, "aborted");
	cr_assert_str_eq(phase("upgrade")->state, "failed");
	cr_assert(strstr(phase("upgrade")->detail, "Connect to Azure AD"), "%s", phase("upgrade")->detail);
	/* nothing was installed: the version and sync questions do not arise */
	cr_assert_null(missing_q("Did synchronization resume"));
	cr_assert_null(missing_q("Which version runs now"));
	release();
}

Test(checks, failed_result_and_errors_are_failed, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_FAILED);
	trace("case/trace-20261104-093000.log", "2.5.79.0", "2.6.91.0", true, END_ERRORS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	analyse();

	/* both traces claim T0: two attempts, in the order they were added */
	cr_assert_eq(A.nupgrades, 2);
	cr_assert_str_eq(A.upgrades[0].outcome, "failed");
	cr_assert_str_eq(A.upgrades[1].outcome, "failed");
	release();
}

/* ---- version checks ------------------------------------------------------- */

Test(checks, readings_equal_to_the_old_version_are_version_unchanged, .init = setup, .fini = teardown)
{
	const struct an_finding *f;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	about("case/about.txt", "2.5.79.0");
	settings("case/Get-ADSyncGlobalSettings.txt", "2.5.79.0");
	analyse();

	f = finding("version-unchanged");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->severity, "error");
	cr_assert_str_eq(f->confidence, "high");
	cr_assert_geq(f->nev, 2, "both readings");
	cr_assert_null(finding("half-migrated-database"), "the engine itself did not change");
	cr_assert_null(finding("version-mismatch"));
	cr_assert_str_eq(phase("verify")->state, "failed");
	release();
}

Test(checks, gui_and_settings_disagree_is_version_mismatch, .init = setup, .fini = teardown)
{
	const struct an_finding *f;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	about("case/about.txt", "2.6.91.0");
	settings("case/Get-ADSyncGlobalSettings.txt", "2.5.79.0");
	analyse();

	f = finding("version-mismatch");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->severity, "warning");
	cr_assert(strstr(f->remediation, "Restart-Service ADSync"));
	cr_assert(strstr(f->remediation, "Microsoft.Synchronize.ServerConfigurationVersion"));
	f = finding("half-migrated-database");
	cr_assert_not_null(f, "engine 2.6.91.0, configuration still 2.5.79.0");
	cr_assert_str_eq(f->confidence, "medium");
	cr_assert_null(finding("version-unchanged"));
	release();
}

Test(checks, reading_neither_old_nor_new_after_success_is_version_mismatch, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	about("case/about.txt", "2.6.3.0");
	analyse();

	cr_assert_not_null(finding("version-mismatch"));
	cr_assert_null(finding("version-unchanged"));
	release();
}

Test(checks, matching_readings_verify_the_upgrade, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	about("case/about.txt", "2.6.91.0");
	settings("case/Get-ADSyncGlobalSettings.txt", "2.6.91.0");
	begin("case/runhistory.xml", "runxml");
	cycle(43, "contoso.com", "2026-11-03T08:36:10.000Z", "2026-11-03T08:36:17.000Z", "2026-11-03T08:38:08.000Z",
	      "2026-11-03T08:38:16.000Z");
	commit();
	analyse();

	cr_assert_str_eq(phase("verify")->state, "done");
	cr_assert_null(finding("version-mismatch"));
	cr_assert_null(finding("version-unchanged"));
	cr_assert_null(finding("half-migrated-database"));
	cr_assert_null(missing_q("Which version runs now"));
	release();
}

Test(checks, v1_after_a_failed_upgrade_is_unsupported, .init = setup, .fini = teardown)
{
	const struct an_finding *f;

	trace("case/trace-20261103-093000.log", "1.6.16.0", "2.6.91.0", true, END_FAILED);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "1.6.16.0");
	analyse();

	f = finding("unsupported-version");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->severity, "error");
	cr_assert(strstr(f->summary, "1.6.16.0"));
	cr_assert(strstr(f->remediation, "Windows Server 2016"));
	release();
}

Test(checks, known_bad_target_is_a_warning, .init = setup, .fini = teardown)
{
	const struct an_finding *f;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.84.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	analyse();

	f = finding("unsupported-version");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->severity, "warning");
	cr_assert(strstr(f->summary, "0xE0474352"));
	release();
}

Test(checks, supported_versions_are_not_flagged, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.4.18.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.4.18.0");
	analyse();

	cr_assert_null(finding("unsupported-version"), "2.6.91.0 runs after the success");
	release();
}

/* ---- backup ----------------------------------------------------------------- */

Test(checks, no_export_before_the_start_is_no_config_backup, .init = setup, .fini = teardown)
{
	const struct an_finding *f;
	const struct an_missing *m;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	/* the wizard's own export during the upgrade is no backup */
	config_export("case/Applied-SynchronizationPolicy-20261103-093300.json", "2026-11-03 08:33:10Z",
		      "2.6.91.0");
	analyse();

	f = finding("no-config-backup");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->severity, "warning");
	cr_assert_str_eq(f->confidence, "medium");
	cr_assert(strstr(f->remediation, "View or export current configuration"));
	cr_assert_str_eq(phase("backup")->state, "not-done");
	m = missing_q("Was the configuration exported");
	cr_assert_not_null(m);
	release();
}

/* ---- msi-failed ------------------------------------------------------------- */

static int
count_rule(void *ctx, const struct store_finding_row *r)
{
	int *n = ctx;

	*n += !strcmp(r->rule, "msi-failed");
	return 0;
}

/* msi-failed findings after installs_analyze, with `explained` handed
 * over as the signature scan would. */
static int
msi_failed_findings(const char *explained)
{
	struct analysis a = { 0 };
	int n = 0;

	cr_assert_eq(store_begin_analysis(S), STORE_OK);
	cr_assert_eq(installs_load(S, &a), STORE_OK);
	cr_assert_eq(a.ninstalls, 1);
	if (explained) {
		a.explained = malloc(sizeof(*a.explained));
		a.explained[0] = strdup(explained);
		a.nexplained = 1;
	}
	cr_assert_eq(installs_analyze(S, &a), STORE_OK);
	cr_assert_eq(store_end_analysis(S, true), STORE_OK);
	cr_assert_eq(store_findings(S, count_rule, &n), STORE_OK);
	analysis_release(&a);
	return n;
}

Test(checks, msi_failed_gives_way_to_a_signature_that_explains_it, .init = setup, .fini = teardown)
{
	const struct ec_sink *k;
	struct ec_msi_session m = {
		.session = 1, .start_line = 1, .end_line = 300,
		.start = { ms("2026-11-03T08:31:02.000Z"), -1, TQ_LOCAL_ASSUMED },
		.end = { ms("2026-11-03T08:31:40.000Z"), -1, TQ_LOCAL_ASSUMED },
		.product = SV_LIT("Microsoft Azure AD Connect synchronization services"),
		.version = SV_LIT("2.6.91.0"), .result = SV_LIT("Installation failed."),
		.status = 1603, .engine_return = 1603, .footer = true, .actions = 20, .failed_actions = 0,
	};

	begin("case/Synchronization Service_Install-20261103-093102.log", "msi");
	event(1, "2026-11-03T08:31:02.000Z", LVL_INFO, NULL, -1, "=== Verbose logging started ===");
	k = store_sink(S);
	cr_assert_eq(k->msi_session(k->ctx, &m), 0);
	commit();

	cr_assert_eq(msi_failed_findings(NULL), 1);
	cr_assert_eq(msi_failed_findings("msi-failed"), 0);
	cr_assert_eq(msi_failed_findings("sync-not-resumed"), 1);
}

/* ---- without a wizard run ------------------------------------------------------ */

Test(checks, without_an_attempt_the_last_cycle_decides, .init = setup, .fini = teardown)
{
	begin("case/runhistory.xml", "runxml");
	runs_before();
	run(61, "contoso.onmicrosoft.com - AAD", "Delta Import", "delta-import", "stopped-connectivity", "stopped",
	    "2026-11-03T07:55:14.000Z", "2026-11-03T07:55:21.000Z");
	run(62, "contoso.onmicrosoft.com - AAD", "Export", "export", "success", "success",
	    "2026-11-03T07:55:45.000Z", "2026-11-03T07:55:52.000Z");
	commit();
	analyse();

	cr_assert_eq(A.nupgrades, 0);
	cr_assert_str_eq(sync_of("contoso.com")->verdict, "resumed");
	cr_assert(strstr(sync_of("contoso.com")->note, "no upgrade attempt"));
	cr_assert_str_eq(sync_of("contoso.onmicrosoft.com - AAD")->verdict, "not-resumed");
	cr_assert_null(finding("sync-not-resumed"), "only after an attempt");
	cr_assert_eq(A.nmissing, 0, "no question about an upgrade to answer");
	release();
}

static void
autoupgrade_log(const char *code)
{
	char msg[200];

	begin("case/SyncEngine-AutoUpgrader-20261109-031502.log", "autoupgrade");
	snprintf(msg, sizeof(msg), "AutoUpgrade result = %s", code);
	event(6, "2026-11-09T03:15:08.000Z", LVL_INFO, NULL, -1, msg);
	fact("autoupgrade.result", NULL, code);
	commit();
	about("case/about.txt", "2.5.79.0");
}

Test(checks, auto_upgrade_that_declined_is_no_attempt, .init = setup, .fini = teardown)
{
	autoupgrade_log("UpgradeNotSupportedCustomizedSyncRules");
	analyse();

	cr_assert_eq(A.nupgrades, 0);
	cr_assert_null(finding("no-config-backup"));
	release();
}

Test(checks, auto_upgrade_that_failed_is_a_failed_attempt, .init = setup, .fini = teardown)
{
	autoupgrade_log("UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed");
	analyse();

	cr_assert_eq(A.nupgrades, 1);
	cr_assert_str_eq(A.upgrades[0].outcome, "failed");
	cr_assert_str_eq(A.upgrades[0].from, "2.5.79.0", "the version read with the case");
	cr_assert_str_eq(A.upgrades[0].started, "2026-11-09T03:15:08.000Z");
	cr_assert_not_null(finding("no-config-backup"));
	release();
}

/* ---- the sync verdict: import, synchronization and export ----------------- */

/* Get-ADSyncGlobalSettings (untimed) with Microsoft.Synchronize.<name>. */
static void
setting(const char *path, const char *param, const char *fact_name, const char *value)
{
	char msg[200];

	begin(path, "adsyncsettings");
	snprintf(msg, sizeof(msg), "Microsoft.Synchronize.%s = %s", param, value);
	event(14, NULL, LVL_NONE, "Get-ADSyncGlobalSettings", -1, msg);
	fact(fact_name, NULL, value);
	commit();
}

/* After the upgrade (TEND): contoso.com imports and synchronizes, no export. */
static void
runs_without_export(void)
{
	begin("case/runhistory.xml", "runxml");
	runs_before();
	run(203, "contoso.com", "Delta Import", "delta-import", "success", "success", "2026-11-03T08:36:10.000Z",
	    "2026-11-03T08:36:17.000Z");
	run(243, "contoso.com", "Delta Synchronization", "delta-sync", "success", "success",
	    "2026-11-03T08:36:30.000Z", "2026-11-03T08:36:40.000Z");
	run(263, "contoso.com", "Delta Import", "delta-import", "success", "success", "2026-11-03T09:06:10.000Z",
	    "2026-11-03T09:06:17.000Z");
	run(283, "contoso.com", "Delta Synchronization", "delta-sync", "success", "success",
	    "2026-11-03T09:06:30.000Z", "2026-11-03T09:06:40.000Z");
	commit();
}

Test(checks, imports_and_syncs_without_export_are_not_resumed, .init = setup, .fini = teardown)
{
	const struct an_finding *f;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	runs_without_export();
	setting("case/Get-ADSyncGlobalSettings.txt", "StagingMode", "settings.staging_mode", "False");
	analyse();

	cr_assert_str_eq(sync_of("contoso.com")->verdict, "resumed-without-export");
	cr_assert_null(sync_of("contoso.com")->resumed_time);
	cr_assert_str_eq(A.sync_verdict, "resumed-without-export");
	f = finding("sync-not-resumed");
	cr_assert_not_null(f);
	cr_assert(strstr(f->title, "Exports did not resume after the upgrade on contoso.com: no export ran"), "%s",
		  f->title);
	cr_assert(!strncmp(f->remediation, "Run an export:", 14), "%s", f->remediation);
	cr_assert_str_eq(A.upgrades[0].phases[PHASE_VERIFY].state, "failed");
	release();
}

Test(checks, staging_mode_holds_the_exports, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	runs_without_export();
	setting("case/Get-ADSyncGlobalSettings.txt", "StagingMode", "settings.staging_mode", "True");
	analyse();

	cr_assert_str_eq(sync_of("contoso.com")->verdict, "resumed-staging");
	cr_assert_not_null(sync_of("contoso.com")->resumed_time);
	cr_assert(strstr(sync_of("contoso.com")->note, "staging mode"), "%s", sync_of("contoso.com")->note);
	cr_assert_str_eq(A.sync_verdict, "resumed-staging");
	cr_assert_null(finding("sync-not-resumed"));
	release();
}

Test(checks, staging_cycle_from_events, .init = setup, .fini = teardown)
{
	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/Application.xml", "evxml");
	event(1, "2026-11-03T08:40:00.000Z", LVL_INFO, "Directory Synchronization", 904, "Finished");
	commit();
	setting("case/Get-ADSyncGlobalSettings.txt", "StagingMode", "settings.staging_mode", "True");
	analyse();

	cr_assert_eq(A.nsyncs, 1);
	cr_assert_str_eq(A.syncs[0].verdict, "resumed-staging");
	cr_assert_str_eq(A.syncs[0].basis, "events");
	cr_assert_null(finding("sync-not-resumed"));
	release();
}

/* The suspended scheduler and the ADSync service that stopped: the service
 * leads (the scheduler cannot run without it), both are named. */
Test(checks, sync_not_resumed_names_its_cause, .init = setup, .fini = teardown)
{
	const struct an_finding *f;

	trace("case/trace-20261103-093000.log", "2.5.79.0", "2.6.91.0", true, END_SUCCESS);
	config_export("case/Exported-SynchronizationPolicy-20261102-164000.json", "2026-11-02 15:40:00Z",
		      "2.5.79.0");
	begin("case/runhistory.xml", "runxml");
	runs_before();
	run(203, "contoso.com", "Delta Import", "delta-import", "success", "success", "2026-11-03T09:36:10.000Z",
	    "2026-11-03T09:36:17.000Z");
	commit();
	setting("case/Get-ADSyncGlobalSettings.txt", "SchedulerSuspended", "settings.scheduler_suspended", "True");
	analyse();
	cr_assert_str_eq(sync_of("contoso.com")->verdict, "not-resumed");
	f = finding("sync-not-resumed");
	cr_assert_not_null(f);
	cr_assert(strstr(f->title, ": the scheduler is suspended"), "%s", f->title);
	cr_assert(strstr(f->summary, "SchedulerSuspended True"), "%s", f->summary);
	cr_assert(!strncmp(f->remediation, "Resume the scheduler", 20), "%s", f->remediation);
	cr_assert(strstr(f->remediation, "Set-ADSyncScheduler -SchedulerSuspended $false"), "%s", f->remediation);
	release();

	begin("case/System.xml", "evxml");
	event(7, "2026-11-03T08:35:00.000Z", LVL_ERROR, "Service Control Manager", 7034,
	      "The Microsoft Azure AD Sync service terminated unexpectedly.  It has done this 1 time(s).");
	commit();
	analyse();
	f = finding("sync-not-resumed");
	cr_assert_not_null(f);
	cr_assert(strstr(f->title, ": the ADSync service did not run (Service Control Manager 7034)"), "%s", f->title);
	cr_assert(strstr(f->summary, "SchedulerSuspended True"), "both causes: %s", f->summary);
	cr_assert(!strncmp(f->remediation, "Start the sync service", 22), "%s", f->remediation);
	release();
}
