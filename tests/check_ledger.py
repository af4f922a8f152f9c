#!/usr/bin/env python3
"""Checks tests/rfc-ledger.md against the tests that exist.

Usage: check_ledger.py LEDGER SOURCE_ROOT TEST_BINARY...
(gtest binaries, asked with --gtest_list_tests)

Every row of a requirement table (| Requirement | Holds | Violation caught |) must cite,
in each of its two test columns, at least one test that exists: a gtest `Suite.Case` (a
name ending in '*' matches any test with that prefix) or a test script `tests/...sh`
(relative to SOURCE_ROOT). Instead of a test, the "violation caught" column may give a
reason starting with `n/a:`; the "holds" column may not. Any cited test that does not
exist fails the check too, wherever it is cited.
"""
import os
import re
import subprocess
import sys

GTEST = re.compile(r"`([A-Z][A-Za-z0-9]*\.[A-Za-z0-9_]*\*?)`")
SCRIPT = re.compile(r"`(tests/[A-Za-z0-9_./-]+\.(?:sh|py))`")


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
    ledger, root, binaries = sys.argv[1], sys.argv[2], sys.argv[3:]
    known = set()
    for b in binaries:
        known |= gtest_names(b)

    def exists(name):
        if name.endswith("*"):
            return any(k.startswith(name[:-1]) for k in known)
        return name in known

    text = open(ledger).read()
    problems = []
    cited = set(GTEST.findall(text))
    for name in sorted(cited):
        if not exists(name):
            problems.append(f"no such test: {name}")
    scripts = set(SCRIPT.findall(text))
    for path in sorted(scripts):
        if not os.path.isfile(os.path.join(root, path)):
            problems.append(f"no such test script: {path}")

    rows = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("|") or re.match(r"^\|[-| ]+\|$", line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "Requirement":
            if cells[1:] != ["Holds", "Violation caught"]:
                problems.append(f"line {n}: a table's columns must be "
                                "Requirement | Holds | Violation caught")
            continue
        rows += 1
        if len(cells) != 3:
            problems.append(f"line {n}: {len(cells)} cells, want 3: {cells[0]}")
            continue

        def tests_in(cell):
            return GTEST.findall(cell) + SCRIPT.findall(cell)

        holds, caught = tests_in(cells[1]), tests_in(cells[2])
        if not holds and not caught:
            problems.append(f"line {n}: cites no test at all: {cells[0]}")
            continue
        if not holds:
            problems.append(f"line {n}: no test shows it holds: {cells[0]}")
        if not caught and not re.match(r"n/a: \S+ \S+ \S+", cells[2]):
            problems.append(f"line {n}: no test catches its violation, and no 'n/a:' "
                            f"reason: {cells[0]}")
    if rows == 0:
        problems.append("no requirement rows found")
    for p in problems:
        print(f"{ledger}: {p}")
    print(f"{rows} requirements, {len(cited)} test names and {len(scripts)} scripts cited, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
