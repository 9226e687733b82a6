/* SPDX-License-Identifier: MIT */
/* test_parser_settings.c - the global settings formats: "adsyncsettings"
 * (Get-ADSyncGlobalSettings as keyed Format-List, parameter-object
 * Format-List, table and JSON; the real Laparoscope file from the corpus)
 * and "aboutversion" (a Help > About note), with their sniffing. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

#define LAPAROSCOPE \
	"text/cmdlet-output/laparoscope_Get-LapGlobalSettings_FormatList_ServerConfigurationVersion-2.0.25.1.VERBATIM.txt"

static int
sniff_as(const char *fmt, const char *text, size_t n, const struct ec_format **best)
{
	struct ec_sniff s = { 0 };

	s.raw = (const unsigned char *)text;
	s.raw_len = n < 65536 ? n : 65536;
	s.enc = enc_sniff(s.raw, s.raw_len);
	s.text = text;
	s.text_len = s.raw_len;
	*best = ec_format_sniff(&s);
	return cap_format(fmt)->sniff(&s);
}

static int
sniff_str(const char *fmt, const char *text, const struct ec_format **best)
{
	return sniff_as(fmt, text, strlen(text), best);
}

/* The event a fact was reported on. */
static const struct cev *
fact_event(const struct cap *c, const struct cfact *f)
{
	cr_assert(f->on_event && f->after > 0, "fact %s not on an event", f->name);
	return &c->ev[f->after - 1];
}

static void
expect_fact(const struct cap *c, const char *name, const char *key, const char *value)
{
	const struct cfact *f = find_fact(c, name, key);

	cr_assert_not_null(f, "no fact %s [%s]", name, key ? key : "");
	cr_assert_str_eq(f->value, value, "%s [%s]", name, key ? key : "");
}

/* ---- the real file: keyed Format-List (Laparoscope) ------------------------------ */

struct want {
	uint64_t line;
	const char *name, *key, *value;
};

