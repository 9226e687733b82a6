/* SPDX-License-Identifier: MIT */
/* test_parser_config.c - configuration exports: the reader of
 * parser/configexport.h on the constructed samples (samples/config) and on
 * inline exports, the "configexport" format (events, facts, problems,
 * sniffing), and the comparison of analyzer/configdiff.h, the replaced
 * default included. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/encoding.h"
#include "parser/configexport.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

/* The suite links the parser only (tests/meson.build): the comparison is
 * compiled in here. */
#include "analyzer/configdiff.h"

#define BEFORE "samples/config/before-Exported-SynchronizationPolicy-20260501-093000.json"
#define AFTER "samples/config/after-Applied-SynchronizationPolicy-20260512-081500.json"

static const char *
sample(const char *rel)
{
	static char path[2][4096];
	static int k;
	const char *src = getenv("ECDIAG_SRC");

	if (!src)
		return NULL;
	k ^= 1;
	snprintf(path[k], sizeof(path[k]), "%s/%s", src, rel);
	return path[k];
}

static void
read_sample(const char *rel, struct cx_export *x)
{
	const char *path = sample(rel);
	char *err = NULL;

	if (!path)
		cr_skip_test("ECDIAG_SRC not set");
	memset(x, 0, sizeof(*x));
	cr_assert_eq(cx_read_path(path, x, &err), 0, "%s: %s", rel, err ? err : "");
	cr_assert_null(err);
}

static int
read_str(const char *json, struct cx_export *x, char **err)
{
	memset(x, 0, sizeof(*x));
	*err = NULL;
	return cx_read_mem(json, strlen(json), x, err);
}

static const struct cx_rule *
rule(const struct cx_export *x, const char *name)
{
	for (size_t i = 0; i < x->nrules; i++)
		if (strcmp(x->rules[i].name, name) == 0)
			return &x->rules[i];
	cr_assert_fail("no rule '%s'", name);
	return NULL;
}

/* ---- the samples ------------------------------------------------------------------- */

