#!/usr/bin/env python3
"""bench/gen_msi.py OUT MB - write a Windows Installer verbose log of about MB
megabytes as msiexec does (UTF-16LE with BOM, CRLF): one session whose
actions repeat until the size is reached, then a failing custom action,
rollback, summary, property dump and footer. For the benchmark only."""
import sys

out, mb = sys.argv[1], float(sys.argv[2])
target = int(mb * 1e6)

def t(sec):
    sec %= 86400
    return f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"

head = ("=== Verbose logging started: 5/10/2026  10:17:33  Build type: SHIP UNICODE 5.00.10011.00"
        "  Calling process: C:\\Windows\\system32\\msiexec.exe ===\r\n"
        "MSI (c) (A4:B8) [10:17:33:101]: ******* Product: C:\\Program Files\\Microsoft Azure Active "
        "Directory Connect\\SetupFiles\\Synchronization Service.msi\r\n"
        "MSI (s) (C0:0C) [10:17:33:412]: Doing action: INSTALL\r\n"
        "Action start 10:17:33: INSTALL.\r\n")
block = []
for k in range(40):
    block.append("MSI (s) (C0:0C) [{t}:{ms:03d}]: Note: 1: 2205 2:  3: Error\r\n")
    block.append("MSI (s) (C0:0C) [{t}:{ms:03d}]: PROPERTY CHANGE: Adding COMPONENT%d property. "
                 "Its value is 'C:\\Program Files\\Microsoft Azure AD Sync\\Bin\\file%d.dll'.\r\n" % (k, k))
    block.append("MSI (s) (C0:0C) [{t}:{ms:03d}]: Component: Comp%d; Installed: Absent;   Request: Local;"
                 "   Action: Local\r\n" % k)
block.append("Action start {t}: WriteRegistryValues.\r\n")
block.append("MSI (s) (C0:0C) [{t}:{ms:03d}]: Executing op: RegAddValue(Name=Path,Value=C:\\x,)\r\n")
block.append("Action ended {t}: WriteRegistryValues. Return value 1.\r\n")
block = "".join(block)
tail = ("Action start {t}: DetectStoreServer.\r\n"
        "MSI (s) (C0!08) [{t}:605]: Product: Microsoft Azure AD Connect synchronization services -- "
        "Error 25019.The Microsoft Azure AD Connect synchronization services setup wizard cannot open "
        "registry key SYSTEM\\CurrentControlSet\\Services\\ADSync\\Parameters. Try verifying the key "
        "and running this wizard again. The system cannot find the file specified.\r\n"
        "CustomAction DetectStoreServer returned actual error code 1603 (note this may not be 100% "
        "accurate if translation happened inside sandbox)\r\n"
        "Action ended {t}: DetectStoreServer. Return value 3.\r\n"
        "Action ended {t}: INSTALL. Return value 3.\r\n"
        "MSI (s) (C0:0C) [{t}:700]: Product: Microsoft Azure AD Connect synchronization services -- "
        "Installation failed.\r\n"
        "MSI (s) (C0:0C) [{t}:701]: Windows Installer installed the product. Product Name: Microsoft "
        "Azure AD Connect synchronization services. Product Version: 2.2.8.0. Product Language: 1033. "
        "Manufacturer: Microsoft Corporation. Installation success or error status: 1603.\r\n"
        "Property(S): ProductName = Microsoft Azure AD Connect synchronization services\r\n"
        "Property(S): ProductVersion = 2.2.8.0\r\n"
        "MSI (s) (C0:0C) [{t}:900]: MainEngineThread is returning 1603\r\n"
        "=== Verbose logging stopped: 5/10/2026  {t} ===\r\n")
sec = 10 * 3600 + 17 * 60 + 33
written = 0
with open(out, "wb") as f:
    f.write(b"\xff\xfe")
    data = head.encode("utf-16-le")
    f.write(data)
    written += len(data) + 2
    n = 0
    while written < target:
        sec += 1
        data = block.replace("{t}", t(sec)).replace("{ms:03d}", f"{n % 1000:03d}").encode("utf-16-le")
        f.write(data)
        written += len(data)
        n += 1
    sec += 1
    f.write(tail.replace("{t}", t(sec)).encode("utf-16-le"))