static const struct want laparoscope[] = {
	{ 19, "settings.sql_schema_version", "", "616" },
	{ 21, "settings.version", "", "22102" },
	{ 22, "settings.instance_id", "", "ecf3f9c3-16da-4c7e-82f2-2d2ce4c105a5" },
	{ 27, "settings.parameter", "Microsoft.Synchronize.TimeInterval", "00:30:00" },
	{ 27, "settings.sync_interval", "", "00:30:00" },
	{ 28, "settings.parameter", "Microsoft.DeviceWriteBack.Forest", "" },
	{ 29, "settings.parameter", "Microsoft.SynchronizationOption.JoinCriteria", "AlwaysProvision" },
	{ 30, "settings.parameter", "Microsoft.OptionalFeature.GroupWriteBack", "False" },
	{ 31, "settings.parameter", "Microsoft.AADFilter.ApplicationList", "" },
	{ 32, "settings.parameter", "Microsoft.OptionalFeature.AutoUpgradeState", "Suspended" },
	{ 32, "settings.autoupgrade_state", "", "Suspended" },
	{ 33, "settings.parameter", "Microsoft.OptionalFeature.GroupFiltering", "False" },
	{ 34, "settings.parameter", "Microsoft.DeviceWriteBack.Container", "" },
	{ 35, "settings.parameter", "Microsoft.Synchronize.StagingMode", "False" },
	{ 35, "settings.staging_mode", "", "False" },
	{ 36, "settings.parameter", "Microsoft.SynchronizationOption.CustomAttribute", "" },
	{ 37, "settings.parameter", "Microsoft.SystemInformation.MachineRole", "RoleMemberServer" },
	{ 38, "settings.parameter", "Microsoft.OptionalFeature.ExportDeletionThreshold", "False" },
	{ 39, "settings.parameter", "Microsoft.ConnectDirectories.WizardDirectoryMode", "ActiveDirectory" },
	{ 40, "settings.parameter", "Microsoft.Synchronize.SynchronizationPolicy", "Delta" },
	{ 41, "settings.parameter", "Microsoft.Synchronize.NextStartTime", "Thu, 10 Mar 2022 18:48:01 GMT" },
	{ 42, "settings.parameter", "Microsoft.SynchronizationOption.AnchorAttribute", "mS-DS-ConsistencyGuid" },
	{ 43, "settings.parameter", "Microsoft.OptionalFeature.DirectoryExtension", "False" },
	{ 44, "settings.parameter", "Microsoft.OptionalFeature.DeviceWriteUp", "True" },
	{ 45, "settings.parameter", "Microsoft.OptionalFeature.UserWriteBack", "False" },
	{ 46, "settings.parameter", "Microsoft.Synchronize.MaintenanceEnabled", "True" },
	{ 47, "settings.parameter", "Microsoft.OptionalFeature.ExchangeMailPublicFolder", "False" },
	{ 48, "settings.parameter", "Microsoft.UserSignIn.SignOnMethod", "PasswordHashSync" },
	{ 49, "settings.parameter", "Microsoft.AADFilter.AttributeExclusionList", "" },
	{ 50, "settings.parameter", "Microsoft.OptionalFeature.FilterAAD", "False" },
	{ 51, "settings.parameter", "Microsoft.Synchronize.SynchronizationSchedule", "True" },
	{ 52, "settings.parameter", "Microsoft.SynchronizationOption.UPNAttribute", "userPrincipalName" },
	{ 53, "settings.parameter", "Microsoft.UserWriteBack.Forest", "" },
	{ 54, "settings.parameter", "Microsoft.Version.SynchronizationRuleImmutableTag", "V1" },
	{ 55, "settings.parameter", "Microsoft.DirectoryExtension.SourceTargetAttributesMap", "" },
	{ 56, "settings.parameter", "Microsoft.OptionalFeature.DeviceWriteBack", "False" },
	{ 57, "settings.parameter", "Microsoft.Synchronize.RunHistoryPurgeInterval", "7.00:00:00" },
	{ 57, "settings.run_history_purge_interval", "", "7.00:00:00" },
	{ 58, "settings.parameter", "Microsoft.Synchronize.SchedulerSuspended", "False" },
	{ 58, "settings.scheduler_suspended", "", "False" },
	{ 59, "settings.parameter", "Microsoft.UserWriteBack.Container", "" },
	{ 60, "settings.parameter", "Microsoft.OptionalFeature.DirectoryExtensionAttributes", "" },
	{ 61, "settings.parameter", "Microsoft.OptionalFeature.ExportDeletionThresholdValue", "500" },
	{ 62, "settings.parameter", "Microsoft.OptionalFeature.AutoUpgradeSuspensionReason",
	  "UpgradeNotSupportedNonLocalDbInstall" },
	{ 62, "settings.autoupgrade_suspension_reason", "", "UpgradeNotSupportedNonLocalDbInstall" },
	{ 63, "settings.parameter", "Microsoft.Synchronize.ServerConfigurationVersion", "2.0.25.1" },
	{ 63, "settings.server_configuration_version", "", "2.0.25.1" },
	{ 64, "settings.parameter", "Microsoft.OptionalFeature.HybridExchange", "False" },
	{ 65, "settings.parameter", "Microsoft.UserSignIn.DesktopSsoEnabled", "False" },
};

