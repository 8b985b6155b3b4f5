#!/usr/bin/env bash
# Hashing throughput, pangolin against hashdeep on the same generated data:
# (a) 50,000 files of 1-64 KiB, (b) 20 files of 100 MiB, md5+sha1+sha256.
# Data is generated once into $BENCH_DIR (default a temporary folder) and
# read once before timing so both tools read from the page cache.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PANGOLIN:-bin/pangolin}
if ! command -v hashdeep >/dev/null; then
	echo "hashdeep not installed: skipping the hashing comparison"
	exit 0
fi
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pangolin-bench.XXXXXX")}
for set in small large; do
	[ -d "$dir/$set" ] || go run ./scripts/benchdata "$set" "$dir/$set"
done

# seconds and peak RSS (KiB) of a command, output discarded
measure() { /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >"$dir/out" 2>/dev/null; cat "$dir/time"; }

printf '%-34s %10s %10s %10s %12s\n' "data set" "tool" "seconds" "MB/s" "peak RSS MB"
for set in small large; do
	bytes=$(du -sb "$dir/$set" | cut -f1)
	find "$dir/$set" -type f -exec cat {} + >/dev/null
	read -r hd_s hd_rss < <(measure hashdeep -c md5,sha1,sha256 -r "$dir/$set")
	hd_lines=$(grep -vc '^[%#]' "$dir/out")
	read -r pg_s pg_rss < <(measure "$bin" hash -r --algo md5,sha1,sha256 --format hashdeep "$dir/$set")
	pg_lines=$(grep -vc '^[%#]' "$dir/out")
	label="$set ($(find "$dir/$set" -type f | wc -l) files, $((bytes / 1048576)) MiB)"
	awk -v l="$label" -v b="$bytes" -v hs="$hd_s" -v hr="$hd_rss" -v ps="$pg_s" -v pr="$pg_rss" 'BEGIN {
		printf "%-34s %10s %10.2f %10.0f %12.1f\n", l, "hashdeep", hs, b/hs/1e6, hr/1024
		printf "%-34s %10s %10.2f %10.0f %12.1f\n", "", "pangolin", ps, b/ps/1e6, pr/1024
		printf "%-34s %10s %10.2fx\n", "", "ratio", hs/ps
	}'
	if [ "$hd_lines" != "$pg_lines" ]; then
		echo "warning: hashdeep listed $hd_lines files, pangolin $pg_lines" >&2
	fi
done
echo "(data in $dir)"
