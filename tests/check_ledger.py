#!/usr/bin/env python3
"""Fails when tests/rfc-ledger.md names a test that does not exist.

Usage: check_ledger.py LEDGER TEST_BINARY...  (gtest binaries, asked with --gtest_list_tests)
A name ending in '*' matches any test with that prefix.
"""
import re
import subprocess
import sys


def gtest_names(binary):
    out = subprocess.run([binary, "--gtest_list_tests"], check=True, capture_output=True,
                         text=True).stdout
    names, suite = set(), ""
    for line in out.splitlines():
        if not line.startswith(" "):
            suite = line.split()[0]
        else:
            # Parameterized tests list as "Prefix/Suite." and "Case/param": keep Suite.Case.
            name = suite.split("/")[-1] + line.split()[0].split("/")[0]
            names.add(name)
    return names


def main():
    ledger, binaries = sys.argv[1], sys.argv[2:]
    known = set()
    for b in binaries:
        known |= gtest_names(b)
    cited = set(re.findall(r"`([A-Z][A-Za-z0-9]*\.[A-Za-z0-9_]*\*?)`", open(ledger).read()))
    missing = []
    for name in sorted(cited):
        if name.endswith("*"):
            ok = any(k.startswith(name[:-1]) for k in known)
        else:
            ok = name in known
        if not ok:
            missing.append(name)
    for name in missing:
        print(f"{ledger}: no such test: {name}")
    print(f"{len(cited)} test names cited, {len(missing)} missing")
    return 1 if missing or not cited else 0


if __name__ == "__main__":
    sys.exit(main())
