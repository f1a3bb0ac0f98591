#!/bin/bash
# Side by side: one in-memory Azurite with eng/azurite-preload.js and one without, driven at the same
# time by the same client (qbench.cs): receive + delete of a DEPTH-deep queue, then SECONDS of
# "send 500, drain" (the status callbacks' pattern; Azurite's queue GC runs every 60 s).
# usage: eng/azurite-queue-bench/run.sh [DEPTH=3000] [SECONDS=100]   (figures: docs/benchmarks.md)
set -e
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd); WORK=$(mktemp -d)
DEPTH=${1:-3000}; SECS=${2:-100}
start() { # label, node args...
  local label=$1; shift; mkdir -p "$WORK/$label"
  (cd "$WORK/$label" && exec node "$@" "$ROOT/node_modules/azurite/dist/src/azurite.js" --blobPort 0 --queuePort 0 --tablePort 0 \
    --disableTelemetry --skipApiVersionCheck --loose --inMemoryPersistence > out.txt 2>&1) & echo $! > "$WORK/$label.pid"
  for _ in $(seq 150); do grep -q "Queue service is successfully listening" "$WORK/$label/out.txt" 2>/dev/null && break; sleep 0.2; done
  grep -o "Queue service is successfully listening at http://127.0.0.1:[0-9]*" "$WORK/$label/out.txt" | grep -o "[0-9]*$"
}
cs() { echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:$1/devstoreaccount1;"; }
trap 'kill $(cat "$WORK"/*.pid) 2>/dev/null; rm -rf "$WORK"' EXIT
dotnet build "$HERE/qbench.cs" > /dev/null
PATCHED=$(start patched --require "$ROOT/eng/azurite-preload.js"); UNPATCHED=$(start unpatched)
dotnet run --no-build "$HERE/qbench.cs" -- patched "$(cs "$PATCHED")" "$DEPTH" "$SECS" & A=$!
dotnet run --no-build "$HERE/qbench.cs" -- unpatched "$(cs "$UNPATCHED")" "$DEPTH" "$SECS" & B=$!
wait $A $B
