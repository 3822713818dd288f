#!/usr/bin/env python3
"""`cargo check` cost per spec: N synthetic specs, one `payspec::provider!` each.

    python3 bench/synthetic_specs.py                 # N = 0 (baseline), 5, 20, 50; 3 timed runs each
    python3 bench/synthetic_specs.py --n 5 20 --reps 5

For each N, writes a scratch crate target/bench-synthetic/n<N>/ (its own workspace, depending on
`payspec` by path, with the workspace's Cargo.lock copied in) whose src/lib.rs calls
`payspec::provider!` on N specs: the five seed specs in turn, each copy renamed (`provider:
hitechpay_s007`, title and hosts marked with the copy's number) so no two expand to the same code.
All crates share one target dir (target/bench-synthetic/target), so dependencies are built once
(the first run builds them, aws-lc-sys included: minutes; one untimed `cargo check` of the N = 0
crate). Then, per N, `--reps` times: touch src/lib.rs, time `cargo check --offline` (non-incremental:
CARGO_INCREMENTAL=0, so every run re-expands and re-checks all N modules), in cargo's plain dev
profile as a consumer crate has it (the macro and its YAML parser unoptimised; `--workspace-profile`
builds dependencies at opt-level 2 as this workspace does). Reports the median
wall time, the cost per spec over the N = 0 crate ((t_N − t_0) / N), whether that cost stays flat
(per-spec cost at 20 ÷ at 5, at 50 ÷ at 20: 1.0 = linear), and the peak RSS of the checks.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import sys
from pathlib import Path

from common import ROOT, TARGET, TABLE_HEADER, cargo, row, run_measured

SEEDS = ["hitechpay", "vietqr", "ninepay", "appotapay", "bbmsl"]
SCRATCH = TARGET / "bench-synthetic"
GOAL = 0.2  # s per spec
CMD = "python3 bench/synthetic_specs.py"


def synthetic_spec(seed, i):
    """Seed spec `seed` renamed to `<seed>_s<i>`, its title and hosts marked with `i`."""
    text = (ROOT / "specs" / f"{seed}.yaml").read_text()
    name = f"{seed}_s{i:03}"
    text, n = re.subn(rf"^provider: {seed}$", f"provider: {name}", text, count=1, flags=re.M)
    assert n == 1, f"no `provider: {seed}` line in specs/{seed}.yaml"
    text = re.sub(r"^title: (.*)$", rf"title: \1 (synthetic copy {i})", text, count=1, flags=re.M)
    text = text.replace("https://", f"https://s{i:03}.")
    return name, text


def write_crate(n, workspace_profile=False):
    crate = SCRATCH / f"n{n}"
    specs = crate / "specs"
    if specs.exists():
        shutil.rmtree(specs)
    specs.mkdir(parents=True)
    (crate / "src").mkdir(exist_ok=True)
    lines = [f"//! {n} synthetic providers (bench/synthetic_specs.py).", "#![allow(missing_docs)]"]
    for i in range(n):
        name, text = synthetic_spec(SEEDS[i % len(SEEDS)], i)
        (specs / f"{name}.yaml").write_text(text)
        lines.append(f'payspec::provider!("specs/{name}.yaml");')
    (crate / "src" / "lib.rs").write_text("\n".join(lines) + "\n")
    runtime = (ROOT / "runtime").as_posix()
    (crate / "Cargo.toml").write_text(
        f'[package]\nname = "synthetic-n{n}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\npayspec = {{ path = "{runtime}" }}\n\n'
        "# Not a member of the payspec workspace.\n[workspace]\n"
        + ('\n[profile.dev.package."*"]\nopt-level = 2\n' if workspace_profile else "")
    )
    shutil.copy(ROOT / "Cargo.lock", crate / "Cargo.lock")
    return crate


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[5, 20, 50], help="spec counts (N = 0 is always added)")
    ap.add_argument("--reps", type=int, default=3, help="timed runs per N (median)")
    ap.add_argument("--incremental", action="store_true", help="keep incremental compilation on")
    ap.add_argument("--workspace-profile", action="store_true",
                    help="build dependencies (and the macro's) at opt-level 2 as the payspec workspace does; "
                         "default: cargo's plain dev profile, as a consumer crate has")
    args = ap.parse_args()
    ns = sorted({0, *args.n})

    target = SCRATCH / ("target-workspace-profile" if args.workspace_profile else "target")
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    if not args.incremental:
        env["CARGO_INCREMENTAL"] = "0"
    results = {}
    for n in ns:
        crate = write_crate(n, args.workspace_profile)
        if n == 0:  # warm: the dependencies, shared by every crate (their own first check is timed)
            cargo("check", "--offline", "--quiet", cwd=crate, env=env)
        times, peak = [], 0.0
        for _ in range(args.reps):
            (crate / "src" / "lib.rs").touch()
            wall, rss, code = run_measured(["cargo", "check", "--offline", "--quiet"], cwd=crate, env=env)
            if code != 0:
                sys.exit(f"cargo check failed in {crate}")
            times.append(wall)
            peak = max(peak, rss)
        results[n] = {"median_s": statistics.median(times), "runs_s": times, "peak_rss_mib": peak}
        print(f"N={n:3}: cargo check {statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}), "
              f"peak RSS {peak:.0f} MiB", file=sys.stderr, flush=True)

    t0 = results[0]["median_s"]
    per = {n: (r["median_s"] - t0) / n for n, r in results.items() if n}
    print("\n| N specs | `cargo check` (median) | per spec over N = 0 | total ÷ N | peak RSS |\n|---|---|---|---|---|")
    for n, r in results.items():
        p = f"{per[n]:.3f} s" if n else "—"
        tn = f"{r['median_s'] / n:.3f} s" if n else "—"
        print(f"| {n} | {r['median_s']:.2f} s | {p} | {tn} | {r['peak_rss_mib']:.0f} MiB |")

    rows = []
    for n in per:
        rows.append([f"`cargo check` per spec, N = {n}", f"≤ {GOAL} s",
                     f"**{per[n]:.3f} s/spec** ({results[n]['median_s']:.2f} s total, N = 0 crate {t0:.2f} s)", CMD])
    counts = sorted(per)
    lin = [f"{b} vs {a}: {per[b] / per[a]:.2f}" for a, b in zip(counts, counts[1:]) if per[a] > 0]
    if lin:
        rows.append(["`cargo check` linearity (per-spec cost ratio)", "≈ 1.0 (linear)", "; ".join(lin), CMD])
    big = max(per) if per else 0
    rows.append([f"peak memory, `cargo check` of N = {big} specs", "—",
                 f"{results[big]['peak_rss_mib']:.0f} MiB", CMD])
    print("\n" + TABLE_HEADER)
    for r in rows:
        print(row(*r))
    out = TARGET / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "synthetic.json").write_text(json.dumps({"results": results, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