Test(parser_config, sample_before_summaries)
{
	struct cx_export x;
	const struct cx_rule *r;

	read_sample(BEFORE, &x);
	cr_assert_str_eq(x.export_time, "2026-05-01 09:30:00Z");
	cr_assert_str_eq(x.version, "2.1.20.0");
	cr_assert_null(x.type);
	cr_assert_str_eq(x.author, "CONTOSO\\syncadmin");
	cr_assert_str_eq(x.host, "SYNC01.contoso.com");
	cr_assert_eq(x.metadata_line, 2);
	cr_assert_eq(x.nproblems, 0);

	cr_assert_eq(x.nconnectors, 2);
	cr_assert_str_eq(x.connectors[0].name, "contoso.com");
	cr_assert_str_eq(x.connectors[0].type, "AD");
	cr_assert_str_eq(x.connectors[0].identifier, "093c3526-55a5-4de9-9005-186fd0a6a849");
	cr_assert_eq(x.connectors[0].line, 21);
	cr_assert_str_eq(x.connectors[1].name, "contoso.onmicrosoft.com - AAD");
	cr_assert_str_eq(x.connectors[1].type, "AAD");
	cr_assert_str_eq(x.connectors[1].identifier, "b891884f-051e-4a83-95af-2544101c9083");

	cr_assert_eq(x.nrules, 6);
	/* a standard rule: a reference without content */
	r = &x.rules[0];
	cr_assert_str_eq(r->name, "In from AD - InetOrgPerson Join");
	cr_assert_str_eq(r->identifier, "ac082860-ff00-44c7-9c92-0eb32b4b01e5");
	cr_assert_str_eq(r->connector, "contoso.com");
	cr_assert_str_eq(r->direction, "Inbound");	/* from the name */
	cr_assert_str_eq(r->tag, "Microsoft.InfromADInetOrgPersonJoin.004");
	cr_assert(r->has_precedence);
	cr_assert_eq(r->precedence, 101);
	cr_assert_eq(r->origin, CX_STANDARD);
	cr_assert(r->is_default);
	cr_assert_not(r->modified);
	cr_assert_not(r->has_body);
	cr_assert_not(r->has_disabled);
	cr_assert_str_eq(cx_rule_kind(r), "standard");
	cr_assert_eq(r->nflows, 0);
	cr_assert_eq(r->line, 33);

	/* the modified default: listed as custom, with its content */
	r = rule(&x, "In from AD - User Join");
	cr_assert_eq(r->origin, CX_CUSTOM);
	cr_assert(r->is_default);
	cr_assert(r->modified);
	cr_assert_str_eq(cx_rule_kind(r), "modified default");
	cr_assert_str_eq(r->identifier, "e2c7d3a1-6b4f-4c58-8a9d-0f1e2d3c4b5a");
	cr_assert_str_eq(r->tag, "Microsoft.InfromADUserJoin.005");
	cr_assert_str_eq(r->direction, "Inbound");
	cr_assert_eq(r->precedence, 90);
	cr_assert_str_eq(r->link_type, "Provision");
	cr_assert_str_eq(r->source_type, "user");
	cr_assert_str_eq(r->target_type, "person");
	cr_assert(r->has_disabled);
	cr_assert_not(r->disabled);
	cr_assert(r->has_body);
	cr_assert_str_eq(r->scoping, "(isCriticalSystemObject NOTEQUAL TRUE AND adminDescription NOTSTARTSWITH User_)");
	cr_assert_str_eq(r->join, "(mS-DS-ConsistencyGuid = sourceAnchorBinary) ; (objectGUID = sourceAnchorBinary)");
	cr_assert_eq(r->nflows, 2);
	cr_assert_str_eq(r->flows[0].target, "sourceAnchorBinary");
	cr_assert_str_eq(r->flows[0].type, "Expression");
	cr_assert_str_eq(r->flows[0].text,
			 "IIF(IsPresent([mS-DS-ConsistencyGuid]),[mS-DS-ConsistencyGuid],[objectGUID]) -> sourceAnchorBinary");
	cr_assert_str_eq(r->flows[1].text, "employeeID -> extensionAttribute15");
	cr_assert_str_eq(r->flows[1].source, "employeeID");
	cr_assert_str_eq(r->flows[1].type, "Direct");
	cr_assert_eq(r->line, 53);

	/* a custom rule */
	r = rule(&x, "Contoso - In from AD - User employeeType");
	cr_assert_eq(r->origin, CX_CUSTOM);
	cr_assert_not(r->is_default);
	cr_assert_not(r->modified);
	cr_assert_str_eq(cx_rule_kind(r), "custom");
	cr_assert_eq(r->precedence, 50);
	cr_assert_str_eq(r->link_type, "Join");
	cr_assert_str_eq(r->scoping, "(employeeType EQUAL Employee)");
	cr_assert_str_eq(r->join, "");
	cr_assert_eq(r->nflows, 1);
	cr_assert_str_eq(r->flows[0].text, "employeeType -> employeeType");

	/* the AAD connector's rule */
	r = rule(&x, "Out to AAD - User Join");
	cr_assert_str_eq(r->connector, "contoso.onmicrosoft.com - AAD");
	cr_assert_str_eq(r->direction, "Outbound");
	cr_assert_eq(r->precedence, 120);
	cx_release(&x);
}

Test(parser_config, sample_after_summaries)
{
	struct cx_export x;
	const struct cx_rule *r;

	read_sample(AFTER, &x);
	cr_assert_str_eq(x.version, "2.2.8.0");
	cr_assert_str_eq(x.export_time, "2026-05-12 08:15:00Z");
	cr_assert_eq(x.nrules, 7);
	cr_assert_eq(x.nproblems, 0);
	r = rule(&x, "In from AD - User Join");
	cr_assert_eq(r->origin, CX_STANDARD);
	cr_assert_str_eq(cx_rule_kind(r), "standard");
	cr_assert_str_eq(r->tag, "Microsoft.InfromADUserJoin.006");
	cr_assert_str_eq(r->identifier, "633c9cc8-9a74-4912-92d0-f93fae31d89a");
	cr_assert_eq(r->precedence, 100);
	r = rule(&x, "In from AD - User Common from Exchange");
	cr_assert_str_eq(cx_rule_kind(r), "standard");
	cr_assert_eq(r->precedence, 105);
	cx_release(&x);
}