Test(parser_settings, laparoscope_every_fact)
{
	const char *path = corpus_path(LAPAROSCOPE);
	const struct ec_format *best;
	struct cap c = { 0 };
	size_t n, nwant = sizeof(laparoscope) / sizeof(laparoscope[0]);
	char *data;

	if (!path)
		cr_skip_test("corpus not found (ECDIAG_CORPUS)");
	data = slurp(path, &n);
	cr_assert_not_null(data);
	cr_assert_eq(sniff_as("adsyncsettings", data, n, &best), 85);
	cr_assert_eq(best, cap_format("adsyncsettings"), "claimed by %s", best ? best->name : "none");
	cr_assert_eq(cap_parse(&c, cap_format("adsyncsettings"), data, n, 7, NULL, NULL), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 42, "events: %zu", c.nev);	/* 39 parameters, 3 properties */
	cr_assert_eq(c.nf, nwant, "facts: %zu", c.nf);
	for (size_t i = 0; i < nwant; i++) {
		const struct cfact *f = &c.f[i];
		const struct cev *ev = fact_event(&c, f);

		cr_assert_str_eq(f->name, laparoscope[i].name, "fact %zu", i);
		cr_assert_str_eq(f->key, laparoscope[i].key, "fact %zu", i);
		cr_assert_str_eq(f->value, laparoscope[i].value, "fact %zu %s", i, f->key);
		cr_assert_eq(ev->line, laparoscope[i].line, "fact %zu (%s): line %llu", i, f->key,
			     (unsigned long long)ev->line);
		cr_assert_str_eq(ev->provider, "Get-ADSyncGlobalSettings");
		cr_assert_eq(ev->tq, TQ_NONE);
	}
	/* the event of a parameter: "Name = Value", the pair as its data item */
	{
		const struct cfact *f = find_fact(&c, "settings.parameter",
						  "Microsoft.Synchronize.ServerConfigurationVersion");
		const struct cev *ev = fact_event(&c, f);

		cr_assert_str_eq(ev->message, "Microsoft.Synchronize.ServerConfigurationVersion = 2.0.25.1");
		cr_assert_eq(ev->ndata, 1);
		cr_assert_str_eq(ev->dname[0], "Microsoft.Synchronize.ServerConfigurationVersion");
		cr_assert_str_eq(ev->dvalue[0], "2.0.25.1");
		cr_assert_eq(ev->level, LVL_INFO);
	}
	cap_free(&c);
	free(data);
}

/* ---- tables ------------------------------------------------------------------------- */

/* A Format-Table -AutoSize -Property Name, Value, DataType row: columns at
 * 0, 55 and 85, DataType right-aligned (as in the public blog sample). */
static void
row3(struct buf *b, const char *name, const char *value)
{
	buf_addf(b, "%-54s %-29s %8s\r\n", name, value, "String");
}

Test(parser_settings, table_with_datatype)
{
	struct cap c = { 0 };
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_adds(&b, "Get-ADSyncGlobalSettings | Select-Object -ExpandProperty Parameters | "
		     "Format-Table -AutoSize -Property Name, Value, DataType\r\n\r\n");
	buf_addf(&b, "%-54s %-29s %s\r\n", "Name", "Value", "DataType");
	buf_addf(&b, "%-54s %-29s %s\r\n", "----", "-----", "--------");
	row3(&b, "Microsoft.Synchronize.SynchronizationPolicy", "Delta");
	row3(&b, "Microsoft.OptionalFeature.DirectoryExtensionAttributes", "");
	row3(&b, "Microsoft.Synchronize.ServerConfigurationVersion", "1.4.18.0");
	row3(&b, "Microsoft.OptionalFeature.AutoUpgradeState", "Enabled");
	row3(&b, "Microsoft.Synchronize.NextStartTime", "Wed, 15 Jan 2020 21:57:01 GMT");
	row3(&b, "Microsoft.Synchronize.TimeInterval", "00:30:00");
	buf_adds(&b, "\r\n");
	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), b.data), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(count_facts(&c, "settings.parameter", NULL), 6);
	expect_fact(&c, "settings.parameter", "Microsoft.Synchronize.SynchronizationPolicy", "Delta");
	expect_fact(&c, "settings.parameter", "Microsoft.OptionalFeature.DirectoryExtensionAttributes", "");
	expect_fact(&c, "settings.parameter", "Microsoft.Synchronize.NextStartTime",
		    "Wed, 15 Jan 2020 21:57:01 GMT");
	expect_fact(&c, "settings.server_configuration_version", NULL, "1.4.18.0");
	expect_fact(&c, "settings.autoupgrade_state", NULL, "Enabled");
	expect_fact(&c, "settings.sync_interval", NULL, "00:30:00");
	cr_assert_null(find_fact(&c, "settings.autoupgrade_suspension_reason", NULL));
	cr_assert_eq(fact_event(&c, find_fact(&c, "settings.server_configuration_version", NULL))->line, 7);
	cap_free(&c);
	buf_release(&b);
}

