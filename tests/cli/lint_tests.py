#!/usr/bin/env python3
"""Catches test-script mistakes that make a check unable to fail.

Usage: lint_tests.py DIR...   (every *.sh below each DIR)

- `lab_wait MS [ "$(cmd)" ... ]`: the shell expands $(cmd) once, before lab_wait runs, so
  lab_wait re-tests the same value until its deadline and the wait can never see a change.
  Wrap the check in a function (or `bash -c '...'`) so each try runs cmd again.
"""
import pathlib
import re
import sys

# lab_wait TIMEOUT then a test command whose arguments hold a command substitution.
ONCE = re.compile(r"\blab_wait\s+\S+\s+(\[\[?|test)\s(?P<args>.*)")


def substitutions(text):
    """True if text (a command's words, up to || or &&) has $(...) or backticks."""
    text = re.split(r"\|\||&&", text)[0]
    return bool(re.search(r"\$\((?!\()|`", text))


def main(dirs):
    problems = []
    for d in dirs:
        for path in sorted(pathlib.Path(d).rglob("*.sh")):
            lines = path.read_text().splitlines()
            for n, line in enumerate(lines, 1):
                m = ONCE.search(line)
                # A check may go on over continuation lines: take them with it.
                args = m.group("args") if m else ""
                k = n
                while m and line.rstrip().endswith("\\") and k < len(lines):
                    line = lines[k]
                    args += " " + line
                    k += 1
                if m and substitutions(args):
                    problems.append(f"{path}:{n}: lab_wait re-tests a value expanded once "
                                    "(put the check in a function)")
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
