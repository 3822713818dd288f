#!/usr/bin/env python3
"""Peak memory (max RSS) of the release `payspec` binary: `check` (five seeds), `lint`, `sign`.

    python3 bench/peak_memory.py          # builds target/release/payspec first (cargo build --release)

The peak is ru_maxrss from wait4 (no /usr/bin/time needed); the largest of --reps runs. The peak of
`cargo check` over the synthetic specs is printed by bench/synthetic_specs.py.
"""

import argparse
import json
import sys

from common import ROOT, TARGET, TABLE_HEADER, cargo, row, run_measured

CMD = "python3 bench/peak_memory.py"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        cargo("build", "--release", "--quiet", "-p", "payspec-cli")
    exe = str(TARGET / "release" / "payspec")
    commands = {
        "check": [exe, "check", "--report", str(TARGET / "bench" / "payspec-check.md")],
        "lint": [exe, "lint"],
        "sign": [exe, "sign", "hitechpay", "refund", "--request", "examples/hitechpay/refund.json",
                 "--credentials", "examples/hitechpay/credentials.json", "--now", "1599189500"],
    }
    (TARGET / "bench").mkdir(parents=True, exist_ok=True)
    rows = []
    for name, cmd in commands.items():
        peak, walls = 0.0, []
        for _ in range(args.reps):
            wall, rss, code = run_measured(cmd, cwd=ROOT)
            if code != 0:
                sys.exit(f"payspec {name} exited {code}")
            peak, walls = max(peak, rss), walls + [wall]
        print(f"payspec {name}: peak RSS {peak:.1f} MiB (wall {min(walls):.3f}–{max(walls):.3f} s)", file=sys.stderr)
        rows.append([f"peak memory, `payspec {name}`", "—", f"{peak:.1f} MiB", CMD])
    print(TABLE_HEADER)
    for r in rows:
        print(row(*r))
    (TARGET / "bench" / "memory.json").write_text(json.dumps({"rows": rows}, indent=1))


if __name__ == "__main__":
    main()
