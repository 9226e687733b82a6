/* SPDX-License-Identifier: MIT */
/* cmd_query.c - 'ecdiag query' (read-only SQL) and 'ecdiag sources'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/xalloc.h"
#include "reports/report.h"
#include "src/cli.h"

static const char query_usage[] =
	"usage: ecdiag query --db CASE.db [--format table|csv|json] SQL\n"
	"\n"
	"Run one read-only SQL statement on a case database (tables: source,\n"
	"problem, event, event_data, fact, run, run_step, finding, evidence,\n"
	"episode, msi_session, msi_action; view msi_property; see README).\n"
	"Statements that would write are refused. For example:\n"
	"\n"
	"  ecdiag query --db c.db \"SELECT name, return_value, end_line, error_number\n"
	"      FROM msi_action WHERE return_value = 3 ORDER BY end_line\"\n"
	"  ecdiag query --db c.db \"SELECT path, name, value FROM msi_property\n"
	"      WHERE kind = 'S' AND name LIKE 'Product%'\"\n"
	"\n"
	"  --format table   aligned columns (default; widths from the first 1000 rows)\n"
	"  --format csv     RFC 4180, with a header line\n"
	"  --format json    an array of objects, numbers as numbers\n"
	"\n"
	"exit codes: 0 done, 2 usage or SQL error, 4 database\n";

static const char sources_usage[] =
	"usage: ecdiag sources --db CASE.db [--format text|json]\n"
	"\n"
	"List every input of the case: path (inside its archive too), status\n"
	"(parsed, skipped, duplicate, failed, archive), format, encoding, records\n"
	"read, what was skipped and why. The JSON form is an array of objects with\n"
	"path, status, format, encoding, records, skipped, bytes_skipped, problems\n"
	"(an array of {line, offset, records, bytes, message}), reason, sha256, size.\n"
	"\n"
	"exit codes: 0 done, 2 usage, 4 database\n";

enum qfmt { Q_TABLE, Q_CSV, Q_JSON };

#define TABLE_SAMPLE 1000

struct qctx {
	enum qfmt fmt;
	long rows;
	/* table: the first rows kept to size the columns */
	int ncol;
	size_t *width;
	char **held;		/* TABLE_SAMPLE * ncol values (NULL for SQL NULL) */
	long nheld;
	bool flushed;
	bool first_json;
};

static size_t
display_width(const char *s)
{
	size_t w = 0;

	for (; s && *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* One table cell: newlines and controls escaped so a row stays a row. */
static void
put_cell(const char *v, size_t width, bool last)
{
	size_t w = display_width(v);

	if (v)
		report_put_escaped(stdout, v, 4096);
	if (!last)
		for (size_t pad = w < width ? width - w + 2 : 2; pad > 0; pad--)
			putchar(' ');
}

static void
table_flush(struct qctx *q, const char *const *names)
{
	for (int c = 0; c < q->ncol; c++)
		put_cell(names[c], q->width[c], c == q->ncol - 1);
	putchar('\n');
	for (int c = 0; c < q->ncol; c++) {
		for (size_t k = 0; k < q->width[c]; k++)
			putchar('-');
		if (c < q->ncol - 1)
			fputs("  ", stdout);
	}
	putchar('\n');
	for (long r = 0; r < q->nheld; r++) {
		for (int c = 0; c < q->ncol; c++) {
			put_cell(q->held[r * q->ncol + c], q->width[c], c == q->ncol - 1);
			free(q->held[r * q->ncol + c]);
		}
		putchar('\n');
	}
	q->nheld = 0;
	q->flushed = true;
}

static void
csv_cell(const char *v)
{
	if (!v)
		return;
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, stdout);
		return;
	}
	putchar('"');
	for (; *v; v++) {
		if (*v == '"')
			putchar('"');
		putchar(*v);
	}
	putchar('"');
}