/* ---- the format ---------------------------------------------------------------------- */

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

struct wantfact {
	const char *name, *key, *value;
	uint64_t line;
};

Test(parser_config, format_facts_and_events)
{
	static const struct wantfact want[] = {
		{ "config.export_time", "", "2026-05-01 09:30:00Z", 2 },
		{ "config.exported_from_version", "", "2.1.20.0", 2 },
		{ "host.name", "", "SYNC01.contoso.com", 2 },
		{ "config.connector", "contoso.com", "AD", 21 },
		{ "config.connector", "contoso.onmicrosoft.com - AAD", "AAD", 113 },
		{ "config.sync_rule", "In from AD - InetOrgPerson Join", "direction=Inbound precedence=101 default", 33 },
		{ "config.sync_rule", "In from AD - User AccountEnabled", "direction=Inbound precedence=102 default", 39 },
		{ "config.sync_rule", "In from AD - User Common", "direction=Inbound precedence=104 default", 45 },
		{ "config.sync_rule", "In from AD - User Join", "direction=Inbound precedence=90 default modified", 53 },
		{ "config.sync_rule", "Contoso - In from AD - User employeeType",
		  "direction=Inbound precedence=50 custom", 91 },
		{ "config.sync_rule", "Out to AAD - User Join", "direction=Outbound precedence=120 default", 117 },
	};
	const char *path = sample(BEFORE);
	const struct ec_format *best;
	struct cap c = { 0 };
	size_t n;
	char *data;

	if (!path)
		cr_skip_test("ECDIAG_SRC not set");
	data = slurp(path, &n);
	cr_assert_not_null(data);
	cr_assert_eq(sniff_as("configexport", data, n, &best), 90);
	cr_assert_eq(best, cap_format("configexport"), "claimed by %s", best ? best->name : "none");
	cr_assert_eq(cap_parse(&c, cap_format("configexport"), data, n, 5, NULL, NULL), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 9);
	cr_assert_eq(c.nf, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < c.nf; i++) {
		const struct cfact *f = &c.f[i];

		cr_assert_str_eq(f->name, want[i].name, "fact %zu", i);
		cr_assert_str_eq(f->key, want[i].key, "fact %zu", i);
		cr_assert_str_eq(f->value, want[i].value, "fact %zu", i);
		cr_assert(f->on_event && f->after > 0);
		cr_assert_eq(c.ev[f->after - 1].line, want[i].line, "fact %zu (%s): line %llu", i, f->key,
			     (unsigned long long)c.ev[f->after - 1].line);
	}
	cr_assert_str_eq(c.ev[0].provider, "configexport");
	cr_assert_str_eq(c.ev[0].message, "policyMetadata: timeCreated=2026-05-01 09:30:00Z "
					  "azureADConnectVersion=2.1.20.0 hostName=SYNC01.contoso.com");
	{
		const struct cfact *f = find_fact(&c, "config.sync_rule", "In from AD - User Join");
		const struct cev *ev = &c.ev[f->after - 1];

		cr_assert_str_eq(ev->message, "sync rule 'In from AD - User Join' (Inbound, modified default, "
					      "precedence 90, Microsoft.InfromADUserJoin.005) on contoso.com");
		cr_assert_eq(ev->ndata, 7);
		cr_assert_str_eq(ev->dname[3], "kind");
		cr_assert_str_eq(ev->dvalue[3], "modified default");
		cr_assert_str_eq(ev->dname[5], "identifier");
		cr_assert_str_eq(ev->dvalue[5], "e2c7d3a1-6b4f-4c58-8a9d-0f1e2d3c4b5a");
	}
	cap_free(&c);
	free(data);
}

