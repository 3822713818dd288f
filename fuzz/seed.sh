#!/usr/bin/env bash
# Build the seed corpora of the fuzz targets from the repository's specs/ and vectors/ (nothing
# generated is committed: fuzz/corpus is gitignored). Run from anywhere; needs python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python3 - "$root" "$here/corpus" <<'PY'
import glob, json, os, sys
root, corpus = sys.argv[1], sys.argv[2]
def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
counts = {}
for spec in sorted(glob.glob(os.path.join(root, "specs", "*.yaml"))):
    put("spec_load", "spec-" + os.path.basename(spec), open(spec, "rb").read())
    counts["spec_load"] = counts.get("spec_load", 0) + 1
for path in sorted(glob.glob(os.path.join(root, "vectors", "*", "*.json"))):
    v = json.load(open(path, encoding="utf-8"))
    payload = json.dumps(v.get("input", {}), ensure_ascii=False).encode()
    target = v.get("target", {})
    # Callback payloads seed both JSON targets; response bodies and request fields seed responses.
    kinds = ["callback_verify", "response_parse"] if "callback" in target else ["response_parse"]
    for kind in kinds:
        for flag in (0, 1):  # flag bit 0: sign the payload first, as the provider would
            put(kind, "%s-%d" % (v["id"], flag), bytes([flag]) + payload)
            counts[kind] = counts.get(kind, 0) + 1
    body = v.get("expected", {}).get("body")
    if isinstance(body, dict):
        put("response_parse", v["id"] + "-body", b"\x00" + json.dumps(body, ensure_ascii=False).encode())
        counts["response_parse"] += 1
for k, n in sorted(counts.items()):
    print("%-16s %d seeds in %s" % (k, n, os.path.join(corpus, k)))
PY
