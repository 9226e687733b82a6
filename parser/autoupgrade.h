/* SPDX-License-Identifier: MIT */
/* autoupgrade.h - the result codes of Entra Connect's automatic upgrade
 * (FORMATS-AND-SIGNATURES.md c.5 and SIG-15; docs/FORMATS.md), found in any
 * text: the auto-upgrader's log, trace records, event messages. */
#ifndef PARSER_AUTOUPGRADE_H
#define PARSER_AUTOUPGRADE_H

#include <stdbool.h>

#include "common/strview.h"

/* Find the first result code in text: a word starting UpgradeAborted,
 * UpgradeNotSupported or UpgradeFailed (with "-Reason" parts, as in
 * UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed),
 * PreUpgradeFailure, AADHealthEndpointNotDefined,
 * DirSyncInPlaceUpgradeNonLocalDb, or the word after "AutoUpgrade result = "
 * (which may be "Success"). Case is ignored. *code views into text. */
bool upgrade_result_find(struct sv text, struct sv *code);

#endif
