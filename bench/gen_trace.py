#!/usr/bin/env python3
"""Deterministic wizard trace log generator for bench/run.sh: a real header,
detection lines, multi-line exception records, about 1 in 50 ERROR."""
import random
import sys

path, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(4711)
lines = [
    "Performing direct lookup of upgrade codes for: Microsoft SQL Server 2019 LocalDB",
    "GetInstalledPackagesByUpgradeCode {f0176a51-908a-4240-8853-e229d0ae3f39}: verified product code {ee44ed1f-d6f5-4d2c-8d9b-3da6a00102bf}.",
    "ServiceControllerProvider: verifying ADSync is in state (Running)",
    "MicrosoftOnlinePersistedStateProvider.UpdateFileProtection: updating file protection from the persisted state file: C:\\ProgramData\\AADConnect\\PersistedState.xml, isAddProtection: True",
    "ProgressWizardPageViewModel:StartProgressOperation Started Background Task Id:685",
]
with open(path, "w", newline="\r\n") as o:
    o.write("[10:15:02.129] [  1] [INFO ] Start Time (Local): Sun, 10 May 2026 10:15:02 GMT\n")
    o.write("[10:15:02.129] [  1] [INFO ] Start Time (UTC): Sun, 10 May 2026 08:15:02 GMT\n")
    o.write("[10:15:02.129] [  1] [INFO ] Application Version: 2.2.8.0\n")
    target = mb * 1000 * 1000
    written, ms = 0, 0
    while written < target:
        ms += rnd.randint(0, 40)
        h, m, s, f = ms // 3600000 % 24, ms // 60000 % 60, ms // 1000 % 60, ms % 1000
        if rnd.randint(0, 49) == 0:
            rec = (f"[{h:02}:{m:02}:{s:02}.{f:03}] [ 12] [ERROR] Error during sync engine upgrade. System.Exception: Unable to upgrade the Synchronization Service.\n"
                   "   at Microsoft.Online.Deployment.Framework.Workflow.WorkflowTask.ExecuteWrapper()\n"
                   "   at Microsoft.Online.Deployment.PSModule.Tasks.AADSync.ConfigureAADSyncTask`1.Execute()\n")
        else:
            rec = f"[{h:02}:{m:02}:{s:02}.{f:03}] [{rnd.randint(1, 30):3}] [INFO ] {rnd.choice(lines)}\n"
        o.write(rec)
        written += len(rec) + rec.count("\n")