Test(parser_config, sniff)
{
	const struct ec_format *best;
	static const char mig[] =
		"{\r\n    \"policyMetadata\":  {\r\n                           \"type\":  \"migration\",\r\n"
		"                           \"azureADConnectVersion\":  \"1.6.16.0\"\r\n    },\r\n"
		"    \"deploymentMetadata\":  { \"hostName\": \"SYNC01\" }\r\n}\r\n";

	cr_assert_eq(sniff_as("configexport", mig, strlen(mig), &best), 90);
	cr_assert_eq(best, cap_format("configexport"));
	cr_assert_eq(sniff_as("configexport", "  {\"azureDirectoryPolicy\": {}}", 30, &best), 90);
	cr_assert_eq(sniff_as("configexport", "{\"policyMetadata\": {}}", 22, &best), 0);
	cr_assert_eq(sniff_as("configexport", "[{\"onpremisesDirectoryPolicy\": []}]", 35, &best), 0);
	cr_assert_eq(sniff_as("configexport", "onpremisesDirectoryPolicy", 25, &best), 0);
}

/* MigratedPolicy.json holds metadata only. */
Test(parser_config, migrated_policy)
{
	static const char mig[] =
		"{\n  \"policyMetadata\": {\n    \"type\": \"migration\",\n    \"author\": \"CONTOSO\\\\admin\",\n"
		"    \"timeCreated\": \"2022-07-28 16:48:45Z\",\n    \"azureADConnectVersion\": \"2.1.16.0\"\n  },\n"
		"  \"deploymentMetadata\": {\n    \"hostName\": \"OLDSYNC.contoso.com\",\n"
		"    \"connectorIds\": [\"093c3526-55a5-4de9-9005-186fd0a6a849\"]\n  }\n}\n";
	struct cx_export x;
	struct cap c = { 0 };
	char *err;

	cr_assert_eq(read_str(mig, &x, &err), 0);
	cr_assert_str_eq(x.type, "migration");
	cr_assert_str_eq(x.version, "2.1.16.0");
	cr_assert_eq(x.nrules, 0);
	cr_assert_eq(x.nproblems, 1);
	cr_assert(strstr(x.problems[0].message, "no synchronization rules in the file (a MigratedPolicy.json"));
	cx_release(&x);

	cr_assert_eq(cap_parse_str(&c, cap_format("configexport"), mig), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_not_null(find_fact(&c, "config.export_type", NULL));
	cr_assert_str_eq(find_fact(&c, "config.export_type", NULL)->value, "migration");
	cr_assert_str_eq(find_fact(&c, "config.exported_from_version", NULL)->value, "2.1.16.0");
	cr_assert_eq(c.np, 1);
	cr_assert_eq(c.p[0].line, 2);
	cap_free(&c);
}

/* ---- bad input ------------------------------------------------------------------------- */

Test(parser_config, malformed_and_truncated)
{
	static const char cut[] =
		"{\n  \"onpremisesDirectoryPolicy\": [\n    {\n      \"friendlyName\": \"contoso.com\",\n"
		"      \"standardSynchronizationRules\": [\n        { \"name\": \"In from AD - User Join\", \"prec";
	static const char bad[] = "{\n  \"onpremisesDirectoryPolicy\": [ }\n}\n";
	struct cx_export x;
	struct cap c = { 0 };
	char *err;

	cr_assert_eq(read_str(cut, &x, &err), -1);
	cr_assert_str_eq(err, "not valid JSON (at line 6): the file is cut off");
	free(err);
	cr_assert_eq(x.nrules, 0);
	cr_assert_eq(read_str(bad, &x, &err), -1);
	cr_assert_str_eq(err, "not valid JSON (at line 2)");
	free(err);
	cr_assert_eq(read_str("{\"Name\": \"x\"}", &x, &err), -1);
	cr_assert(strstr(err, "not a configuration export: no policyMetadata"));
	free(err);
	cr_assert_eq(read_str("CONSTRUCTED notes\n", &x, &err), -1);
	cr_assert_str_eq(err, "not a configuration export: not JSON");
	free(err);
	cr_assert_eq(read_str("", &x, &err), -1);
	cr_assert_str_eq(err, "not a configuration export: the file is empty");
	free(err);
	cr_assert_eq(read_str("[1, 2]", &x, &err), -1);
	cr_assert_str_eq(err, "not a configuration export: the JSON is not an object");
	free(err);

	cr_assert_eq(cap_parse_str(&c, cap_format("configexport"), cut), 0);
	cr_assert_eq(c.nev, 0);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message, "not valid JSON (at line 6): the file is cut off: nothing read");
	cr_assert_eq(c.p[0].line, 6);
	cap_free(&c);
}