/* (Get-ADSyncGlobalSettings).Parameters | select Name, Value | sort Name:
 * no colon, empty values as a bare name, a value cut with "..." */
Test(parser_settings, table_name_value)
{
	static const char text[] =
		"Name                                                   Value\n"
		"----                                                   -----\n"
		"Microsoft.AADFilter.ApplicationList\n"
		"Microsoft.DirectoryExtension.SourceTargetAttributesMap employeeNumber.extension_4483c871ae4a40d0af7c6037e2ff4af7_employeeNumber,employeeType...\n"
		"Microsoft.OptionalFeature.AutoUpgradeState             Suspended\n"
		"Microsoft.OptionalFeature.AutoUpgradeSuspensionReason  UpgradeNotSupportedNonLocalDbInstall\n"
		"Microsoft.Synchronize.SchedulerSuspended               False\n"
		"Microsoft.Synchronize.ServerConfigurationVersion       2.2.1.0\n"
		"Microsoft.Synchronize.StagingMode                      False\n";
	const struct ec_format *best;
	struct cap c = { 0 };

	cr_assert_eq(sniff_str("adsyncsettings", text, &best), 85);
	cr_assert_eq(best, cap_format("adsyncsettings"));
	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), text), 0);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(count_facts(&c, "settings.parameter", NULL), 7);
	expect_fact(&c, "settings.parameter", "Microsoft.AADFilter.ApplicationList", "");
	expect_fact(&c, "settings.parameter", "Microsoft.DirectoryExtension.SourceTargetAttributesMap",
		    "employeeNumber.extension_4483c871ae4a40d0af7c6037e2ff4af7_employeeNumber,employeeType...");
	expect_fact(&c, "settings.autoupgrade_state", NULL, "Suspended");
	expect_fact(&c, "settings.autoupgrade_suspension_reason", NULL, "UpgradeNotSupportedNonLocalDbInstall");
	expect_fact(&c, "settings.scheduler_suspended", NULL, "False");
	expect_fact(&c, "settings.server_configuration_version", NULL, "2.2.1.0");
	expect_fact(&c, "settings.staging_mode", NULL, "False");
	cr_assert_eq(fact_event(&c, find_fact(&c, "settings.staging_mode", NULL))->line, 9);
	cap_free(&c);
}

/* The table without its header (copied rows only). */
Test(parser_settings, table_rows_without_header)
{
	static const char text[] =
		"Microsoft.OptionalFeature.AutoUpgradeState             Disabled\n"
		"Microsoft.Synchronize.ServerConfigurationVersion       2.3.20.0\n";
	const struct ec_format *best;
	struct cap c = { 0 };

	cr_assert_eq(sniff_str("adsyncsettings", text, &best), 85);
	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), text), 0);
	expect_fact(&c, "settings.autoupgrade_state", NULL, "Disabled");
	expect_fact(&c, "settings.server_configuration_version", NULL, "2.3.20.0");
	cap_free(&c);
}

/* ---- Format-List of the parameter objects and of the settings object ---------------- */

