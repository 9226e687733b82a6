/* SPDX-License-Identifier: MIT */
/* configexport.h - Microsoft Entra Connect configuration exports read into
 * rule summaries: the wizard's "View or export current configuration" JSON
 * (Exported-SynchronizationPolicy-*.json), the automatic
 * Applied-SynchronizationPolicy-*.json of %ProgramData%\AADConnect and the
 * MigratedPolicy.json of an Exported-ServerConfiguration-* folder. Structure
 * and sources: docs/FORMATS.md, "Configuration exports".
 *
 * The whole file is read (at most CX_MAX_BYTES) and parsed with cJSON; the
 * summaries own copies of everything, so the JSON is freed once they are
 * built. Used by the format "configexport" (fmt_configexport.c, which holds
 * this API too) and by 'ecdiag config-diff'. Nothing here prints. */
#ifndef PARSER_CONFIGEXPORT_H
#define PARSER_CONFIGEXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/linereader.h"
#include "common/stream.h"

/* The largest export read (bytes of UTF-8 text); a bigger one is refused. */
#define CX_MAX_BYTES ((size_t)64 << 20)

/* One attribute flow of a rule. */
struct cx_flow {
	char *target;		/* destination attribute */
	char *source;		/* source attribute(s) joined with ",", the expression, or the constant */
	char *type;		/* "Direct", "Expression", "Constant" ... as written, may be "" */
	char *text;		/* "source -> target" */
};

/* Where a rule was listed. */
enum cx_origin {
	CX_STANDARD = 0,	/* standardSynchronizationRules: a reference to an out-of-box rule */
	CX_CUSTOM = 1,		/* customSynchronizationRules: the rule with its content */
};

/* One synchronization rule. Strings are never NULL ("" when absent). */
struct cx_rule {
	char *name;
	char *identifier;	/* uniqueIdentifier (else identifier, internalIdentifier) */
	char *connector;	/* the connector it belongs to (by name, see cx_connector) */
	char *direction;	/* "Inbound", "Outbound"; from the name ("In from" / "Out to") when not written */
	char *tag;		/* immutableTag, e.g. "Microsoft.InfromADUserJoin.005" */
	char *link_type;	/* "Join", "Provision" ... */
	char *source_type, *target_type;	/* object types, e.g. "user" -> "person" */
	char *scoping;		/* scoping filter as text: groups "(a OP v AND ...)" joined with " OR " */
	char *join;		/* join rules as text: "(cs = mv AND ...)" groups joined with " ; " */
	int64_t precedence;
	bool has_precedence;
	enum cx_origin origin;
	bool is_default;	/* an out-of-box rule: listed as standard, or with a Microsoft.* tag,
				 * isStandardRule, or the name of a standard rule of the same file */
	bool modified;		/* a default rule whose content the export carries (listed as custom),
				 * or an explicit modified flag */
	bool disabled, has_disabled;
	bool has_body;		/* scoping, join and flows are in the export (custom rules) */
	struct cx_flow *flows;
	size_t nflows;
	uint64_t line;		/* line of its name in the file (0 if not found) */
};

/* One connector (directory) of the export. */
struct cx_connector {
	char *name;		/* friendlyName, else fullyQualifiedDomainName, else name; "AAD" for
				 * azureDirectoryPolicy without a name */
	char *type;		/* "AD" (onpremisesDirectoryPolicy) or "AAD" (azureDirectoryPolicy) */
	char *identifier;	/* uniqueIdentifier, may be "" */
	uint64_t line;
};

/* Something the reader could not make sense of (a rule without a name ...). */
struct cx_problem {
	uint64_t line;		/* 0 when unknown */
	char *message;		/* lower case, no full stop */
};

struct cx_export {
	char *export_time;	/* policyMetadata.timeCreated as written, or NULL */
	char *version;		/* policyMetadata.azureADConnectVersion (the version that wrote it), or NULL */
	char *type;		/* policyMetadata.type ("migration" for MigratedPolicy.json ...), or NULL */
	char *author;		/* policyMetadata.author, or NULL */
	char *host;		/* deploymentMetadata.hostName, or NULL */
	uint64_t metadata_line;	/* line of "policyMetadata" (0 if none) */
	struct cx_connector *connectors;
	size_t nconnectors;
	struct cx_rule *rules;
	size_t nrules;
	struct cx_problem *problems;
	size_t nproblems;
};

/* Read an export. Return 0 when the input is a configuration export (the
 * problems in x say what of it could not be read), -1 when it is not (not
 * JSON, no policy keys, too big, read error): *err then says why (free it).
 * x is released and filled anew either way. */
int cx_read_stream(struct ec_stream *in, struct enc_guess enc, struct cx_export *x, char **err);
int cx_read_mem(const void *p, size_t n, struct cx_export *x, char **err);
int cx_read_path(const char *path, struct cx_export *x, char **err);
void cx_release(struct cx_export *x);

/* "standard" (an unmodified out-of-box rule), "modified default", "custom". */
const char *cx_rule_kind(const struct cx_rule *r);

/* ---- shared with fmt_adsyncsettings.c: a whole text input in memory ------- */

/* The decoded text of an input with, per line, where it starts in the text
 * and its byte offset in the input. */
struct cx_text {
	struct buf text;		/* UTF-8, each line followed by '\n' */
	size_t *start;			/* start of line i+1 in text */
	uint64_t *offset;		/* byte offset of line i+1 in the input */
	size_t nlines, cap;
	bool too_big;			/* the text passed its maximum: it is cut */
};

void cx_text_init(struct cx_text *t, size_t max);
void cx_text_release(struct cx_text *t);
/* Add the reader's current line; false once the maximum is passed. */
bool cx_text_add(struct cx_text *t, const struct linereader *lr, struct sv line);
/* Line number (from 1) of byte pos of the text. */
uint64_t cx_text_line(const struct cx_text *t, size_t pos);
/* Input offset of line (from 1), UINT64_MAX if out of range. */
uint64_t cx_text_offset(const struct cx_text *t, uint64_t line);
/* Position of the JSON string literal "s" (exact bytes) at or after *from in
 * the text; moves *from past it. Returns the line, or 0 if not found (then
 * *from is unchanged). */
uint64_t cx_text_find_string(const struct cx_text *t, size_t *from, const char *s);

#endif