Test(parser_config, rules_it_cannot_read)
{
	static const char text[] =
		"{\n"
		"  \"onpremisesDirectoryPolicy\": [ {\n"
		"    \"friendlyName\": \"fabrikam.com\",\n"
		"    \"standardSynchronizationRules\": [ { \"uniqueIdentifier\": \"x\", \"precedence\": 100 }, 7 ],\n"
		"    \"customSynchronizationRules\": [ { \"name\": \"Custom A\", \"precedence\": \"high\",\n"
		"        \"attributeMappings\": { \"destination\": \"cn\" } } ]\n"
		"  } ],\n"
		"  \"azureDirectoryPolicy\": { \"standardSynchronizationRules\": \"none\" }\n"
		"}\n";
	struct cx_export x;
	struct cap c = { 0 };
	char *err;

	cr_assert_eq(read_str(text, &x, &err), 0);
	cr_assert_eq(x.nrules, 1);
	cr_assert_str_eq(x.rules[0].name, "Custom A");
	cr_assert_not(x.rules[0].has_precedence);
	cr_assert_eq(x.nconnectors, 2);
	cr_assert_str_eq(x.connectors[1].name, "AAD");
	cr_assert_eq(x.nproblems, 5);
	cr_assert_str_eq(x.problems[0].message, "standard rule 1 of connector 'fabrikam.com' has no name: skipped");
	cr_assert_str_eq(x.problems[1].message, "standard rule 2 of connector 'fabrikam.com' is not an object: skipped");
	cr_assert_str_eq(x.problems[2].message, "rule 'Custom A': precedence is not a number");
	cr_assert_eq(x.problems[2].line, 5);
	cr_assert_str_eq(x.problems[3].message, "rule 'Custom A': attribute flows are not a list: not read");
	cr_assert_str_eq(x.problems[4].message, "the standard rules of connector 'AAD' are not a list: not read");
	cx_release(&x);

	cr_assert_eq(cap_parse_str(&c, cap_format("configexport"), text), 0);
	cr_assert_eq(c.np, 5);
	cr_assert_str_eq(find_fact(&c, "config.sync_rule", "Custom A")->value, "direction=? precedence=? custom");
	cap_free(&c);
}

/* Windows PowerShell 5.1 Out-File: UTF-16LE with a BOM. */
Test(parser_config, utf16_export)
{
	static const char text[] =
		"{\r\n \"policyMetadata\": { \"timeCreated\": \"2026-01-02 03:04:05Z\", \"azureADConnectVersion\": \"2.4.18.0\" },\r\n"
		" \"azureDirectoryPolicy\": { \"standardSynchronizationRules\": [\r\n"
		"   { \"name\": \"Out to AAD - User Join\", \"immutableTag\": \"Microsoft.OuttoAADUserJoin.012\", \"precedence\": 120 } ] }\r\n}\r\n";
	size_t n = strlen(text);
	unsigned char *u = malloc(2 * n + 2);
	struct cx_export x;
	char *err = NULL;

	u[0] = 0xFF;
	u[1] = 0xFE;
	for (size_t i = 0; i < n; i++) {
		u[2 + 2 * i] = (unsigned char)text[i];
		u[3 + 2 * i] = 0;
	}
	memset(&x, 0, sizeof(x));
	cr_assert_eq(cx_read_mem(u, 2 * n + 2, &x, &err), 0, "%s", err ? err : "");
	cr_assert_eq(x.nrules, 1);
	cr_assert_str_eq(x.rules[0].tag, "Microsoft.OuttoAADUserJoin.012");
	cr_assert_eq(x.rules[0].line, 4);
	cr_assert_str_eq(x.version, "2.4.18.0");
	cx_release(&x);
	free(u);
}