Test(parser_settings, formatlist_parameter_objects)
{
	static const char text[] =
		"\n"
		"Version          : 397\n"
		"SqlSchemaVersion : 615\n"
		"InstanceId       : d112f5f4-4248-4959-8dc8-eac88e531433\n"
		"Schema           : Microsoft.IdentityManagement.PowerShell.ObjectModel.Schema\n"
		"Parameters       : {Microsoft.Synchronize.SynchronizationPolicy, Microsoft.SynchronizationOption.JoinCriteria...}\n"
		"\n"
		"Name                   : Microsoft.OptionalFeature.UserWriteBack\n"
		"InputType              : String\n"
		"Scope                  : SynchronizationGlobal\n"
		"Description            : \n"
		"RegexValidationPattern : \n"
		"DefaultValue           : \n"
		"Value                  : False\n"
		"Extensible             : False\n"
		"PageNumber             : 0\n"
		"Intrinsic              : False\n"
		"DataType               : String\n"
		"\n"
		"Name                   : Microsoft.Synchronize.StagingMode\n"
		"InputType              : String\n"
		"Scope                  : SynchronizationGlobal\n"
		"Description            : \n"
		"RegexValidationPattern : \n"
		"DefaultValue           : \n"
		"Value                  : True\n"
		"Extensible             : False\n"
		"PageNumber             : 0\n"
		"Intrinsic              : False\n"
		"DataType               : String\n"
		"\n"
		"Name                   : Microsoft.OptionalFeature.DirectoryExtensionAttributes\n"
		"Value                  : employeeNumber.user.String.True,employeeType.user.String.True,sAMAc\n"
		"                         countName.user.String.True\n"
		"DataType               : String\n";
	const struct ec_format *best;
	struct cap c = { 0 };

	cr_assert_eq(sniff_str("adsyncsettings", text, &best), 85);
	cr_assert_eq(best, cap_format("adsyncsettings"));
	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), text), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 6);
	expect_fact(&c, "settings.version", NULL, "397");
	expect_fact(&c, "settings.sql_schema_version", NULL, "615");
	expect_fact(&c, "settings.instance_id", NULL, "d112f5f4-4248-4959-8dc8-eac88e531433");
	expect_fact(&c, "settings.parameter", "Microsoft.OptionalFeature.UserWriteBack", "False");
	expect_fact(&c, "settings.staging_mode", NULL, "True");
	/* the fact points at the Name line of its block */
	cr_assert_eq(fact_event(&c, find_fact(&c, "settings.staging_mode", NULL))->line, 20);
	/* a value wrapped onto the next line at its column is joined */
	expect_fact(&c, "settings.parameter", "Microsoft.OptionalFeature.DirectoryExtensionAttributes",
		    "employeeNumber.user.String.True,employeeType.user.String.True,sAMAccountName.user.String.True");
	cap_free(&c);
}

Test(parser_settings, keyed_formatlist_wrapped_value)
{
	static const char text[] =
		"Microsoft.Synchronize.TimeInterval                     : 00:30:00\n"
		"Microsoft.OptionalFeature.DirectoryExtensionAttributes : employeeNumber.user.String.True,emp\n"
		"                                                         loyeeType.user.String.True\n"
		"Microsoft.Synchronize.ServerConfigurationVersion       : 2.2.8.0\n";
	struct cap c = { 0 };

	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), text), 0);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(count_facts(&c, "settings.parameter", NULL), 3);
	expect_fact(&c, "settings.parameter", "Microsoft.OptionalFeature.DirectoryExtensionAttributes",
		    "employeeNumber.user.String.True,employeeType.user.String.True");
	expect_fact(&c, "settings.server_configuration_version", NULL, "2.2.8.0");
	cr_assert_eq(fact_event(&c, find_fact(&c, "settings.server_configuration_version", NULL))->line, 4);
	cap_free(&c);
}

/* ---- JSON ---------------------------------------------------------------------------- */

#define JSON_SETTINGS                                                                      \
	"{\r\n"                                                                            \
	"    \"Version\":  397,\r\n"                                                       \
	"    \"SqlSchemaVersion\":  615,\r\n"                                              \
	"    \"InstanceId\":  \"d112f5f4-4248-4959-8dc8-eac88e531433\",\r\n"               \
	"    \"Schema\":  {\r\n"                                                           \
	"                   \"ObjectTypes\":  \"\"\r\n"                                    \
	"               },\r\n"                                                            \
	"    \"Parameters\":  [\r\n"                                                       \
	"                       {\r\n"                                                     \
	"                           \"Name\":  \"Microsoft.Synchronize.ServerConfigurationVersion\",\r\n" \
	"                           \"InputType\":  \"String\",\r\n"                       \
	"                           \"Scope\":  \"SynchronizationGlobal\",\r\n"            \
	"                           \"Value\":  \"2.2.8.0\",\r\n"                          \
	"                           \"DataType\":  \"String\"\r\n"                         \
	"                       },\r\n"                                                    \
	"                       {\r\n"                                                     \
	"                           \"Name\":  \"Microsoft.OptionalFeature.AutoUpgradeState\",\r\n" \
	"                           \"Value\":  \"Suspended\"\r\n"                         \
	"                       },\r\n"                                                    \
	"                       {\r\n"                                                     \
	"                           \"Name\":  \"Microsoft.OptionalFeature.AutoUpgradeSuspensionReason\",\r\n" \
	"                           \"Value\":  \"UpgradeAbortedSyncExeInUse\"\r\n"        \
	"                       },\r\n"                                                    \
	"                       {\r\n"                                                     \
	"                           \"Name\":  \"Microsoft.Synchronize.RunHistoryPurgeInterval\",\r\n" \
	"                           \"Value\":  \"7.00:00:00\"\r\n"                        \
	"                       }\r\n"                                                     \
	"                   ]\r\n"                                                         \
	"}\r\n"

