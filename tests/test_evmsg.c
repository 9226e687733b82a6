/* SPDX-License-Identifier: MIT */
/* test_evmsg.c - the documented Windows event message templates (evmsg.h):
 * lookup by provider and event id, and the expansion of %1..%99, %%, %n and
 * %t with the insertion strings of an event. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/strview.h"
#include "parser/evmsg.h"
#include "parser/winevent.h"
#include "parser/parser.h"
#include "support/guardbuf.h"

#define KV(v) { SV_LIT("Data"), SV_LIT(v) }

/* Expand tmpl with the values vals[0..n) into a fresh string (caller frees). */
static char *
expand(const char *tmpl, const char *const *vals, size_t n)
{
	struct ec_kv kv[100];
	struct buf b;

	cr_assert(n <= 100);
	for (size_t i = 0; i < n; i++) {
		kv[i].name = SV_LIT("Data");
		kv[i].value = sv_cstr(vals[i]);
	}
	buf_init(&b, 1 << 20);
	evmsg_expand(tmpl, n ? kv : NULL, n, &b);
	return buf_detach(&b, NULL);
}

#define assert_expand(tmpl, vals, n, want)                                                 \
	do {                                                                               \
		char *got_ = expand((tmpl), (vals), (n));                                  \
		cr_assert_str_eq(got_, (want), "template '%s'", (tmpl));                  \
		free(got_);                                                                \
	} while (0)

static const char *
tmpl_of(const char *provider, int64_t id)
{
	return evmsg_template(sv_cstr(provider), id);
}

/* ---- lookup ---------------------------------------------------------------- */