/* ---- the comparison ------------------------------------------------------------------- */

Test(parser_config, diff_samples)
{
	struct cx_export b, a;
	struct cd_result r;
	const struct cd_item *it;

	read_sample(BEFORE, &b);
	read_sample(AFTER, &a);
	configdiff_run(&b, &a, &r);
	cr_assert_eq(r.nitems, 2);
	cr_assert_eq(r.replaced, 1);
	cr_assert_eq(r.changed, 1);
	cr_assert_eq(r.removed, 0);
	cr_assert_eq(r.added, 1);
	cr_assert_eq(r.same, 5);

	it = &r.items[0];
	cr_assert_eq(it->kind, CD_CHANGED);
	cr_assert(it->replaced_default);
	cr_assert_str_eq(it->before->name, "In from AD - User Join");
	cr_assert_str_eq(cx_rule_kind(it->before), "modified default");
	cr_assert_str_eq(cx_rule_kind(it->after), "standard");
	cr_assert_eq(it->replaced_by, it->after);
	cr_assert(it->content_not_compared);
	cr_assert_eq(it->nchanges, 3);
	cr_assert_str_eq(it->changes[0].what, "kind");
	cr_assert_str_eq(it->changes[0].before, "modified default");
	cr_assert_str_eq(it->changes[0].after, "standard");
	cr_assert_str_eq(it->changes[1].what, "precedence");
	cr_assert_str_eq(it->changes[1].before, "90");
	cr_assert_str_eq(it->changes[1].after, "100");
	cr_assert_str_eq(it->changes[2].what, "immutable tag");
	cr_assert_str_eq(it->changes[2].before, "Microsoft.InfromADUserJoin.005");
	cr_assert_str_eq(it->changes[2].after, "Microsoft.InfromADUserJoin.006");

	it = &r.items[1];
	cr_assert_eq(it->kind, CD_ADDED);
	cr_assert_null(it->before);
	cr_assert_str_eq(it->after->name, "In from AD - User Common from Exchange");
	cr_assert_not(it->replaced_default);

	configdiff_release(&r);
	/* the same file twice: nothing */
	configdiff_run(&b, &b, &r);
	cr_assert_eq(r.nitems, 0);
	cr_assert_eq(r.same, 6);
	configdiff_release(&r);
	/* the other way round: the modified rule comes back, the new default goes */
	configdiff_run(&a, &b, &r);
	cr_assert_eq(r.nitems, 2);
	cr_assert_eq(r.replaced, 0);
	cr_assert_eq(r.items[0].kind, CD_CHANGED);
	cr_assert_eq(r.items[1].kind, CD_REMOVED);
	configdiff_release(&r);
	cx_release(&a);
	cx_release(&b);
}

#define RULE_A(prec, extra)                                                                       \
	"{ \"name\": \"Contoso - In from AD - User Office\", \"uniqueIdentifier\": \"11111111-1111-1111-1111-111111111111\"," \
	" \"direction\": \"Inbound\", \"precedence\": " prec ", \"source\": \"user\", \"target\": \"person\","  \
	" \"linkType\": \"Join\"" extra " }"

