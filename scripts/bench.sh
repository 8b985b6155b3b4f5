#!/usr/bin/env bash
# make bench: Go benchmarks, each with an iteration count that suits it.
# Later stages add reference tools run side by side on the same data.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== custody ledger: full verify (100,000 entries) and durable append latency"
go test -run '^$' -bench '^BenchmarkVerify$' -benchtime 3x ./chain
go test -run '^$' -bench '^BenchmarkAppend$' -benchtime 500x ./chain

echo "== hashing: one-pass multi-hasher, and pangolin vs hashdeep on the same trees"
go test -run '^$' -bench '^BenchmarkMulti$' -benchtime 4x ./hashing
make -s build
bash scripts/bench-hash.sh

echo "== imaging: pangolin raw and E01 vs dc3dd, dcfldd and ewfacquire on 2 GiB sources"
bash scripts/bench-acquire.sh

echo "== catalogue: rows written a second (20,000 file rows a run)"
go test -run '^$' -bench '^BenchmarkWriter$' -benchtime 5x ./catalog

echo "== file systems: pangolin ls -r vs fls -r -p, and process vs fls + hashdeep, on 20,000-file FAT32, ext4 and NTFS images"
bash scripts/bench-fs.sh

echo "== extraction: pangolin meta -r vs exiftool -r -json on 2,000 geotagged JPEGs, and process with extraction on and off"
bash scripts/bench-meta.sh

echo "== search index: indexing MB/s (wall and CPU), docs/s, peak RSS, index size over text, and query latency (p50, p95) by word and phrase frequency, at 100,000 generated documents (PANGOLIN_BENCH_MILLION=1: 1,000,000)"
go test -run '^$' -bench '^BenchmarkIndexAndSearch$' -benchtime 1x -timeout 3h -v ./index
echo "== language detection: microseconds per text"
go test -run '^$' -bench '^BenchmarkDetectLanguage$' ./index
