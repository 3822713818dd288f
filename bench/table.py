#!/usr/bin/env python3
"""The BENCHMARKS.md summary table from the latest results of every instrument (run bench/run.sh,
or the instruments one by one): criterion's target/criterion (signers, CLI) and the JSON files the
scripts leave in target/bench/ (rsa.json, memory.json, synthetic.json)."""

import json

from common import TARGET, TABLE_HEADER, estimates, fmt_ns, row
from ratios import recipe_rows, summary_row

CLI = [
    ("sign", "`payspec sign` process time (HiTechPAY refund, interpreter)", "— (spec parsed once)"),
    ("lint", "`payspec lint` process time (five seeds)", "— (spec parsed once)"),
    ("check", "`payspec check` wall time (five seeds)", "≤ 0.5 s"),
]


def json_rows(name):
    f = TARGET / "bench" / f"{name}.json"
    return json.loads(f.read_text())["rows"] if f.exists() else []


def main():
    est = estimates()
    print(TABLE_HEADER)
    for r in recipe_rows(est):
        print(summary_row(*r))
    for r in json_rows("rsa"):
        print(row(*r))
    for key, figure, goal in CLI:
        t = est.get(f"cli/{key}")
        if t is not None:
            print(row(figure, goal, f"**{fmt_ns(t)}**", f"cargo bench -p payspec-cli --bench cli -- {key}"))
    for name in ("synthetic", "memory"):
        for r in json_rows(name):
            print(row(*r))


if __name__ == "__main__":
    main()
