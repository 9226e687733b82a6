/* SPDX-License-Identifier: MIT */
/* evmsg.c - the documented message texts of the Windows event providers
 * ecdiag cares about, so that a message line can be built offline from the
 * insertion strings of an event (the text itself lives in message DLLs that
 * a Linux tool does not have).
 *
 * Every text below was copied from a source that lists the provider's
 * message table, named next to its group; none was made up. Texts are kept
 * as the message tables spell them, with FormatMessage escapes: %1..%99 are
 * inserts, %n a line break, %t a tab. The trailing CR LF that the message
 * compiler adds to every message is left out.
 *
 * Providers with no documented template are absent on purpose: ADSync,
 * Directory Synchronization, Azure AD Connect Upgrade / Microsoft Entra
 * Connect Upgrade (their message DLLs are not published, and their events
 * carry several inserts, so "%1" alone is not established), and Schannel
 * 36888, whose text differs between Windows builds (older builds print the
 * internal error state %2, newer ones the target name %3 instead): the
 * caller's generic join of the inserts keeps both.
 *
 * Checked again (issue 14) for Directory Synchronization 0, 115, 611,
 * 650-657, 904, 906 and ADSync 2005, 6050, 6100, 6226, 6301, 6329, 6803,
 * 6900, 6941, 6947. Microsoft's articles (troubleshoot-pwd-sync.md,
 * rpc-errors-affecting-aadconnect.md, size-limit-exceeded.md, tvp-errors-
 * when-AADConnect-installed-on-Windows-Server-2019.md, resolve-model-
 * database-corruption-sqllocaldb.md, how-to-upgrade-previous-version.md)
 * and corpus/text/events give rendered texts, or for 2005/6226 the inserts
 * alone, never a message table: which part of "The management agent
 * "Contoso.com" failed on run profile "Delta Import" because of
 * connectivity issues." is template and which is insert is not published
 * (FORMATS-AND-SIGNATURES.md d.3 has only a constructed XML), and no
 * message-file dump of the ADSync or PHS sources was found (libyal/winevt-kb
 * documents Windows' own message files, not these). So none is added: an
 * EVTX event of these sources renders as its inserts, and a signature for
 * them has to match that shape as well as the Event Viewer text.
 *
 * Lookup: providers are sorted by name without case, each with its own
 * table of event id ranges sorted by id; both are searched by bisection. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parser/evmsg.h"

struct evmsg_range {
	uint16_t lo, hi;	/* event ids lo..hi (inclusive) share tmpl */
	const char *tmpl;
};