static void
check_json_settings(const struct cap *c)
{
	dump_problems(c);
	cr_assert_eq(c->np, 0);
	cr_assert_eq(c->nev, 7);
	expect_fact(c, "settings.version", NULL, "397");
	expect_fact(c, "settings.sql_schema_version", NULL, "615");
	expect_fact(c, "settings.instance_id", NULL, "d112f5f4-4248-4959-8dc8-eac88e531433");
	expect_fact(c, "settings.server_configuration_version", NULL, "2.2.8.0");
	expect_fact(c, "settings.autoupgrade_state", NULL, "Suspended");
	expect_fact(c, "settings.autoupgrade_suspension_reason", NULL, "UpgradeAbortedSyncExeInUse");
	expect_fact(c, "settings.run_history_purge_interval", NULL, "7.00:00:00");
	cr_assert_eq(count_facts(c, "settings.parameter", NULL), 4);
	/* facts point at the line of the parameter's name */
	cr_assert_eq(fact_event(c, find_fact(c, "settings.server_configuration_version", NULL))->line, 10);
	cr_assert_eq(fact_event(c, find_fact(c, "settings.autoupgrade_state", NULL))->line, 17);
	cr_assert_eq(fact_event(c, find_fact(c, "settings.sql_schema_version", NULL))->line, 3);
}

Test(parser_settings, json_settings_object)
{
	const struct ec_format *best;
	struct cap c = { 0 };

	cr_assert_eq(sniff_str("adsyncsettings", JSON_SETTINGS, &best), 85);
	cr_assert_eq(best, cap_format("adsyncsettings"), "claimed by %s", best ? best->name : "none");
	cr_assert_eq(cap_parse(&c, cap_format("adsyncsettings"), JSON_SETTINGS, strlen(JSON_SETTINGS), 3,
			       NULL, NULL), 0);
	check_json_settings(&c);
	cap_free(&c);
}

/* Windows PowerShell 5.1 writes UTF-16LE with a BOM when redirected. */
Test(parser_settings, json_utf16)
{
	const char *s = JSON_SETTINGS;
	size_t n = strlen(s);
	unsigned char *u = malloc(2 * n + 2);
	struct cap c = { 0 };

	u[0] = 0xFF;
	u[1] = 0xFE;
	for (size_t i = 0; i < n; i++) {
		u[2 + 2 * i] = (unsigned char)s[i];
		u[3 + 2 * i] = 0;
	}
	cr_assert_eq(cap_parse(&c, cap_format("adsyncsettings"), u, 2 * n + 2, 0, NULL, NULL), 0);
	check_json_settings(&c);
	cap_free(&c);
	free(u);
}

