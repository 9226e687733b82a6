/* SPDX-License-Identifier: MIT */
/* cmd_export.c - 'ecdiag export': events and findings as NDJSON with ECS
 * field names, or the timeline as CSV (reports/export.h, docs/EXPORT.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/timeline.h"
#include "reports/export.h"
#include "src/cli.h"
#include "common/strview.h"

static const char export_usage[] =
	"usage: ecdiag export --db CASE.db [--format ndjson|csv] [-o FILE]\n"
	"                     [--what events|findings|all] [--bulk INDEX] [--host NAME]\n"
	"\n"
	"Write the case for other tools. ndjson: every event and every finding as\n"
	"one JSON object per line with Elastic Common Schema field names\n"
	"(@timestamp, message, event.*, log.*, host.name, winlog.* for Windows\n"
	"events, ecdiag.* for the rest), for the Elasticsearch/OpenSearch bulk API,\n"
	"Azure Data Explorer (multijson) or DuckDB read_ndjson. csv: the timeline\n"
	"the HTML report draws, one row per item (start, end, lane, kind, status,\n"
	"label, detail, path, line, record). Findings and the timeline come from\n"
	"the last 'ecdiag analyze'. The fields are in docs/EXPORT.md.\n"
	"\n"
	"options:\n"
	"  --db FILE        case database\n"
	"  --format F       ndjson (default) or csv\n"
	"  -o, --output F   write to F instead of standard output\n"
	"  --what W         ndjson: events, findings or all (default)\n"
	"  --bulk INDEX     ndjson: an Elasticsearch bulk API action line\n"
	"                   {\"index\":{\"_index\":\"INDEX\"}} before each document\n"
	"  --host NAME      ndjson: host.name of records that name no computer\n"
	"\n"
	"exit codes: 0 done, 1 the output could not be written, 2 usage, 4 database\n";

enum { WHAT_EVENTS = 1, WHAT_FINDINGS = 2 };

#define EXPORT_EXIT_WRITE 1
#define OUT_BUFFER ((size_t)1 << 20)

struct run {
	struct exporter x;
	FILE *out;
	int wrc;			/* EXPORT_WRITE once writing failed */
	uint64_t too_large;		/* documents left out */
};

static int
on_event(void *ctx, const struct store_export_row *r)
{
	struct run *run = ctx;
	int rc = export_event_ndjson(run->out, &run->x, r);

	if (rc == EXPORT_TOO_LARGE) {
		run->too_large++;
		return 0;
	}
	if (rc != EXPORT_OK) {
		run->wrc = rc;
		return 1;
	}
	return 0;
}


static int
load(struct store *s, struct analysis *a, const char *what)
{
	if (analysis_load(s, a) != STORE_OK) {
		errorf("cannot read the analysis: %s", store_errmsg(s));
		analysis_release(a);
		return EC_EXIT_DB;
	}
	if (!a->current)
		warnf("the stored analysis is older than the last ingest (or there is none): "
		      "%s come%s from the last 'ecdiag analyze'", what, strcmp(what, "findings") ? "s" : "");
	return EC_EXIT_HEALTHY;
}

static int
export_ndjson(struct store *s, struct run *run, unsigned what)
{
	struct analysis a;
	int rc;

	if ((what & WHAT_FINDINGS) && (rc = load(s, &a, "findings")) != EC_EXIT_HEALTHY)
		return rc;
	rc = EC_EXIT_HEALTHY;
	if ((what & WHAT_EVENTS) && store_export_events(s, on_event, run) < 0) {
		errorf("cannot read the events: %s", store_errmsg(s));
		rc = EC_EXIT_DB;
	}
	for (size_t i = 0; (what & WHAT_FINDINGS) && rc == EC_EXIT_HEALTHY && run->wrc == 0 && i < a.nfindings;
	     i++) {
		int frc = export_finding_ndjson(run->out, &run->x, &a.findings[i]);

		if (frc == EXPORT_TOO_LARGE)
			run->too_large++;
		else if (frc != EXPORT_OK)
			run->wrc = frc;
	}
	if (what & WHAT_FINDINGS)
		analysis_release(&a);
	if (run->too_large)
		warnf("%llu records larger than %zu MiB as JSON were left out",
		      (unsigned long long)run->too_large, EXPORT_LINE_MAX >> 20);
	return rc;
}

