/* SPDX-License-Identifier: MIT */
/* runclass.h - reading the sync engine's run history: result values by
 * family, step types (or, without one, run profile names) by kind, and the
 * counter names of the PowerShell objects in the run-history XML's
 * kebab-case. FORMATS-AND-SIGNATURES.md e.3 and e.4. */
#ifndef PARSER_RUNCLASS_H
#define PARSER_RUNCLASS_H

#include "common/buf.h"
#include "common/strview.h"

/* "success", "completed-no-objects", "completed-warnings" (completed-*-
 * warnings), "completed-errors" (completed-*-errors), "stopped" (stopped-*),
 * "no-start" (no-start-*), "in-progress", or "unknown". Case ignored. */
const char *run_result_class(struct sv result);

/* "full-import", "delta-import", "full-sync", "delta-sync", "export" or
 * "unknown": from the step type when there is one (delta-import,
 * full-import, export, apply-rules with its subtype apply-pending (delta) or
 * reevaluate-flow-connectors (full), full-import-delta-sync, and the
 * PowerShell forms DeltaImport, FullImport ...), else from the run profile
 * name ("Delta Import", "Full Synchronization", "Export", and a few
 * localised forms). */
const char *run_step_class(struct sv step_type, struct sv step_subtype, struct sv profile);

/* Append name in kebab-case: "StageAdd" -> "stage-add",
 * "ExportDeleteAdd" -> "export-delete-add"; kebab-case stays as it is. */
void run_counter_name(struct sv name, struct buf *out);

#endif
