#!/usr/bin/env bash
# Every figure of BENCHMARKS.md, one run, then the summary table (Markdown, on stdout at the end).
#   bench/run.sh            # about 8 minutes on 2 cores after the first release build
#   QUICK=1 bench/run.sh    # shorter criterion runs, 2 timed cargo checks per N (a smoke run)
#   PAYSPEC_BENCH_CLOCK=cpu bench/run.sh   # signers timed in thread CPU time (a loaded machine)
# Detailed tables go to stderr as each instrument finishes; target/bench/ keeps the raw results.
set -euo pipefail
cd "$(dirname "$0")/.."
warm=1 meas=2 cli_meas=3 reps=3
if [[ -n "${QUICK:-}" ]]; then meas=1 cli_meas=1 reps=2; fi
mkdir -p target/bench
log() { printf '\n## %s\n' "$*" >&2; }

log "release build (not timed)"
cargo build --release -p payspec-cli >&2
cargo bench -p payspec --bench sign --features rsa-rustcrypto --no-run >&2
cargo bench -p payspec-cli --bench cli --no-run >&2

log "signers: hand / generated / interpreter per seed recipe, spec loading"
cargo bench -p payspec --bench sign --features rsa-rustcrypto -- \
  '^(hitechpay|vietqr|ninepay|appotapay|bbmsl|spec-load)' --warm-up-time $warm --measurement-time $meas >&2

log "RSA-2048 per backend, then openssl speed"
python3 bench/rsa.py --seconds $meas >&2
python3 bench/ratios.py >&2

log "CLI process time"
cargo bench -p payspec-cli --bench cli -- --warm-up-time $warm --measurement-time $cli_meas >&2

log "peak memory of the CLI"
python3 bench/peak_memory.py --no-build >&2

log "cargo check per spec (N = 0, 5, 20, 50)"
python3 bench/synthetic_specs.py --reps $reps >&2

log "summary table"
python3 bench/table.py