static int
on_row(void *ctx, int ncol, const char *const *names, const char *const *values, const int *types)
{
	struct qctx *q = ctx;

	if (q->fmt == Q_CSV) {
		if (q->rows == 0 && !q->first_json) {
			for (int c = 0; c < ncol; c++) {
				if (c)
					putchar(',');
				csv_cell(names[c]);
			}
			fputs("\r\n", stdout);
			q->first_json = true;
		}
		if (!values)
			return 0;
		for (int c = 0; c < ncol; c++) {
			if (c)
				putchar(',');
			csv_cell(values[c]);
		}
		fputs("\r\n", stdout);
		q->rows++;
		return 0;
	}
	if (q->fmt == Q_JSON) {
		cJSON *o;
		char *text;

		if (!values)
			return 0;
		o = cJSON_CreateObject();
		for (int c = 0; c < ncol; c++) {
			if (types[c] == ST_NULL)
				cJSON_AddNullToObject(o, names[c]);
			else if (types[c] == ST_INT || types[c] == ST_REAL)
				cJSON_AddItemToObject(o, names[c], cJSON_CreateRaw(values[c]));
			else
				cJSON_AddStringToObject(o, names[c], values[c] ? values[c] : "");
		}
		text = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		fputs(q->rows ? ",\n  " : "[\n  ", stdout);
		fputs(text ? text : "null", stdout);
		free(text);
		q->rows++;
		return 0;
	}
	/* table */
	if (!q->width) {
		q->ncol = ncol;
		q->width = xcalloc((size_t)ncol, sizeof(*q->width));
		q->held = xcalloc((size_t)ncol * TABLE_SAMPLE, sizeof(*q->held));
		for (int c = 0; c < ncol; c++)
			q->width[c] = display_width(names[c]);
	}
	if (!values) {
		if (!q->flushed)
			table_flush(q, names);
		return 0;
	}
	q->rows++;
	if (q->flushed) {
		for (int c = 0; c < ncol; c++)
			put_cell(values[c], q->width[c], c == ncol - 1);
		putchar('\n');
		return 0;
	}
	for (int c = 0; c < ncol; c++) {
		size_t w = display_width(values[c]);

		if (w > q->width[c])
			q->width[c] = w > 60 ? 60 : w;
		q->held[q->nheld * ncol + c] = values[c] ? xstrdup(values[c]) : NULL;
	}
	if (++q->nheld == TABLE_SAMPLE)
		table_flush(q, names);
	return 0;
}

int
cmd_query(int argc, char **argv)
{
	const char *db = NULL, *format = "table", *sql = NULL;
	struct qctx q = { 0 };
	struct store *s;
	int rc, r;

	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(query_usage, stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "--db", NULL, &db)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--format", "-f", &format)) != 0) {
			if (r < 0)
				goto usage;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] && !sql)
			return bad_option("query", argv[i]);
		if (sql) {
			errorf("query takes one SQL argument (quote it)");
			goto usage;
		}
		sql = argv[i];
	}
	if (!db || !sql) {
		errorf("query needs --db CASE.db and SQL");
		goto usage;
	}
	if (strcmp(format, "table") == 0)
		q.fmt = Q_TABLE;
	else if (strcmp(format, "csv") == 0)
		q.fmt = Q_CSV;
	else if (strcmp(format, "json") == 0)
		q.fmt = Q_JSON;
	else {
		errorf("unknown query format '%s' (table, csv or json)", format);
		goto usage;
	}
	if ((rc = open_store(db, STORE_RO, &s)) != EC_EXIT_HEALTHY)
		return rc;
	rc = store_query(s, sql, on_row, &q);
	if (q.fmt == Q_JSON)
		fputs(q.rows ? "\n]\n" : "[]\n", stdout);
	if (rc != STORE_OK) {
		errorf("%s", store_errmsg(s));
		rc = EC_EXIT_USAGE;
	} else {
		rc = EC_EXIT_HEALTHY;
	}
	for (long k = 0; k < q.nheld * q.ncol; k++)
		free(q.held[k]);
	free(q.held);
	free(q.width);
	store_close(s);
	return rc;
usage:
	fputs(query_usage, stderr);
	return EC_EXIT_USAGE;
}

/* ---- sources --------------------------------------------------------------- */

struct sctx {
	struct store *s;
	bool json;
	cJSON *arr;
	cJSON *cur;
};