struct evmsg_provider {
	const char *name;	/* as the provider name is written in events */
	const struct evmsg_range *r;
	size_t n;
	bool sys_params;	/* "%%<code>" inserts are system error messages */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ONE(id, t) { (id), (id), (t) }

/* ---- .NET Runtime ----------------------------------------------------------
 * Message file %SystemRoot%\System32\mscoree.dll: every message is "%1",
 * the whole text is the insert (1026 "Application: ...", 1023, 1025 ...).
 * libyal/winevt-kb docs/sources/message-files/MessageFile-mscoree.dll.md
 * (versions 4.0.40305.0 ... 10.0.22000.1: ids 0x3e8-0x404, 0x44c-0x459,
 * 0x46a); provider -> message file: docs/sources/eventlog-providers/
 * Provider-.NET-Runtime.md. */
static const struct evmsg_range dotnet_runtime[] = {
	{ 1000, 1028, "%1" },
	{ 1100, 1113, "%1" },
	ONE(1130, "%1"),
};

/* ---- Application Error (wer.dll) -------------------------------------------
 * libyal/winevt-kb docs/sources/message-files/MessageFile-wer.dll.md, message
 * 0x3e8, versions 6.2.9200 ... 10.0.19041 (Windows 7 stops at %13; its
 * events have 13 inserts, so the last two lines come out empty). Windows 11
 * builds print "0x0x..." for process id and start time because the named
 * items carry the 0x themselves; the template reproduces that faithfully. */
static const struct evmsg_range application_error[] = {
	ONE(1000, "Faulting application name: %1, version: %2, time stamp: 0x%3%n"
		  "Faulting module name: %4, version: %5, time stamp: 0x%6%n"
		  "Exception code: 0x%7%n"
		  "Fault offset: 0x%8%n"
		  "Faulting process id: 0x%9%n"
		  "Faulting application start time: 0x%10%n"
		  "Faulting application path: %11%n"
		  "Faulting module path: %12%n"
		  "Report Id: %13%n"
		  "Faulting package full name: %14%n"
		  "Faulting package-relative application ID: %15"),
};

/* ---- Application Hang (wersvc.dll) -----------------------------------------
 * libyal/winevt-kb docs/sources/message-files/MessageFile-wersvc.dll.md,
 * message 0x3ea, versions 10.0.17763.1 ... 10.0.22000.1 (Server 2019 and
 * later; 10.0.14393 has no "Hang type" line, which then comes out empty).
 * Each line is written "%n" plus a source line break there; one break is
 * kept. */
static const struct evmsg_range application_hang[] = {
	ONE(1002, "The program %1 version %2 stopped interacting with Windows and was closed. "
		  "To see if more information about the problem is available, check the problem "
		  "history in the Security and Maintenance control panel.%n"
		  "Process ID: %3%n"
		  "Start Time: %4%n"
		  "Termination Time: %5%n"
		  "Application Path: %6%n"
		  "Report Id: %7%n"
		  "Faulting package full name: %8%n"
		  "Faulting package-relative application ID: %9%n"
		  "Hang type: %10"),
};

/* ---- MsiInstaller (msimsg.dll) ---------------------------------------------
 * Texts: scheatkode/brain knowledgebase/systems/windows/event-logs/
 * Microsoft-Windows-MsiServer.md (the msimsg.dll table as Windows 10 lists
 * it, with Manufacturer); the older texts without Manufacturer are in
 * libyal/winevt-kb docs/sources/message-files/MessageFile-msimsg.dll.md.
 * Field meanings: learn.microsoft.com/windows/win32/msi/event-logging
 * (MicrosoftDocs/win32 desktop-src/Msi/event-logging.md). The insert order
 * (1033: name, version, language, status, manufacturer) is confirmed by the
 * real events in corpus/evtx/deepbluecli-many-events-application.evtx, and
 * the rendered line by MSI logs quoted in Microsoft docs ("Windows Installer
 * installed the product. Product Name: Microsoft Intune Connector. ...
 * Manufacturer: Microsoft Corporation. Installation success or error
 * status: 0."). 10005 and 11xxx (Error table number + 10000) are "%1": the
 * whole "Product: X -- ..." text is the first insert. */
static const struct evmsg_range msiinstaller[] = {
	ONE(1001, "Detection of product '%1', feature '%2' failed during request for component '%3'"),
	ONE(1004, "Detection of product '%1', feature '%2', component '%3' failed.  "
		  "The resource '%4' does not exist."),
	ONE(1005, "The Windows Installer initiated a system restart to complete or continue the "
		  "configuration of '%1'."),
	ONE(1015, "Failed to connect to server. Error: %1"),
	ONE(1019, "Product: %1 - Update '%2' was successfully removed."),
	ONE(1020, "Product: %1 - Update '%2' could not be removed. Error code %3. Additional "
		  "information is available in the log file %4."),
	ONE(1021, "Product: %1 - Update '%2' could not be removed. Error code %3. Windows "
		  "Installer can create logs to help troubleshoot issues with installing software "
		  "packages. Use the following link for instructions on turning on logging "
		  "support: http://go.microsoft.com/fwlink/?LinkId=23127"),
	ONE(1022, "Product: %1 - Update '%2' installed successfully."),
	ONE(1023, "Product: %1 - Update '%2' could not be installed. Error code %3. Additional "
		  "information is available in the log file %4."),
	ONE(1024, "Product: %1 - Update '%2' could not be installed. Error code %3. Windows "
		  "Installer can create logs to help troubleshoot issues with installing software "
		  "packages. Use the following link for instructions on turning on logging "
		  "support: http://go.microsoft.com/fwlink/?LinkId=23127"),
	ONE(1025, "Product: %1. The file %2 is being used by the following process: Name: %3 , Id %4."),
	ONE(1029, "Product: %1. Restart required. The installation or update for the product "
		  "required a restart for all changes to take effect.  The restart was deferred "
		  "to a later time."),
	ONE(1033, "Windows Installer installed the product. Product Name: %1. Product Version: "
		  "%2. Product Language: %3. Manufacturer: %5. Installation success or error "
		  "status: %4."),
	ONE(1034, "Windows Installer removed the product. Product Name: %1. Product Version: %2. "
		  "Product Language: %3. Manufacturer: %5. Removal success or error status: %4."),
	ONE(1035, "Windows Installer reconfigured the product. Product Name: %1. Product "
		  "Version: %2. Product Language: %3. Manufacturer: %5. Reconfiguration success "
		  "or error status: %4."),
	ONE(1036, "Windows Installer installed an update. Product Name: %1. Product Version: %2. "
		  "Product Language: %3. Manufacturer: %6. Update Name: %4. Installation success "
		  "or error status: %5."),
	ONE(1037, "Windows Installer removed an update. Product Name: %1. Product Version: %2. "
		  "Product Language: %3. Manufacturer: %6. Update Name: %4. Removal success or "
		  "error status: %5."),
	ONE(1038, "Windows Installer requires a system restart. Product Name: %1. Product "
		  "Version: %2. Product Language: %3. Manufacturer: %6. Type of System Restart: "
		  "%4. Reason for Restart: %5."),
	ONE(1040, "Beginning a Windows Installer transaction: %1. Client Process Id: %2."),
	ONE(1041, "Failed to begin a Windows Installer transaction %1. Error %2 occurred while "
		  "beginning the transaction."),
	ONE(1042, "Ending a Windows Installer transaction: %1. Client Process Id: %2."),
	ONE(1043, "Failed to end a Windows Installer transaction %1. Error %2 occurred while "
		  "ending the transaction."),
	ONE(10005, "%1"),
	{ 10032, 10033, "%1" },
	ONE(11101, "%1"),
	{ 11301, 11336, "%1" },
	{ 11401, 11410, "%1" },
	{ 11500, 11503, "%1" },
	{ 11601, 11608, "%1" },
	{ 11701, 11732, "%1" },
	{ 11801, 11807, "%1" },
	{ 11901, 11946, "%1" },
};

/* ---- Schannel (lsasrv.dll) -------------------------------------------------
 * libyal/winevt-kb docs/sources/message-files/MessageFile-lsasrv.dll.md, the
 * Windows 10 sections (messages 0x9007 ... 0x9017); the same texts with
 * named inserts in scheatkode/brain knowledgebase/systems/windows/
 * event-logs/Schannel.md. 36887 is quoted the same way in Microsoft's KB on
 * TLS RFC support ("A fatal alert was received from the remote endpoint.
 * The TLS protocol defined fatal alert code is 20."). 36888: see the top. */
static const struct evmsg_range schannel[] = {
	ONE(36871, "A fatal error occurred while creating a TLS %1 credential. The internal error "
		   "state is %2."),
	ONE(36874, "An %1 connection request was received from a remote client application, but "
		   "none of the cipher suites supported by the client application are supported by "
		   "the server. The TLS connection request has failed."),
	ONE(36876, "The certificate received from the remote server has not validated correctly. "
		   "The error code is %1. The TLS connection request has failed. The attached data "
		   "contains the server certificate."),
	ONE(36881, "The certificate received from the remote server has either expired or is not "
		   "yet valid. The TLS connection request has failed. The attached data contains "
		   "the server certificate."),
	ONE(36882, "The certificate received from the remote server was issued by an untrusted "
		   "certificate authority. Because of this, none of the data contained in the "
		   "certificate can be validated. The TLS connection request has failed. The "
		   "attached data contains the server certificate."),
	ONE(36884, "The certificate received from the remote server does not contain the expected "
		   "name. It is therefore not possible to determine whether we are connecting to "
		   "the correct server. The server name we were expecting is %1. The TLS connection "
		   "request has failed. The attached data contains the server certificate."),
	ONE(36887, "A fatal alert was received from the remote endpoint. The TLS protocol defined "
		   "fatal alert code is %1."),
};

/* ---- Service Control Manager (services.exe) --------------------------------
 * libyal/winevt-kb docs/sources/message-files/MessageFile-services.exe.md,
 * section 10.0.10586.0 ... 10.0.19041.1; the same texts in scheatkode/brain
 * knowledgebase/systems/windows/event-logs/Service Control Manager.md. Events
 * carry the provider name "Service Control Manager" (corpus/evtx/
 * pyevtx-system.evtx: Provider Name and EventSourceName); the manifest calls
 * itself "Microsoft-Windows-Service Control Manager" (message 0x92000001 of
 * the same file), so both names are accepted. Error inserts such as
 * "%%1053" are parameter-message references that Windows resolves; they are
 * inserted as they are. */
static const struct evmsg_range scm[] = {
	ONE(7000, "The %1 service failed to start due to the following error: %n%2"),
	ONE(7001, "The %1 service depends on the %2 service which failed to start because of the "
		  "following error: %n%3"),
	ONE(7002, "The %1 service depends on the %2 group and no member of this group started."),
	ONE(7003, "The %1 service depends on the following service: %2. This service might not "
		  "be installed."),
	ONE(7009, "A timeout was reached (%1 milliseconds) while waiting for the %2 service to "
		  "connect."),
	ONE(7011, "A timeout (%1 milliseconds) was reached while waiting for a transaction "
		  "response from the %2 service."),
	ONE(7022, "The %1 service hung on starting."),
	ONE(7023, "The %1 service terminated with the following error: %n%2"),
	ONE(7024, "The %1 service terminated with the following service-specific error: %n%2"),
	ONE(7026, "The following boot-start or system-start driver(s) did not load: %1"),
	ONE(7031, "The %1 service terminated unexpectedly.  It has done this %2 time(s).  The "
		  "following corrective action will be taken in %3 milliseconds: %5."),
	ONE(7032, "The Service Control Manager tried to take a corrective action (%2) after the "
		  "unexpected termination of the %3 service, but this action failed with the "
		  "following error: %n%4"),
	ONE(7034, "The %1 service terminated unexpectedly.  It has done this %2 time(s)."),
	ONE(7035, "The %1 service was successfully sent a %2 control."),
	ONE(7036, "The %1 service entered the %2 state."),
	ONE(7038, "The %1 service was unable to log on as %2 with the currently configured "
		  "password due to the following error: %n%3%n%nTo ensure that the service is "
		  "configured properly, use the Services snap-in in Microsoft Management Console "
		  "(MMC)."),
	ONE(7040, "The start type of the %1 service was changed from %2 to %3."),
	ONE(7041, "The %1 service was unable to log on as %2 with the currently configured "
		  "password due to the following error: %nLogon failure: the user has not been "
		  "granted the requested logon type at this computer.%n %nService: %1 %nDomain and "
		  "account: %2%n %nThis service account does not have the required user right "
		  "\"Log on as a service.\"%n %nUser Action%n %nAssign \"Log on as a service\" to "
		  "the service account on this computer. You can use Local Security Settings "
		  "(Secpol.msc) to do this. If this computer is a node in a cluster, check that "
		  "this user right is assigned to the Cluster service account on all nodes in the "
		  "cluster.%n %nIf you have already assigned this user right to the service "
		  "account, and the user right appears to be removed, check with your domain "
		  "administrator to find out if a Group Policy object associated with this node "
		  "might be removing the right."),
	ONE(7042, "The %1 service was successfully sent a %2 control.%n%n The reason specified "
		  "was: %3 [%4]%n%n Comment: %5"),
	ONE(7043, "The %1 service did not shut down properly after receiving a preshutdown "
		  "control."),
	ONE(7045, "A service was installed in the system.%n%nService Name:  %1%nService File "
		  "Name:  %2%nService Type:  %3%nService Start Type:  %4%nService Account:  %5"),
};

/* ---- SQLLocalDB <version> --------------------------------------------------
 * LocalDB message LOCALDB_EDETAIL_WINAPI_ERROR, id 0xC9C50210 (low 16 bits:
 * event 528), text in the LocalDB message section of Microsoft's ODBC
 * driver header msodbcsql.h: "Windows API call %1 returned error code: %2.
 * Windows system error message is: %3Reported at line: %4. %5" (%3 ends in
 * a line break). Matches the rendering Microsoft quotes for source
 * "SQLLocalDB 11.0" ("Windows API call WaitForMultipleObjects returned error
 * code: 575. Windows system error message is: {Application Error} ...
 * Reported at line: 3621.") and the inserts its model-database article gives
 * for "SQLLocalDB 15.0" 528. The source name carries the LocalDB version
 * (11.0, 15.0, ...), so every "SQLLocalDB <version>" is looked up here. */
static const struct evmsg_range sqllocaldb[] = {
	ONE(528, "Windows API call %1 returned error code: %2. Windows system error message is: "
		 "%3Reported at line: %4. %5"),
};

/* ---- System error messages as parameter inserts --------------------------
 * The Service Control Manager writes a Win32 error as the insert "%%<code>"
 * (7000 "... due to the following error: %n%%1069"); Event Viewer replaces
 * it with the system message of that code (the provider's parameter file is
 * the system message table), which is what an export holds. These are the
 * codes a service start can fail with, the texts as Microsoft's System Error
 * Codes pages give them (MicrosoftDocs/win32 desktop-src/Debug/
 * system-error-codes--1000-1299-.md and system-error-codes--1300-1699-.md,
 * learn.microsoft.com/windows/win32/debug/system-error-codes). Codes not
 * listed stay "%%<code>". Older Windows builds word a few of them
 * differently (1326 was "Logon failure: unknown user name or bad
 * password."); signatures match both. Sorted by code. */
static const struct {
	uint16_t code;
	const char *text;
} sys_errors[] = {
	{ 1053, "The service did not respond to the start or control request in a timely fashion." },
	{ 1057, "The account name is invalid or does not exist, or the password is invalid for the "
		"account name specified." },
	{ 1058, "The service cannot be started, either because it is disabled or because it has no "
		"enabled devices associated with it." },
	{ 1067, "The process terminated unexpectedly." },
	{ 1068, "The dependency service or group failed to start." },
	{ 1069, "The service did not start due to a logon failure." },
	{ 1070, "After starting, the service hung in a start-pending state." },
	{ 1079, "The account specified for this service is different from the account specified for "
		"other services running in the same process." },
	{ 1326, "The user name or password is incorrect." },
	{ 1327, "Account restrictions are preventing this user from signing in. For example: blank "
		"passwords aren't allowed, sign-in times are limited, or a policy restriction has "
		"been enforced." },
	{ 1328, "Your account has time restrictions that keep you from signing in right now." },
	{ 1329, "This user isn't allowed to sign in to this computer." },
	{ 1330, "The password for this account has expired." },
	{ 1331, "This user can't sign in because this account is currently disabled." },
};

/* Sorted by name without case (ASCII). */
static const struct evmsg_provider providers[] = {
	{ ".NET Runtime", dotnet_runtime, N(dotnet_runtime), false },
	{ "Application Error", application_error, N(application_error), false },
	{ "Application Hang", application_hang, N(application_hang), false },
	{ "Microsoft-Windows-Service Control Manager", scm, N(scm), true },
	{ "MsiInstaller", msiinstaller, N(msiinstaller), false },
	{ "Schannel", schannel, N(schannel), false },
	{ "Service Control Manager", scm, N(scm), true },
	{ "SQLLocalDB", sqllocaldb, N(sqllocaldb), false },
};

static int
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Compare v with the C string s without case, like strcmp. */
static int
cmp_ci(struct sv v, const char *s)
{
	size_t i;

	for (i = 0; i < v.n; i++) {
		int a = lower((unsigned char)v.p[i]), b = lower((unsigned char)s[i]);

		if (b == 0)
			return 1;	/* s is a proper prefix of v */
		if (a != b)
			return a < b ? -1 : 1;
	}
	return s[i] ? -1 : 0;
}

/* "SQLLocalDB 11.0", "SQLLocalDB 15.0" ...: the version is not part of the key. */
static struct sv
provider_key(struct sv p)
{
	static const char pre[] = "sqllocaldb ";
	size_t n = sizeof(pre) - 1;

	if (p.n > n) {
		for (size_t i = 0; i < n; i++) {
			if (lower((unsigned char)p.p[i]) != pre[i])
				return p;
		}
		for (size_t i = n; i < p.n; i++) {
			if (!((p.p[i] >= '0' && p.p[i] <= '9') || p.p[i] == '.'))
				return p;
		}
		return SV_LIT("SQLLocalDB");
	}
	return p;
}

static const struct evmsg_provider *
find_provider(struct sv provider)
{
	size_t lo = 0, hi = N(providers);

	if (!provider.p || !provider.n)
		return NULL;
	provider = provider_key(provider);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_ci(provider, providers[mid].name);

		if (c == 0)
			return &providers[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
evmsg_param(struct sv provider, struct sv value)
{
	const struct evmsg_provider *pv;
	unsigned long code = 0;
	size_t lo = 0, hi = N(sys_errors);

	value = sv_trim(value);
	if (value.n < 3 || value.n > 7 || value.p[0] != '%' || value.p[1] != '%')
		return NULL;
	for (size_t i = 2; i < value.n; i++) {
		if (value.p[i] < '0' || value.p[i] > '9')
			return NULL;
		code = code * 10 + (unsigned long)(value.p[i] - '0');
	}
	pv = find_provider(provider);
	if (!pv || !pv->sys_params)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (code == sys_errors[mid].code)
			return sys_errors[mid].text;
		if (code < sys_errors[mid].code)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
evmsg_template(struct sv provider, int64_t event_id)
{
	const struct evmsg_provider *pv;
	size_t lo, hi;
	uint16_t id;

	if (event_id < 0 || event_id > (int64_t)UINT32_MAX)
		return NULL;
	/* An event id is 16 bits; larger values are full message ids (an
	 * InstanceId from Get-EventLog, say) whose low 16 bits are the id. */
	id = (uint16_t)(event_id & 0xffff);
	pv = find_provider(provider);
	if (!pv)
		return NULL;
	lo = 0;
	hi = pv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (id < pv->r[mid].lo)
			hi = mid;
		else if (id > pv->r[mid].hi)
			lo = mid + 1;
		else
			return pv->r[mid].tmpl;
	}
	return NULL;
}

void
evmsg_expand(const char *tmpl, const struct ec_kv *data, size_t n, struct buf *out)
{
	const char *p = tmpl, *lit = tmpl;

	if (!tmpl)
		return;
	if (!data)
		n = 0;
	while (*p) {
		size_t num;

		if (*p != '%') {
			p++;
			continue;
		}
		/* A lone '%' at the end is kept as it is (with the literal run). */
		if (p[1] == '\0') {
			p++;
			break;
		}
		if (p > lit)
			buf_add(out, lit, (size_t)(p - lit));
		switch (p[1]) {
		case '%':
			buf_addc(out, '%');
			p += 2;
			break;
		case 'n':
			buf_addc(out, '\n');
			p += 2;
			break;
		case 't':
			buf_addc(out, '\t');
			p += 2;
			break;
		case '1': case '2': case '3': case '4': case '5':
		case '6': case '7': case '8': case '9':
			/* Up to two digits, greedily, as FormatMessage reads them:
			 * "%10" is insert 10, "%100" insert 10 and a '0'. */
			num = (size_t)(p[1] - '0');
			p += 2;
			if (*p >= '0' && *p <= '9') {
				num = num * 10 + (size_t)(*p - '0');
				p++;
			}
			if (num <= n)
				buf_addsv(out, data[num - 1].value);
			break;
		default:
			/* Any other escape ("%0", "%x" ...) is kept literally. */
			buf_add(out, p, 2);
			p += 2;
			break;
		}
		lit = p;
	}
	if (p > lit)
		buf_add(out, lit, (size_t)(p - lit));
}