Test(parser_settings, json_parameters_keyed_and_array)
{
	static const char keyed[] =
		"{\"Microsoft.Synchronize.StagingMode\":\"True\",\"Microsoft.Synchronize.SchedulerSuspended\":\"True\","
		"\"Microsoft.Synchronize.TimeInterval\":\"00:30:00\"}";
	static const char array[] =
		"[\n"
		"  { \"Name\": \"Microsoft.Synchronize.StagingMode\", \"Value\": \"False\" },\n"
		"  { \"Name\": \"Microsoft.Synchronize.ServerConfigurationVersion\", \"Value\": \"2.4.18.0\" }\n"
		"]\n";
	const struct ec_format *best;
	struct cap c = { 0 };

	cr_assert_eq(sniff_str("adsyncsettings", keyed, &best), 85);
	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), keyed), 0);
	cr_assert_eq(c.np, 0);
	expect_fact(&c, "settings.staging_mode", NULL, "True");
	expect_fact(&c, "settings.scheduler_suspended", NULL, "True");
	expect_fact(&c, "settings.sync_interval", NULL, "00:30:00");
	cr_assert_eq(fact_event(&c, find_fact(&c, "settings.sync_interval", NULL))->line, 1);
	cap_free(&c);

	cr_assert_eq(sniff_str("adsyncsettings", array, &best), 85);
	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), array), 0);
	cr_assert_eq(c.np, 0);
	expect_fact(&c, "settings.staging_mode", NULL, "False");
	expect_fact(&c, "settings.server_configuration_version", NULL, "2.4.18.0");
	cr_assert_eq(fact_event(&c, find_fact(&c, "settings.server_configuration_version", NULL))->line, 3);
	cap_free(&c);
}

Test(parser_settings, json_malformed)
{
	static const char text[] =
		"{\n"
		"  \"Parameters\": [\n"
		"    { \"Name\": \"Microsoft.Synchronize.StagingMode\", \"Value\": \"False\" },\n"
		"    { \"Name\": \"Microsoft.Synchronize.ServerConfigurationVersion\", \"Val";
	struct cap c = { 0 };

	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), text), 0);
	cr_assert_eq(c.np, 1);
	cr_assert_not_null(find_problem(&c, "not valid JSON (at line 4): nothing read"), "%s",
			   c.np ? c.p[0].message : "");
	cr_assert_eq(c.p[0].line, 4);
	cr_assert_eq(c.nf, 0);
	cap_free(&c);
}

Test(parser_settings, nothing_found)
{
	struct cap c = { 0 };

	cr_assert_eq(cap_parse_str(&c, cap_format("adsyncsettings"), "hello\nworld\n"), 0);
	cr_assert_not_null(find_problem(&c, "no global settings parameter found in 2 lines"));
	cap_free(&c);
}

Test(parser_settings, adsyncsettings_sniff_rejects)
{
	const struct ec_format *best;

	cr_assert_eq(sniff_str("adsyncsettings", "", &best), 0);
	cr_assert_eq(sniff_str("adsyncsettings", "Microsoft.Synchronize.StagingMode is False on the server\n",
			       &best), 0);
	cr_assert_eq(sniff_str("adsyncsettings",
			       "[10:15:02.123] [  1] [INFO ] Microsoft.Synchronize.StagingMode : False\n", &best), 0);
	cr_assert_eq(sniff_str("adsyncsettings", "{\"ProviderName\": \"ADSync\", \"Id\": 6100}", &best), 0);
}

/* ---- aboutversion ----------------------------------------------------------------------- */

Test(parser_settings, aboutversion_accepts)
{
	static const char *const good[] = {
		"Version 2.2.8.0\n",
		"Version: 2.2.8.0\r\n",
		"Synchronization Service Manager\nHelp > About\nVersion 2.2.8.0\n",
		"Microsoft Azure AD Connect synchronization services 2.2.8.0\n",
		"Help > About: Version 1.6.16.0\n",
		"Product version: 2.4.18.0 (from the About box)\n",
		"Microsoft Entra Connect Sync version 2.4.131.0.\n",
		"about box of SYNC01 (Synchronization Service Manager):\n\n  Version 2.1.20.0\n",
	};
	const struct ec_format *best;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr_assert_eq(sniff_str("aboutversion", good[i], &best), 40, "%s", good[i]);
		cr_assert_eq(best, cap_format("aboutversion"), "%s claimed by %s", good[i],
			     best ? best->name : "none");
	}
}