Test(evmsg, every_documented_entry_is_found)
{
	static const struct {
		const char *provider;
		int64_t id;
	} keys[] = {
		{ ".NET Runtime", 1000 }, { ".NET Runtime", 1026 }, { ".NET Runtime", 1028 },
		{ ".NET Runtime", 1100 }, { ".NET Runtime", 1113 }, { ".NET Runtime", 1130 },
		{ "Application Error", 1000 }, { "Application Hang", 1002 },
		{ "MsiInstaller", 1001 }, { "MsiInstaller", 1004 }, { "MsiInstaller", 1005 },
		{ "MsiInstaller", 1015 }, { "MsiInstaller", 1019 }, { "MsiInstaller", 1020 },
		{ "MsiInstaller", 1021 }, { "MsiInstaller", 1022 }, { "MsiInstaller", 1023 },
		{ "MsiInstaller", 1024 }, { "MsiInstaller", 1025 }, { "MsiInstaller", 1029 },
		{ "MsiInstaller", 1033 }, { "MsiInstaller", 1034 }, { "MsiInstaller", 1035 },
		{ "MsiInstaller", 1036 }, { "MsiInstaller", 1037 }, { "MsiInstaller", 1038 },
		{ "MsiInstaller", 1040 }, { "MsiInstaller", 1041 }, { "MsiInstaller", 1042 },
		{ "MsiInstaller", 1043 }, { "MsiInstaller", 10005 }, { "MsiInstaller", 10032 },
		{ "MsiInstaller", 10033 }, { "MsiInstaller", 11101 }, { "MsiInstaller", 11301 },
		{ "MsiInstaller", 11336 }, { "MsiInstaller", 11401 }, { "MsiInstaller", 11410 },
		{ "MsiInstaller", 11500 }, { "MsiInstaller", 11503 }, { "MsiInstaller", 11601 },
		{ "MsiInstaller", 11608 }, { "MsiInstaller", 11701 }, { "MsiInstaller", 11707 },
		{ "MsiInstaller", 11708 }, { "MsiInstaller", 11724 }, { "MsiInstaller", 11728 },
		{ "MsiInstaller", 11732 }, { "MsiInstaller", 11801 }, { "MsiInstaller", 11807 },
		{ "MsiInstaller", 11901 }, { "MsiInstaller", 11946 },
		{ "Schannel", 36871 }, { "Schannel", 36874 }, { "Schannel", 36876 },
		{ "Schannel", 36881 }, { "Schannel", 36882 }, { "Schannel", 36884 },
		{ "Schannel", 36887 },
		{ "Service Control Manager", 7000 }, { "Service Control Manager", 7001 },
		{ "Service Control Manager", 7002 }, { "Service Control Manager", 7003 },
		{ "Service Control Manager", 7009 }, { "Service Control Manager", 7011 },
		{ "Service Control Manager", 7022 }, { "Service Control Manager", 7023 },
		{ "Service Control Manager", 7024 }, { "Service Control Manager", 7026 },
		{ "Service Control Manager", 7031 }, { "Service Control Manager", 7032 },
		{ "Service Control Manager", 7034 }, { "Service Control Manager", 7035 },
		{ "Service Control Manager", 7036 }, { "Service Control Manager", 7038 },
		{ "Service Control Manager", 7040 }, { "Service Control Manager", 7041 },
		{ "Service Control Manager", 7042 }, { "Service Control Manager", 7043 },
		{ "Service Control Manager", 7045 },
		{ "SQLLocalDB 11.0", 528 }, { "SQLLocalDB 15.0", 528 },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_expect_not_null(tmpl_of(keys[i].provider, keys[i].id), "%s %lld", keys[i].provider,
				   (long long)keys[i].id);
}

Test(evmsg, unknown_provider_or_id_is_null)
{
	cr_expect_null(tmpl_of("ADSync", 6100));
	cr_expect_null(tmpl_of("Directory Synchronization", 611));
	cr_expect_null(tmpl_of("Azure AD Connect Upgrade", 300));
	cr_expect_null(tmpl_of("Microsoft Entra Connect Upgrade", 300));
	cr_expect_null(tmpl_of("MsiInstaller", 1));
	cr_expect_null(tmpl_of("MsiInstaller", 1030));
	cr_expect_null(tmpl_of("MsiInstaller", 11700));	/* just below a range */
	cr_expect_null(tmpl_of("MsiInstaller", 11733));	/* just above it */
	cr_expect_null(tmpl_of("MsiInstaller", 35009));	/* package Error table, not msimsg.dll */
	cr_expect_null(tmpl_of("Schannel", 36888));	/* text differs between builds */
	cr_expect_null(tmpl_of("Service Control Manager", 6999));
	cr_expect_null(tmpl_of("Service Control Manager", 7046));
	cr_expect_null(tmpl_of("Service Control", 7036));	/* a prefix is not the name */
	cr_expect_null(tmpl_of("Service Control Manager2", 7036));
	cr_expect_null(tmpl_of("", 7036));
	cr_expect_null(evmsg_template(SV_NULL, 7036));
	cr_expect_null(tmpl_of("Service Control Manager", -7036));
	cr_expect_null(tmpl_of("Service Control Manager", INT64_MAX));
	cr_expect_null(tmpl_of("SQLLocalDB 15.0", 527));
	cr_expect_null(tmpl_of("SQLLocalDB x", 528));
	cr_expect_null(tmpl_of("SQLLocalDB ", 528));
}

Test(evmsg, provider_without_case)
{
	const char *t = tmpl_of("Service Control Manager", 7036);

	cr_assert_not_null(t);
	cr_expect_eq(tmpl_of("service control manager", 7036), t);
	cr_expect_eq(tmpl_of("SERVICE CONTROL MANAGER", 7036), t);
	cr_expect_eq(tmpl_of("Microsoft-Windows-Service Control Manager", 7036), t);
	cr_expect_eq(tmpl_of("microsoft-windows-service control manager", 7036), t);
	cr_expect_eq(tmpl_of("msiinstaller", 1033), tmpl_of("MsiInstaller", 1033));
	cr_expect_eq(tmpl_of("MSIINSTALLER", 11708), tmpl_of("MsiInstaller", 11708));
	cr_expect_eq(tmpl_of(".net runtime", 1026), tmpl_of(".NET Runtime", 1026));
	cr_expect_eq(tmpl_of("sqllocaldb 16.0", 528), tmpl_of("SQLLocalDB 11.0", 528));
}

Test(evmsg, provider_is_a_view_not_a_c_string)
{
	const char *s = "MsiInstallerXYZ";
	const char *g = guard_copy("MsiInstaller", 12);	/* no NUL after it */

	cr_expect_not_null(evmsg_template(sv_make(s, 12), 1033));
	cr_expect_null(evmsg_template(sv_make(s, 13), 1033));
	cr_expect_not_null(evmsg_template(sv_make(g, 12), 1033));
	g = guard_copy("SQLLocalDB 15.0", 15);
	cr_expect_not_null(evmsg_template(sv_make(g, 15), 528));
}

Test(evmsg, full_message_id_uses_low_16_bits)
{
	/* Get-EventLog's InstanceId for 7036 and 7000 (severity bits set). */
	cr_expect_eq(tmpl_of("Service Control Manager", 1073748860), tmpl_of("Service Control Manager", 7036));
	cr_expect_eq(tmpl_of("Service Control Manager", 3221232472LL), tmpl_of("Service Control Manager", 7000));
}

/* ---- documented renderings ---------------------------------------------------- */

Test(evmsg, msiinstaller_1033_documented_order)
{
	/* Inserts as the real event stores them (corpus deepbluecli ... evtx):
	 * name, version, language, status, manufacturer, (NULL), "". */
	static const char *const v[] = { "Microsoft Intune Connector", "6.1711.4.0", "1033", "0",
					  "Microsoft Corporation", "(NULL)", "" };

	assert_expand(tmpl_of("MsiInstaller", 1033), v, 7,
		      "Windows Installer installed the product. Product Name: Microsoft Intune Connector. "
		      "Product Version: 6.1711.4.0. Product Language: 1033. Manufacturer: Microsoft "
		      "Corporation. Installation success or error status: 0.");
}

Test(evmsg, msiinstaller_1036_update)
{
	static const char *const v[] = { "Microsoft .NET Framework 4 Client Profile", "4.0.30319", "0",
					  "KB2789642", "0", "Microsoft Corporation", "" };

	assert_expand(tmpl_of("MsiInstaller", 1036), v, 7,
		      "Windows Installer installed an update. Product Name: Microsoft .NET Framework 4 "
		      "Client Profile. Product Version: 4.0.30319. Product Language: 0. Manufacturer: "
		      "Microsoft Corporation. Update Name: KB2789642. Installation success or error "
		      "status: 0.");
}

Test(evmsg, msiinstaller_11708_is_the_first_insert)
{
	static const char *const v[] = { "Product: EMET 5.51 -- Installation failed.", "(NULL)", "(NULL)",
					  "(NULL)", "(NULL)", "(NULL)", "" };

	assert_expand(tmpl_of("MsiInstaller", 11708), v, 7, "Product: EMET 5.51 -- Installation failed.");
}

Test(evmsg, msiinstaller_1040_transaction)
{
	static const char *const v[] = { "C:\\49a00b74f4ac01327865\\netfx_Core_x86.msi", "3472", "(NULL)" };

	assert_expand(tmpl_of("MsiInstaller", 1040), v, 3,
		      "Beginning a Windows Installer transaction: C:\\49a00b74f4ac01327865\\netfx_Core_x86.msi. "
		      "Client Process Id: 3472.");
}

Test(evmsg, scm_7036_and_7000)
{
	static const char *const v36[] = { "Windows Modules Installer", "stopped" };
	static const char *const v00[] = { "ADSync", "%%1053" };

	assert_expand(tmpl_of("Service Control Manager", 7036), v36, 2,
		      "The Windows Modules Installer service entered the stopped state.");
	/* The parameter reference stays as it is; %n is a line break. */
	assert_expand(tmpl_of("Service Control Manager", 7000), v00, 2,
		      "The ADSync service failed to start due to the following error: \n%%1053");
}

Test(evmsg, scm_7045_lines)
{
	static const char *const v[] = { "BCSWAP", "C:\\Windows\\system32\\drivers\\BCSWAP.sys",
					  "kernel mode driver", "disabled", "" };

	assert_expand(tmpl_of("Service Control Manager", 7045), v, 5,
		      "A service was installed in the system.\n\nService Name:  BCSWAP\nService File Name:  "
		      "C:\\Windows\\system32\\drivers\\BCSWAP.sys\nService Type:  kernel mode driver\n"
		      "Service Start Type:  disabled\nService Account:  ");
}

Test(evmsg, application_error_1000_windows7_has_13_inserts)
{
	/* The real Windows 7 event in the corpus (13 unnamed inserts). */
	static const char *const v[] = { "rundll32.exe", "6.1.7600.16385", "4a5bc637", "KERNELBASE.dll",
					  "6.1.7601.23392", "56eb2fb9", "c0000005", "00000003", "ffc",
					  "01d1f98cb1cb25dd", "C:\\Windows\\system32\\rundll32.exe",
					  "C:\\Windows\\system32\\KERNELBASE.dll",
					  "efc65f51-657f-11e6-8eb4-000c290d8d3a" };

	assert_expand(tmpl_of("Application Error", 1000), v, 13,
		      "Faulting application name: rundll32.exe, version: 6.1.7600.16385, time stamp: 0x4a5bc637\n"
		      "Faulting module name: KERNELBASE.dll, version: 6.1.7601.23392, time stamp: 0x56eb2fb9\n"
		      "Exception code: 0xc0000005\n"
		      "Fault offset: 0x00000003\n"
		      "Faulting process id: 0xffc\n"
		      "Faulting application start time: 0x01d1f98cb1cb25dd\n"
		      "Faulting application path: C:\\Windows\\system32\\rundll32.exe\n"
		      "Faulting module path: C:\\Windows\\system32\\KERNELBASE.dll\n"
		      "Report Id: efc65f51-657f-11e6-8eb4-000c290d8d3a\n"
		      "Faulting package full name: \n"
		      "Faulting package-relative application ID: ");
}

Test(evmsg, sqllocaldb_528)
{
	static const char *const v[] = { "WaitForMultipleObjects", "575",
					  "{Application Error}\r\nThe application was unable to start correctly "
					  "(0x%lx). Click OK to close the application.\r\n",
					  "3714", "" };

	assert_expand(tmpl_of("SQLLocalDB 15.0", 528), v, 5,
		      "Windows API call WaitForMultipleObjects returned error code: 575. Windows system "
		      "error message is: {Application Error}\r\nThe application was unable to start "
		      "correctly (0x%lx). Click OK to close the application.\r\nReported at line: 3714. ");
}

Test(evmsg, dotnet_runtime_1026_is_the_insert)
{
	static const char *const v[] = { "Application: miiserver.exe\nFramework Version: v4.0.30319\n" };

	assert_expand(tmpl_of(".NET Runtime", 1026), v, 1,
		      "Application: miiserver.exe\nFramework Version: v4.0.30319\n");
}

/* ---- expansion ------------------------------------------------------------------ */

Test(evmsg, percent_percent_is_percent)
{
	static const char *const v[] = { "a" };

	assert_expand("100%% done, %%1 is not %1", v, 1, "100% done, %1 is not a");
	assert_expand("%%%%", v, 1, "%%");
	assert_expand("%%%1%%", v, 1, "%a%");
}

Test(evmsg, two_digits_greedy)
{
	static const char *const one[] = { "A" };
	static const char *const ten[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "TEN", "11", "12" };

	/* "%10" is insert 10, even when there is only one insert. */
	assert_expand("[%10]", one, 1, "[]");
	assert_expand("[%10]", ten, 10, "[TEN]");
	/* At most two digits: "%100" is insert 10 and a '0'. */
	assert_expand("[%100]", ten, 10, "[TEN0]");
	assert_expand("[%1%2]", ten, 2, "[12]");
	assert_expand("[%12]", ten, 12, "[12]");
	assert_expand("[%99]", ten, 12, "[]");
	assert_expand("[%1 0]", one, 1, "[A 0]");
}

Test(evmsg, n_and_t_are_line_break_and_tab)
{
	static const char *const v[] = { "x" };

	assert_expand("a%nb%tc%n", v, 1, "a\nb\tc\n");
	assert_expand("%1%n%t%1", v, 1, "x\n\tx");
}

Test(evmsg, other_escapes_are_kept)
{
	static const char *const v[] = { "x" };

	assert_expand("%0 %x %r %! %. %- %1", v, 1, "%0 %x %r %! %. %- x");
	assert_expand("50% off", v, 1, "50% off");
}

Test(evmsg, missing_inserts_are_empty)
{
	static const char *const v[] = { "a", "b" };

	assert_expand("<%1|%2|%3|%4>", v, 2, "<a|b||>");
	assert_expand("<%1|%2|%3>", v, 0, "<||>");
}

Test(evmsg, no_data)
{
	struct buf b;

	buf_init(&b, 1024);
	evmsg_expand("x=%1, y=%2%n", NULL, 0, &b);
	cr_expect_str_eq(b.data, "x=, y=\n");
	buf_reset(&b);
	evmsg_expand("x=%1", NULL, 5, &b);	/* a count without data is no data */
	cr_expect_str_eq(b.data, "x=");
	buf_reset(&b);
	evmsg_expand("", NULL, 0, &b);
	cr_expect_str_eq(b.data, "");
	cr_expect_eq(b.len, 0);
	buf_reset(&b);
	evmsg_expand(NULL, NULL, 0, &b);
	cr_expect_eq(b.len, 0);
	buf_release(&b);
}

Test(evmsg, template_ending_in_percent)
{
	static const char *const v[] = { "v" };
	const char *g;
	char *got;

	assert_expand("%", v, 1, "%");
	assert_expand("abc %1%", v, 1, "abc v%");
	assert_expand("%%%", v, 1, "%%");
	/* The template ends where an unreadable page begins: no byte past the
	 * NUL is read. */
	g = guard_copy("tail %1%", sizeof("tail %1%"));
	got = expand(g, v, 1);
	cr_expect_str_eq(got, "tail v%");
	free(got);
	g = guard_copy("%1", sizeof("%1"));
	got = expand(g, v, 1);
	cr_expect_str_eq(got, "v");
	free(got);
}

Test(evmsg, values_are_views_and_not_expanded_again)
{
	struct ec_kv kv[2] = { KV("%2 and %%"), KV("second") };
	const char *g = guard_copy("no NUL here", 11);
	struct buf b;

	buf_init(&b, 1024);
	evmsg_expand("[%1][%2]", kv, 2, &b);
	cr_expect_str_eq(b.data, "[%2 and %%][second]");
	buf_reset(&b);
	/* A value that ends at an unreadable page, with no NUL after it. */
	kv[0].value = sv_make(g, 11);
	evmsg_expand("<%1>", kv, 1, &b);
	cr_expect_str_eq(b.data, "<no NUL here>");
	buf_reset(&b);
	/* Embedded NUL bytes in a value are copied as they are. */
	kv[0].value = sv_make("a\0b", 3);
	evmsg_expand("%1", kv, 1, &b);
	cr_expect_eq(b.len, 3);
	cr_expect(memcmp(b.data, "a\0b", 3) == 0);
	buf_reset(&b);
	kv[0].value = SV_NULL;
	evmsg_expand("(%1)", kv, 1, &b);
	cr_expect_str_eq(b.data, "()");
	buf_release(&b);
}

Test(evmsg, output_is_appended_and_bounded)
{
	struct ec_kv kv[1] = { KV("0123456789") };
	struct buf b;

	buf_init(&b, 8);
	buf_adds(&b, "ab");
	evmsg_expand("%1%1", kv, 1, &b);
	cr_expect_eq(b.len, 8);
	cr_expect_str_eq(b.data, "ab012345");
	cr_expect(b.truncated);
	buf_release(&b);
}

/* ---- parameter inserts and the providers without a documented table ------ */

/* The message as winevent_message() builds it for an EVTX/XML event. */
static char *
render(const char *provider, int64_t id, const char *const *vals, size_t n)
{
	struct ec_kv kv[16];
	struct buf b;

	cr_assert(n <= 16);
	for (size_t i = 0; i < n; i++) {
		kv[i].name = SV_LIT("Data");
		kv[i].value = sv_cstr(vals[i]);
	}
	buf_init(&b, 1 << 20);
	winevent_message(sv_cstr(provider), id, n ? kv : NULL, n, &b);
	return buf_detach(&b, NULL);
}

Test(evmsg, scm_parameter_inserts_read_as_event_viewer_shows_them)
{
	static const char *const v7000[] = { "Microsoft Azure AD Sync", "%%1069" };
	static const char *const v7038[] = { "Microsoft Azure AD Sync", "CONTOSO\\svc-adsync", "%%1330" };
	static const char *const vunk[] = { "ADSync", "%%4242" };
	char *m;

	m = render("Service Control Manager", 7000, v7000, 2);
	cr_expect_str_eq(m, "The Microsoft Azure AD Sync service failed to start due to the following "
			    "error: \nThe service did not start due to a logon failure.");
	free(m);
	m = render("Microsoft-Windows-Service Control Manager", 7038, v7038, 3);
	cr_expect(strstr(m, "unable to log on as CONTOSO\\svc-adsync with the currently configured "
			    "password due to the following error: \nThe password for this account has "
			    "expired.\n\nTo ensure") != NULL, "%s", m);
	free(m);
	/* a code not in the table stays as written */
	m = render("Service Control Manager", 7000, vunk, 2);
	cr_expect_str_eq(m, "The ADSync service failed to start due to the following error: \n%%4242");
	free(m);
	cr_expect_str_eq(evmsg_param(SV_LIT("Service Control Manager"), SV_LIT("%%1053")),
			 "The service did not respond to the start or control request in a timely "
			 "fashion.");
	cr_expect_str_eq(evmsg_param(SV_LIT("service control manager"), SV_LIT(" %%1331 ")),
			 "This user can't sign in because this account is currently disabled.");
	/* only whole "%%<digits>" values, only for the SCM */
	cr_expect_null(evmsg_param(SV_LIT("Service Control Manager"), SV_LIT("%%1069 x")));
	cr_expect_null(evmsg_param(SV_LIT("Service Control Manager"), SV_LIT("1069")));
	cr_expect_null(evmsg_param(SV_LIT("Service Control Manager"), SV_LIT("%%")));
	cr_expect_null(evmsg_param(SV_LIT("MsiInstaller"), SV_LIT("%%1069")));
	cr_expect_null(evmsg_param(SV_LIT("ADSync"), SV_LIT("%%1069")));
}

/* ADSync and Directory Synchronization publish no message table (see the
 * top of evmsg.c): no template for the events the catalogue reads, and an
 * event renders as its inserts, joined with "; " when there are several.
 * One insert renders as itself (here the first line of the 611 description
 * of rpc-errors-affecting-aadconnect.md, verbatim). */
Test(evmsg, adsync_and_directory_synchronization_have_no_template)
{
	static const char *const v611[] = {
		"Password hash synchronization failed for domain: contoso.com, domain controller "
		"hostname: <not available>, domain controller IP address: <not available>."
	};
	static const int ids[] = { 0, 115, 611, 650, 651, 652, 653, 654, 655, 656, 657, 904, 906 };
	static const int adsync[] = { 2005, 6050, 6100, 6226, 6301, 6329, 6803, 6900, 6941, 6947 };
	char *m;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		cr_expect_null(evmsg_template(SV_LIT("Directory Synchronization"), ids[i]));
	for (size_t i = 0; i < sizeof(adsync) / sizeof(adsync[0]); i++)
		cr_expect_null(evmsg_template(SV_LIT("ADSync"), adsync[i]));
	m = render("Directory Synchronization", 611, v611, 1);
	cr_expect_str_eq(m, v611[0]);
	free(m);
}