/* Every kind of change in a custom rule matched by identifier. */
Test(parser_config, diff_custom_rule_changes)
{
	static const char before[] =
		"{ \"onpremisesDirectoryPolicy\": [ { \"friendlyName\": \"contoso.com\", \"customSynchronizationRules\": [ "
		RULE_A("40", ", \"disabled\": false,"
			     " \"scopeFilters\": [ { \"scopeConditionList\": [ { \"attribute\": \"department\", \"condition\": \"EQUAL\", \"value\": \"Sales\" } ] } ],"
			     " \"joinFilters\": [ [ { \"csAttribute\": \"employeeID\", \"mvAttribute\": \"employeeID\", \"caseSensitive\": true } ] ],"
			     " \"attributeMappings\": [ { \"source\": [\"physicalDeliveryOfficeName\"], \"destination\": \"physicalDeliveryOfficeName\", \"flowType\": \"Direct\" },"
			     " { \"source\": [\"telephoneNumber\"], \"destination\": \"telephoneNumber\", \"flowType\": \"Direct\" },"
			     " { \"source\": [\"True\"], \"destination\": \"accountEnabled\", \"flowType\": \"Constant\" } ]")
		" ] } ] }";
	static const char after[] =
		"{ \"onpremisesDirectoryPolicy\": [ { \"friendlyName\": \"contoso.com\", \"customSynchronizationRules\": [ "
		RULE_A("45", ", \"disabled\": true,"
			     " \"scopeFilters\": [ [ { \"attribute\": \"department\", \"condition\": \"EQUAL\", \"value\": \"Sales\" } ],"
			     " [ { \"attribute\": \"department\", \"condition\": \"EQUAL\", \"value\": \"Marketing\" } ] ],"
			     " \"joinFilters\": [ [ { \"csAttribute\": \"employeeID\", \"mvAttribute\": \"employeeID\", \"caseSensitive\": true } ] ],"
			     " \"attributeMappings\": [ { \"source\": [\"physicalDeliveryOfficeName\"], \"destination\": \"physicalDeliveryOfficeName\", \"flowType\": \"Expression\","
			     " \"expression\": \"Trim([physicalDeliveryOfficeName])\" },"
			     " { \"source\": [\"True\"], \"destination\": \"accountEnabled\", \"flowType\": \"Constant\" },"
			     " { \"source\": [\"mobile\"], \"destination\": \"mobile\", \"flowType\": \"Direct\" } ]")
		" ] } ] }";
	struct cx_export b, a;
	struct cd_result r;
	const struct cd_item *it;
	char *err;

	cr_assert_eq(read_str(before, &b, &err), 0, "%s", err ? err : "");
	cr_assert_eq(read_str(after, &a, &err), 0, "%s", err ? err : "");
	cr_assert_str_eq(b.rules[0].scoping, "(department EQUAL Sales)");
	cr_assert_str_eq(b.rules[0].join, "(employeeID = employeeID (case-sensitive))");
	cr_assert_str_eq(b.rules[0].flows[2].text, "\"True\" -> accountEnabled");
	configdiff_run(&b, &a, &r);
	cr_assert_eq(r.nitems, 1);
	it = &r.items[0];
	cr_assert_eq(it->kind, CD_CHANGED);
	cr_assert_not(it->replaced_default);
	cr_assert_not(it->content_not_compared);
	cr_assert_eq(it->nchanges, 6, "%zu changes", it->nchanges);
	cr_assert_str_eq(it->changes[0].what, "precedence");
	cr_assert_str_eq(it->changes[0].before, "40");
	cr_assert_str_eq(it->changes[0].after, "45");
	cr_assert_str_eq(it->changes[1].what, "disabled");
	cr_assert_str_eq(it->changes[1].before, "False");
	cr_assert_str_eq(it->changes[1].after, "True");
	cr_assert_str_eq(it->changes[2].what, "scoping");
	cr_assert_str_eq(it->changes[2].before, "(department EQUAL Sales)");
	cr_assert_str_eq(it->changes[2].after, "(department EQUAL Sales) OR (department EQUAL Marketing)");
	cr_assert_str_eq(it->changes[3].what, "flow changed");
	cr_assert_str_eq(it->changes[3].before, "physicalDeliveryOfficeName -> physicalDeliveryOfficeName");
	cr_assert_str_eq(it->changes[3].after,
			 "Trim([physicalDeliveryOfficeName]) -> physicalDeliveryOfficeName (Expression)");
	cr_assert_str_eq(it->changes[4].what, "flow removed");
	cr_assert_str_eq(it->changes[4].before, "telephoneNumber -> telephoneNumber");
	cr_assert_str_eq(it->changes[5].what, "flow added");
	cr_assert_str_eq(it->changes[5].after, "mobile -> mobile");
	configdiff_release(&r);
	cx_release(&a);
	cx_release(&b);
}

