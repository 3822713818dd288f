#!/usr/bin/env python3
"""Criterion medians of `cargo bench -p payspec --bench sign` as Markdown.

    python3 bench/ratios.py            # recipe table + RSA + spec loading
    python3 bench/ratios.py --table    # rows of the BENCHMARKS.md summary table
    python3 bench/ratios.py --check    # exit 1 when a ratio misses its goal

Reads target/criterion/**/new/{benchmark,estimates}.json (the latest run of each benchmark), so run
the bench first, e.g.
    cargo bench -p payspec --bench sign -- --warm-up-time 1 --measurement-time 2
"""

import argparse
import sys

from common import clock, estimates, fmt_ns, row

# group id -> (display name, uses HMAC/MD5 (the 1.2 goal applies))
RECIPES = [
    ("hitechpay-refund", "HiTechPAY refund", True),
    ("vietqr-refund", "VietQR refund", True),
    ("ninepay-refund", "9Pay refund", True),
    ("appotapay-v1-refund", "AppotaPay v1 refund", True),
    ("bbmsl-refund", "BBMSL refund (RSA-2048)", False),
    ("hitechpay-callback", "HiTechPAY callback verify", True),
]
GEN_HAND_GOAL = 1.2  # generated ÷ hand, HMAC/MD5 recipes (issue goal 1.05)
INTERP_GEN_GOAL = 3.0  # interpreter ÷ generated


def recipe_rows(est):
    rows = []
    for gid, name, hmac in RECIPES:
        t = {f: est.get(f"{gid}/{f}") for f in ("hand", "generated", "interpreter")}
        if None in t.values():
            continue
        rows.append((gid, name, hmac, t, t["generated"] / t["hand"], t["interpreter"] / t["generated"]))
    return rows


def summary_row(gid, name, hmac, t, gh, ig):
    """One BENCHMARKS.md row per recipe: both ratios, the three medians."""
    goal = f"≤ {GEN_HAND_GOAL} (goal 1.05); ≤ {INTERP_GEN_GOAL:g}" if hmac else f"— (RSA); ≤ {INTERP_GEN_GOAL:g}"
    measured = (f"**{gh:.2f}**; **{ig:.2f}** ({clock()}: hand {fmt_ns(t['hand'])}, generated {fmt_ns(t['generated'])}, "
                f"interpreter {fmt_ns(t['interpreter'])})")
    cmd = f"cargo bench -p payspec --bench sign -- {gid} && python3 bench/ratios.py"
    return row(f"{name}: generated ÷ hand; interpreter ÷ generated", goal, measured, cmd)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--table", action="store_true", help="print the summary-table rows only")
    ap.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = ap.parse_args()
    est = estimates()
    rows = recipe_rows(est)
    if not rows:
        sys.exit("no criterion results for the recipe groups: run `cargo bench -p payspec --bench sign` first")

    missed = []
    for gid, name, hmac, t, gh, ig in rows:
        if hmac and gh > GEN_HAND_GOAL:
            missed.append(f"{name}: generated ÷ hand {gh:.2f} > {GEN_HAND_GOAL}")
        if ig > INTERP_GEN_GOAL:
            missed.append(f"{name}: interpreter ÷ generated {ig:.2f} > {INTERP_GEN_GOAL}")

    if args.table:
        for r in rows:
            print(summary_row(*r))
    else:
        print(f"Medians, {clock()}.\n")
        print("| recipe | hand | generated | interpreter | generated ÷ hand | interpreter ÷ generated |")
        print("|---|---|---|---|---|---|")
        for gid, name, hmac, t, gh, ig in rows:
            print(
                f"| {name} | {fmt_ns(t['hand'])} | {fmt_ns(t['generated'])} | {fmt_ns(t['interpreter'])} "
                f"| {gh:.2f} | {ig:.2f} |"
            )
        rsa = sorted((k, v) for k, v in est.items() if k.startswith("rsa-2048/"))
        if rsa:
            print("\n| RSA-2048 (PKCS#1 v1.5, SHA-256) | median |\n|---|---|")
            for k, v in rsa:
                print(f"| {k.removeprefix('rsa-2048/')} | {fmt_ns(v)} |")
        load = sorted((k, v) for k, v in est.items() if k.startswith("spec-load/"))
        if load:
            print("\n| spec load (`load_str`: parse, position index, validation) | median |\n|---|---|")
            for k, v in load:
                print(f"| {k.removeprefix('spec-load/')}.yaml | {fmt_ns(v)} |")
        if missed:
            print("\nmissed goals:\n" + "\n".join(f"- {m}" for m in missed))
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
