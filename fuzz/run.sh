#!/usr/bin/env bash
# Run every fuzz target for SECONDS seconds each (default 60), after seeding the corpora.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). A crash stops with a
# non-zero exit; its input is saved under fuzz/artifacts/<target>/.
set -euo pipefail
secs="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
./seed.sh
status=0
for t in spec_load callback_verify response_parse; do
    echo "== $t: ${secs}s"
    if ! cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096; then
        echo "!! $t failed: see fuzz/artifacts/$t/" >&2
        status=1
    fi
done
exit $status
