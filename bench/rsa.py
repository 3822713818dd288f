#!/usr/bin/env python3
"""RSA-2048 (PKCS#1 v1.5, SHA-256) sign/verify: payspec per backend against `openssl speed`, one run.

    python3 bench/rsa.py              # criterion group rsa-2048 (both backends), then openssl speed
    python3 bench/rsa.py --seconds 5 --no-bench

Runs `cargo bench -p payspec --bench sign --features rsa-rustcrypto -- rsa-2048` and, right after it,
`openssl speed -elapsed -seconds N rsa2048` (wall-clock, as criterion; with PAYSPEC_BENCH_CLOCK=cpu,
without -elapsed: both in CPU time), and prints each payspec figure as a multiple of OpenSSL's.
payspec's figures go from PEM text to a result, as payspec calls them (PEM decoding and key parsing
included); `aws-lc-rs parsed key` signs with a key parsed once, the figure comparable to openssl's.
"""

import argparse
import json
import re
import subprocess
import sys

from common import TARGET, TABLE_HEADER, cargo, clock, estimates, fmt_ns, row

CMD = "python3 bench/rsa.py"


def openssl_speed(seconds, cpu):
    # openssl divides by user CPU time unless -elapsed: match the clock of the criterion run (wall
    # time, or thread CPU time with PAYSPEC_BENCH_CLOCK=cpu).
    elapsed = [] if cpu else ["-elapsed"]
    out = subprocess.run(["openssl", "speed", *elapsed, "-seconds", str(seconds), "rsa2048"],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"^rsa\s+2048 bits\s+([0-9.]+)s\s+([0-9.]+)s", out, re.M)
    if not m:
        sys.exit(f"cannot read `openssl speed` output:\n{out}")
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.split()[:2]
    return float(m.group(1)) * 1e9, float(m.group(2)) * 1e9, " ".join(version)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=3, help="openssl speed -seconds")
    ap.add_argument("--no-bench", action="store_true", help="reuse the last criterion results")
    args = ap.parse_args()
    if not args.no_bench:
        cargo("bench", "-p", "payspec", "--bench", "sign", "--features", "rsa-rustcrypto", "--",
              "rsa-2048", "--warm-up-time", "1", "--measurement-time", "2")
    cpu = clock() == "thread CPU time"
    sign_ns, verify_ns, version = openssl_speed(args.seconds, cpu)
    est = {k.removeprefix("rsa-2048/"): v for k, v in estimates().items() if k.startswith("rsa-2048/")}
    if not est:
        sys.exit("no rsa-2048 results: run without --no-bench")

    print(f"Medians, {clock()} (openssl speed {'user CPU time' if cpu else '-elapsed, wall time'}).\n")
    print(f"| RSA-2048 | median | ÷ {version} `speed` |\n|---|---|---|")
    print(f"| openssl sign | {fmt_ns(sign_ns)} | 1.00 |\n| openssl verify | {fmt_ns(verify_ns)} | 1.00 |")
    for k in sorted(est):
        base = sign_ns if k.startswith("sign") else verify_ns
        print(f"| {k} | {fmt_ns(est[k])} | {est[k] / base:.2f} |")

    rows = []
    for op, base in (("sign", sign_ns), ("verify", verify_ns)):
        for backend, label, goal in (
            ("aws-lc-rs", "payspec, aws-lc-rs (default)", "≈ 1 once parsed keys are cached"),
            ("rsa", "payspec, `rsa` crate (rsa-rustcrypto)", "—"),
            ("aws-lc-rs parsed key", "aws-lc-rs, key parsed once (no payspec)", "≈ 1"),
        ):
            t = est.get(f"{op}/{backend}")
            if t is not None:
                rows.append([f"RSA-2048 {op}, {label} ÷ `openssl speed rsa2048`", goal,
                             f"**{t / base:.2f}** ({clock()}: {fmt_ns(t)} vs {fmt_ns(base)})", CMD])
    print("\n" + TABLE_HEADER)
    for r in rows:
        print(row(*r))
    (TARGET / "bench").mkdir(parents=True, exist_ok=True)
    (TARGET / "bench" / "rsa.json").write_text(json.dumps({"openssl": [sign_ns, verify_ns], "payspec": est,
                                                           "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