Test(parser_settings, aboutversion_parse)
{
	static const char text[] = "Synchronization Service Manager\r\nHelp > About\r\n\r\nVersion 2.2.8.0\r\n";
	struct cap c = { 0 };
	const struct cfact *f;

	cr_assert_eq(cap_parse_str(&c, cap_format("aboutversion"), text), 0);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.nf, 1);
	f = find_fact(&c, "gui.version", NULL);
	cr_assert_str_eq(f->value, "2.2.8.0");
	cr_assert_eq(fact_event(&c, f)->line, 4);
	cr_assert_str_eq(c.ev[0].message, "Version 2.2.8.0");
	cr_assert_str_eq(c.ev[0].provider, "Help > About");
	cap_free(&c);

	cr_assert_eq(cap_parse_str(&c, cap_format("aboutversion"),
				   "Microsoft Azure AD Connect synchronization services 1.6.16.0\n"), 0);
	expect_fact(&c, "gui.version", NULL, "1.6.16.0");
	cap_free(&c);

	cr_assert_eq(cap_parse_str(&c, cap_format("aboutversion"), "nothing here\n"), 0);
	cr_assert_not_null(find_problem(&c, "no version line"));
	cap_free(&c);
}

Test(parser_settings, aboutversion_rejects)
{
	static const char *const bad[] = {
		"- Ran the Entra Connect 2.2.8.0 installer on SYNC01 at about 10:15 to upgrade from 1.6.16.0.\n",
		"The version is 2.2.8.0\n",
		"Upgrade from Azure AD Connect 1.6.16.0 to 2.2.8.0\n",
		"Version 2.2.8\n",
		"Version 2.2.8.0.1\n",
		"[10:15:02.123] [  1] [INFO ] Application Version: 2.2.8.0\nVersion 2.2.8.0\n",
		"{\"Version\": \"2.2.8.0\"}\n",
		"Microsoft Windows Server 2019 10.0.17763.1\n",
		"",
	};
	const struct ec_format *best;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(sniff_str("aboutversion", bad[i], &best), 0, "%s", bad[i]);
}

/* More than 20 lines, or more than 4 KiB: not a note. */
Test(parser_settings, aboutversion_size_limits)
{
	const struct ec_format *best;
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_adds(&b, "Version 2.2.8.0\n");
	for (int i = 0; i < 20; i++)
		buf_addf(&b, "line %d\n", i);
	cr_assert_eq(sniff_str("aboutversion", b.data, &best), 0);
	buf_reset(&b);
	buf_adds(&b, "Version 2.2.8.0\n");
	while (b.len <= 4096)
		buf_adds(&b, "                                                                \n");
	cr_assert_eq(sniff_str("aboutversion", b.data, &best), 0);
	buf_release(&b);
}

/* The samples: the owner's notes and a trace log are not version notes. */
Test(parser_settings, aboutversion_rejects_samples)
{
	static const char *const files[] = { "samples/upgrade-failed/notes.txt",
					     "samples/upgrade-failed/trace-20260503-091200.log",
					     "samples/upgrade-failed/trace-20260510-101502.log" };
	const char *src = getenv("ECDIAG_SRC");
	const struct ec_format *best;
	char path[4096];

	if (!src)
		cr_skip_test("ECDIAG_SRC not set");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t n;
		char *data;

		snprintf(path, sizeof(path), "%s/%s", src, files[i]);
		data = slurp(path, &n);
		cr_assert_not_null(data, "%s", path);
		cr_assert_eq(sniff_as("aboutversion", data, n, &best), 0, "%s", files[i]);
		cr_assert_eq(sniff_as("adsyncsettings", data, n, &best), 0, "%s", files[i]);
		cr_assert_eq(sniff_as("configexport", data, n, &best), 0, "%s", files[i]);
		/* the owner's notes: no format of its own, read as pasted text (issue 13) */
		if (i == 0)
			cr_assert(best && !strcmp(best->name, "paste"), "notes.txt claimed by %s",
				  best ? best->name : "nothing");
		free(data);
	}
}