static cJSON *
jstr(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static int
on_src_problem(void *ctx, const struct store_problem_row *p)
{
	struct sctx *c = ctx;

	if (c->json) {
		cJSON *o = cJSON_CreateObject();

		if (p->line > 0)
			cJSON_AddNumberToObject(o, "line", (double)p->line);
		else
			cJSON_AddNullToObject(o, "line");
		if (p->offset >= 0)
			cJSON_AddNumberToObject(o, "offset", (double)p->offset);
		else
			cJSON_AddNullToObject(o, "offset");
		cJSON_AddNumberToObject(o, "records", (double)p->records);
		cJSON_AddNumberToObject(o, "bytes", (double)p->bytes);
		cJSON_AddStringToObject(o, "message", p->message);
		cJSON_AddItemToArray(cJSON_GetObjectItem(c->cur, "problems"), o);
		return 0;
	}
	fputs("      ", stdout);
	if (p->line > 0)
		printf("line %lld", (long long)p->line);
	if (p->offset >= 0)
		printf("%soffset %lld", p->line > 0 ? ", " : "", (long long)p->offset);
	fputs(p->line > 0 || p->offset >= 0 ? ": " : "", stdout);
	report_put_escaped(stdout, p->message, 1000);
	putchar('\n');
	return 0;
}

static int
on_src(void *ctx, const struct store_source_row *r)
{
	struct sctx *c = ctx;

	if (c->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "path", r->path);
		cJSON_AddStringToObject(o, "status", r->status);
		cJSON_AddItemToObject(o, "format", jstr(r->format));
		cJSON_AddItemToObject(o, "encoding", jstr(r->encoding));
		cJSON_AddNumberToObject(o, "records", (double)r->records);
		cJSON_AddNumberToObject(o, "skipped", (double)r->skipped);
		cJSON_AddNumberToObject(o, "bytes_skipped", (double)r->bytes_skipped);
		cJSON_AddNumberToObject(o, "problem_count", (double)r->problems);
		cJSON_AddArrayToObject(o, "problems");
		cJSON_AddItemToObject(o, "reason", jstr(r->reason));
		cJSON_AddItemToObject(o, "container", jstr(r->container));
		cJSON_AddItemToObject(o, "duplicate_of", jstr(r->duplicate_of_path));
		cJSON_AddItemToObject(o, "sha256", jstr(r->sha256));
		if (r->size >= 0)
			cJSON_AddNumberToObject(o, "size", (double)r->size);
		else
			cJSON_AddNullToObject(o, "size");
		cJSON_AddItemToObject(o, "first_time", jstr(r->first_time));
		cJSON_AddItemToObject(o, "last_time", jstr(r->last_time));
		cJSON_AddItemToArray(c->arr, o);
		c->cur = o;
	} else {
		printf("%-9s ", r->status);
		report_put_escaped(stdout, r->path, 1000);
		putchar('\n');
		printf("      format %s, encoding %s, %lld records", r->format ? r->format : "-",
		       r->encoding ? r->encoding : "-", (long long)r->records);
		if (r->skipped || r->bytes_skipped)
			printf(", skipped %lld records / %lld bytes", (long long)r->skipped,
			       (long long)r->bytes_skipped);
		if (r->size >= 0)
			printf(", %lld bytes", (long long)r->size);
		putchar('\n');
		if (r->reason) {
			fputs("      ", stdout);
			report_put_escaped(stdout, r->reason, 1000);
			if (r->duplicate_of_path)
				printf(": %s", r->duplicate_of_path);
			putchar('\n');
		}
	}
	if (r->problems && store_problems(c->s, r->id, on_src_problem, c) < 0)
		return 1;
	return 0;
}

int
cmd_sources(int argc, char **argv)
{
	const char *db = NULL, *format = "text";
	struct sctx c = { 0 };
	struct store *s;
	int rc, r;

	for (int i = 1; i < argc; i++) {
		if (opt_flag(argv[i], "--help", "-h")) {
			fputs(sources_usage, stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "--db", NULL, &db)) != 0 ||
		    (r = opt_value(argc, argv, &i, "--format", "-f", &format)) != 0) {
			if (r < 0)
				goto usage;
			continue;
		}
		return bad_option("sources", argv[i]);
	}
	if (!db) {
		errorf("sources needs --db CASE.db");
		goto usage;
	}
	if (strcmp(format, "json") == 0)
		c.json = true;
	else if (strcmp(format, "text") != 0) {
		errorf("unknown sources format '%s' (text or json)", format);
		goto usage;
	}
	if ((rc = open_store(db, STORE_RO, &s)) != EC_EXIT_HEALTHY)
		return rc;
	c.s = s;
	c.arr = cJSON_CreateArray();
	rc = store_sources(s, on_src, &c);
	if (rc == STORE_OK && c.json) {
		char *text = cJSON_Print(c.arr);

		puts(text ? text : "[]");
		free(text);
	}
	cJSON_Delete(c.arr);
	if (rc != STORE_OK)
		errorf("%s", store_errmsg(s));
	store_close(s);
	return rc == STORE_OK ? EC_EXIT_HEALTHY : EC_EXIT_DB;
usage:
	fputs(sources_usage, stderr);
	return EC_EXIT_USAGE;
}