/* A rule renamed keeps its identifier: matched, the name is the change. */
Test(parser_config, diff_renamed_by_identifier)
{
	static const char before[] =
		"{ \"onpremisesDirectoryPolicy\": [ { \"friendlyName\": \"contoso.com\", \"customSynchronizationRules\": [ "
		RULE_A("40", "") " ] } ] }";
	static const char after[] =
		"{ \"onpremisesDirectoryPolicy\": [ { \"friendlyName\": \"contoso.com\", \"customSynchronizationRules\": [ "
		"{ \"name\": \"Contoso - Office\", \"uniqueIdentifier\": \"11111111-1111-1111-1111-111111111111\","
		" \"direction\": \"Inbound\", \"precedence\": 40, \"source\": \"user\", \"target\": \"person\", \"linkType\": \"Join\" }"
		" ] } ] }";
	struct cx_export b, a;
	struct cd_result r;
	char *err;

	cr_assert_eq(read_str(before, &b, &err), 0);
	cr_assert_eq(read_str(after, &a, &err), 0);
	configdiff_run(&b, &a, &r);
	cr_assert_eq(r.nitems, 1);
	cr_assert_eq(r.items[0].kind, CD_CHANGED);
	cr_assert_eq(r.items[0].nchanges, 1);
	cr_assert_str_eq(r.items[0].changes[0].what, "name");
	cr_assert_str_eq(r.items[0].changes[0].after, "Contoso - Office");
	configdiff_release(&r);
	cx_release(&a);
	cx_release(&b);
}

/* The editor's way: the modified copy next to the disabled standard rule of
 * the same name. After the upgrade only the new default is left: the
 * standard rules pair up, the modified copy is removed and flagged. */
Test(parser_config, diff_replaced_default_with_disabled_original)
{
	static const char before[] =
		"{ \"onpremisesDirectoryPolicy\": [ { \"friendlyName\": \"contoso.com\",\n"
		"  \"standardSynchronizationRules\": [ { \"name\": \"In from AD - User Common\", \"uniqueIdentifier\": \"aaaa\","
		" \"immutableTag\": \"Microsoft.InfromADUserCommon.011\", \"precedence\": 104, \"disabled\": true } ],\n"
		"  \"customSynchronizationRules\": [ { \"name\": \"In from AD - User Common\", \"uniqueIdentifier\": \"bbbb\","
		" \"direction\": \"Inbound\", \"precedence\": 104, \"attributeMappings\": [] } ] } ] }";
	static const char after[] =
		"{ \"onpremisesDirectoryPolicy\": [ { \"friendlyName\": \"contoso.com\",\n"
		"  \"standardSynchronizationRules\": [ { \"name\": \"In from AD - User Common\", \"uniqueIdentifier\": \"cccc\","
		" \"immutableTag\": \"Microsoft.InfromADUserCommon.012\", \"precedence\": 104 } ] } ] }";
	struct cx_export b, a;
	struct cd_result r;
	char *err;

	cr_assert_eq(read_str(before, &b, &err), 0);
	cr_assert_eq(read_str(after, &a, &err), 0);
	/* a custom rule named like a standard rule of its connector is a modified default */
	cr_assert_str_eq(cx_rule_kind(&b.rules[1]), "modified default");
	configdiff_run(&b, &a, &r);
	cr_assert_eq(r.nitems, 2);
	cr_assert_eq(r.replaced, 1);
	cr_assert_eq(r.items[0].kind, CD_REMOVED);
	cr_assert(r.items[0].replaced_default);
	cr_assert_str_eq(r.items[0].before->identifier, "bbbb");
	cr_assert_eq(r.items[0].replaced_by, &a.rules[0]);
	cr_assert_eq(r.items[1].kind, CD_CHANGED);
	cr_assert_not(r.items[1].replaced_default);
	cr_assert_str_eq(r.items[1].before->identifier, "aaaa");
	cr_assert_eq(r.items[1].nchanges, 2);
	cr_assert_str_eq(r.items[1].changes[0].what, "immutable tag");
	cr_assert_str_eq(r.items[1].changes[1].what, "disabled");
	cr_assert_str_eq(r.items[1].changes[1].before, "True");
	cr_assert_str_eq(r.items[1].changes[1].after, "False");
	configdiff_release(&r);
	cx_release(&a);
	cx_release(&b);
}
