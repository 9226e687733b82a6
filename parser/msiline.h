/* SPDX-License-Identifier: MIT */
/* msiline.h - the line grammar of Windows Installer verbose logs
 * (msiexec /l*v), shared by the MSI log parser and by the trace parser,
 * which finds MSI lines the wizard copies into its exception records.
 * FORMATS-AND-SIGNATURES.md section (b) has the forms and real examples. */
#ifndef PARSER_MSILINE_H
#define PARSER_MSILINE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strview.h"
#include "common/timeutil.h"

enum msi_kind {
	MSI_OTHER = 0,		/* no known form: custom action output, continuation */
	MSI_LOG_START,		/* === Verbose logging started: DATE  TIME  Build type: ...  Calling process: P === */
	MSI_LOG_STOP,		/* === Verbose logging stopped: DATE  TIME === (also "=== Logging ...": a
				 * verbose log holds those inside its session, around the UI part) */
	MSI_ACTION_START,	/* Action start HH:MM:SS: NAME. */
	MSI_ACTION_END,		/* Action ended HH:MM:SS: NAME. Return value N. */
	MSI_ACTION_INFO,	/* Action HH:MM:SS: NAME. description */
	MSI_DOING_ACTION,	/* Doing action: NAME */
	MSI_CA_ERROR,		/* CustomAction NAME returned actual error code N (...) */
	MSI_PRODUCT_ERROR,	/* Product: NAME -- Error NNNNN.MESSAGE */
	MSI_PRODUCT_RESULT,	/* Product: NAME -- Installation failed. (any other text) */
	MSI_ERROR,		/* Error NNNNN.MESSAGE */
	MSI_INFO,		/* Info NNNN.MESSAGE */
	MSI_WARNING,		/* Warning NNNN.MESSAGE */
	MSI_NOTE,		/* Note: 1: NNNN 2: ... */
	MSI_SUMMARY,		/* Windows Installer installed the product. Product Name: ... status: N. */
	MSI_ENGINE_RETURN,	/* MainEngineThread is returning N */
	MSI_PROPERTY,		/* Property(S): NAME = VALUE */
	MSI_PROPERTY_CHANGE,	/* PROPERTY CHANGE: Adding NAME property. Its value is 'V'. */
	MSI_PACKAGE,		/* ******* Product: PATH */
	MSI_COMMAND_LINE,	/* Command Line: ... */
};

/* One line, split into its parts. Views point into the line. */
struct msi_line {
	enum msi_kind kind;
	bool engine;		/* it had the "MSI (s) (PP:TT) [HH:MM:SS:mmm]: " prefix */
	char ctx;		/* 's', 'c' or 'N' from that prefix, else 0 */
	bool ca_thread;		/* the prefix had '!' (a custom action's thread) */
	struct sv thread;	/* "C0:0C" */
	int32_t tod_ms;		/* time of day from the prefix or the Action line, else -1 */
	struct sv text;		/* the line after the engine prefix */
	struct sv name;		/* action, custom action, property or product name */
	struct sv value;	/* message, property value, result text, path or command line */
	struct sv version;	/* summary: Product Version */
	struct sv verb;		/* summary: "installed", "removed", "reconfigured" ...;
				 * property change: "Adding", "Modifying", "Deleting" */
	struct sv date;		/* header and footer: date as written */
	struct sv time;		/* header and footer: time as written */
	bool verbose;		/* header and footer: "Verbose logging", not "Logging" */
	int64_t number;		/* return value, error code or number, note, status; -1 */
	char scope;		/* property dump: 'S', 'C' or 'N' */
};

/* Split a line. Never fails: a line of no known form is MSI_OTHER (with
 * the engine prefix parsed if it has one). Reads only line.p[0..line.n). */
void msi_line_parse(struct sv line, struct msi_line *out);

/* True for lines that always start a record of their own (everything but
 * MSI_OTHER), cheap enough to run on every line. */
bool msi_line_starts(struct sv line);

/* A product name of the sync engine under any of its brands: "Microsoft
 * Azure AD Connect synchronization services", "Microsoft Entra Connect
 * synchronization services", "Forefront Identity Manager Synchronization
 * Service", "Azure AD Sync Engine" (case ignored). */
bool msi_is_sync_engine(struct sv product);

/* How the header's date was read. */
enum msi_date_order {
	MSI_DATE_BAD = 0,	/* not a date */
	MSI_DATE_YMD,		/* 2017-05-25, 2017/05/25 */
	MSI_DATE_MDY,		/* 5/25/2017: the day is over 12 */
	MSI_DATE_DMY,		/* 25/5/2017 or 25.05.2017 */
	MSI_DATE_MDY_ASSUMED,	/* 5/6/2017: either order; month first assumed (US, msiexec's own) */
	MSI_DATE_DMY_HINT,	/* either order; day first, as the hint date says */
	MSI_DATE_MDY_HINT,	/* either order; month first, as the hint date says */
};

/* Read the header's date and time ("5/25/2017", "15:52:17" or "3:52:17 PM")
 * into c. hint (a date from the file name, or NULL) settles 5/6/2017. */
enum msi_date_order msi_header_date(struct sv date, struct sv time, const struct civil *hint,
				    struct civil *c);

#endif
