#!/bin/sh
# Usage: model_seeds.sh CHAFF_BINARY FUZZ_MODEL_BINARY FIXTURE_TSV OUT_DIR
# Writes seeds for the model fuzz target into OUT_DIR: small models trained on the fixture
# (two-pass with 8-bit weights, single-pass with 16-bit weights) without their 4-byte checksum,
# which the target appends itself. Then runs the target over them once, so that ctest checks
# that a real model is accepted and labels the target's page (the target aborts if not).
set -eu
chaff=$1 fuzz=$2 fixture=$3 out=$4
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_model_seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Four copies of the fixture's pages under other ids: enough pages for the second pass.
for k in 1 2 3 4; do grep . "$fixture" | sed "s/^/c$k-/"; done >"$tmp/x4.tsv"
"$chaff" train -t 1 --hash-bits 10 --weight-bits 8 --model "$tmp/stacked.chaff" "$tmp/x4.tsv" \
    >"$tmp/sum" 2>&1 || { cat "$tmp/sum" >&2; exit 1; }
grep -qx "stacking	on" "$tmp/sum" || { echo "model_seeds.sh: no second pass trained" >&2; exit 1; }
"$chaff" train -t 1 --hash-bits 10 --weight-bits 16 --no-stacking --model "$tmp/single.chaff" \
    "$fixture" >"$tmp/sum" 2>&1 || { cat "$tmp/sum" >&2; exit 1; }
for m in stacked single; do
    size=$(wc -c <"$tmp/$m.chaff")
    head -c $((size - 4)) "$tmp/$m.chaff" >"$out/model-$m"
done
"$fuzz" "$out/model-stacked" "$out/model-single"
