#!/usr/bin/env python3
"""The BENCHMARKS.md summary table from the latest results of every instrument (run bench/run.sh,
or the instruments one by one): criterion's target/criterion (signers, CLI) and the JSON files the
scripts leave in target/bench/ (rsa.json, synthetic.json, memory.json)."""

import json

from common import TARGET, TABLE_HEADER, estimates, fmt_ns, row
from ratios import recipe_rows, CMD as SIGN_CMD, GEN_HAND_GOAL, INTERP_GEN_GOAL

CLI_CMD = "cargo bench -p payspec-cli --bench cli -- --warm-up-time 1 --measurement-time 3"
CLI = [
    ("sign", "`payspec sign` process time (HiTechPAY refund)", "— (spec parsed once)"),
    ("lint", "`payspec lint` process time (five seeds)", "— (spec parsed once)"),
    ("check", "`payspec check` wall time (five seeds)", "≤ 0.5 s"),
]


def main():
    est = estimates()
    print(TABLE_HEADER)
    for gid, name, hmac, t, gh, ig in recipe_rows(est):
        detail = f"hand {fmt_ns(t['hand'])}, generated {fmt_ns(t['generated'])}, interpreter {fmt_ns(t['interpreter'])}"
        goal = f"≤ {GEN_HAND_GOAL} (goal 1.05)" if hmac else "— (RSA)"
        print(row(f"generated ÷ hand, {name}", goal, f"**{gh:.2f}** ({detail})", SIGN_CMD))
        print(row(f"interpreter ÷ generated, {name}", f"≤ {INTERP_GEN_GOAL:g}", f"**{ig:.2f}**", SIGN_CMD))
    for name in ("rsa", "synthetic", "memory"):
        f = TARGET / "bench" / f"{name}.json"
        if name == "synthetic":  # CLI rows before the compile-time ones
            for key, figure, goal in CLI:
                t = est.get(f"cli/{key}")
                if t is not None:
                    print(row(figure, goal, f"**{fmt_ns(t)}**", CLI_CMD))
        if f.exists():
            for r in json.loads(f.read_text())["rows"]:
                print(row(*r))


if __name__ == "__main__":
    main()
