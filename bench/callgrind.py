#!/usr/bin/env python3
"""Instructions per signing call under callgrind, per seed recipe and path (stable on a shared machine).

    cargo build --release -p payspec --example cg
    python3 bench/callgrind.py [recipe ...]

Each figure is (Ir of a run with 201 calls - Ir of a run with 1 call) / 200: setup (spec parsing,
request and credentials) cancels out. Prints recipe | hand | generated | interpreter | generated ÷ hand
| interpreter ÷ generated.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
EXE = os.path.join(TARGET, "release", "examples", "cg")
RECIPES = ["hitechpay", "vietqr", "ninepay", "appotapay"]
PATHS = ["hand", "generated", "interpreter"]


def instructions(recipe, path, calls):
    with tempfile.NamedTemporaryFile(suffix=".cg") as out:
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", EXE, recipe, path, str(calls)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            sys.exit(f"cg {recipe} {path} {calls} failed:\n{proc.stderr}")
        m = re.search(r"^summary:\s+(\d+)", open(out.name).read(), re.M)
        return int(m.group(1))


def main():
    recipes = sys.argv[1:] or RECIPES
    print("| recipe | hand | generated | interpreter | generated ÷ hand | interpreter ÷ generated |")
    print("|---|---|---|---|---|---|")
    for r in recipes:
        per = {p: (instructions(r, p, 201) - instructions(r, p, 1)) / 200 for p in PATHS}
        h, g, i = per["hand"], per["generated"], per["interpreter"]
        print(f"| {r} | {h:,.0f} | {g:,.0f} | {i:,.0f} | {g / h:.2f} | {i / g:.2f} |", flush=True)


if __name__ == "__main__":
    main()