static int
export_csv(struct store *s, struct run *run)
{
	struct analysis a;
	struct timeline t;
	int rc;

	if ((rc = load(s, &a, "the timeline")) != EC_EXIT_HEALTHY)
		return rc;
	timeline_build(&a, &t);
	if (export_timeline_csv(run->out, &t) != 0)
		run->wrc = EXPORT_WRITE;
	timeline_release(&t);
	analysis_release(&a);
	return EC_EXIT_HEALTHY;
}

static bool
parse_what(const char *w, unsigned *what)
{
	if (strcmp(w, "events") == 0)
		*what = WHAT_EVENTS;
	else if (strcmp(w, "findings") == 0)
		*what = WHAT_FINDINGS;
	else if (strcmp(w, "all") == 0)
		*what = WHAT_EVENTS | WHAT_FINDINGS;
	else
		return false;
	return true;
}

int
cmd_export(int argc, char **argv)
{
	const char *db = NULL, *format = "ndjson", *out_path = NULL, *what_s = NULL;
	const char *bulk = NULL, *host = NULL;
	struct export_opts eo = { 0 };
	struct run run = { 0 };
	unsigned what = WHAT_EVENTS | WHAT_FINDINGS;
	bool csv;
	struct store *s;
	int rc, r;

	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(export_usage, stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "--db", NULL, &db)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--format", "-f", &format)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--output", "-o", &out_path)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--what", NULL, &what_s)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--bulk", NULL, &bulk)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--host", NULL, &host)) != 0) {
			if (r < 0)
				goto usage;
			continue;
		}
		return bad_option("export", argv[i]);
	}
	if (!db) {
		errorf("export needs --db CASE.db");
		goto usage;
	}
	csv = strcmp(format, "csv") == 0;
	if (!csv && strcmp(format, "ndjson") != 0) {
		errorf("unknown export format '%s' (ndjson or csv)", format);
		goto usage;
	}
	if (what_s && !parse_what(what_s, &what)) {
		errorf("unknown --what '%s' (events, findings or all)", what_s);
		goto usage;
	}
	if (csv && (what_s || bulk || host)) {
		errorf("--what, --bulk and --host are for --format ndjson");
		goto usage;
	}
	if (bulk && !*bulk) {
		errorf("--bulk needs an index name");
		goto usage;
	}
	if ((rc = open_store(db, STORE_RO, &s)) != EC_EXIT_HEALTHY)
		return rc;
	run.out = stdout;
	if (out_path && !(run.out = fopen(out_path, "w"))) {
		errorf("cannot write '%s': %s", out_path, strerror(errno));
		store_close(s);
		return EXPORT_EXIT_WRITE;
	}
	setvbuf(run.out, NULL, _IOFBF, OUT_BUFFER);
	eo.case_name = path_base(db);
	eo.host = host;
	eo.bulk_index = bulk;
	export_init(&run.x, &eo);
	rc = csv ? export_csv(s, &run) : export_ndjson(s, &run, what);
	if (fflush(run.out) != 0)
		run.wrc = EXPORT_WRITE;
	if (run.out != stdout && fclose(run.out) != 0)
		run.wrc = EXPORT_WRITE;
	if (run.wrc != 0) {
		errorf("cannot write the export%s%s: %s", out_path ? " to " : "", out_path ? out_path : "",
		       strerror(errno));
		if (rc == EC_EXIT_HEALTHY)
			rc = EXPORT_EXIT_WRITE;
	}
	export_release(&run.x);
	store_close(s);
	return rc;
usage:
	fputs(export_usage, stderr);
	return EC_EXIT_USAGE;
}
