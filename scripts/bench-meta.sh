#!/usr/bin/env bash
# Photo metadata speed on 2,000 small JPEGs with EXIF camera, time and GPS
# tags (100 a folder; BENCH_PHOTOS sets another count):
#  - reading: pangolin meta -r --json against exiftool -r -json -n, files
#    a second each and the ratio (pangolin's aim: at least 20x);
#  - processing: pangolin process on a logical exhibit of the same photos,
#    with extraction (EXIF, text, entities) and with --no-extract, files a
#    second and peak RSS.
# The photos are generated once into $BENCH_DIR (default a temporary
# folder) and read once before timing, so every run reads from the page
# cache. bin/pangolin is rebuilt when a Go file is newer than it; set
# PANGOLIN to time another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PANGOLIN:-}" ] && { [ ! -x bin/pangolin ] || [ -n "$(find . -name '*.go' -newer bin/pangolin -print -quit)" ]; }; then
	make -s build
fi
bin=${PANGOLIN:-bin/pangolin}
[ "${bin#/}" != "$bin" ] || bin=$(pwd)/$bin
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pangolin-bench.XXXXXX")}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
photos=$dir/photos
[ -d "$photos" ] || go run ./scripts/benchdata photos "$photos" ${BENCH_PHOTOS:+"$BENCH_PHOTOS"}
files=$(find "$photos" -type f | wc -l)
find "$photos" -type f -exec cat {} + >/dev/null

# seconds and peak RSS (KiB) of a command, its output discarded
measure() {
	/usr/bin/time -f "%e %M" -o "$dir/time" "$@" >/dev/null 2>"$dir/stderr" || { cat "$dir/stderr" >&2; exit 1; }
	cat "$dir/time"
}
# row LABEL FILES SECONDS RSS-KIB
row() {
	awk -v l="$1" -v n="$2" -v s="$3" -v r="$4" \
		'BEGIN { printf "%-34s %7d %9.2f %9.0f %8.1f\n", l, n, s, (s > 0 ? n/s : 0), r/1024 }'
}

echo "metadata: pangolin meta -r --json vs exiftool -r -json -n"
printf '%-34s %7s %9s %9s %8s\n' tool files seconds files/s "RSS MB"
read -r pg_s pg_rss < <(measure "$bin" meta -r --json "$photos")
row "pangolin meta" "$files" "$pg_s" "$pg_rss"
gps=$("$bin" meta -r --json "$photos" | grep -c '"gps":{"latitude"' || true)
if [ "$gps" != "$files" ]; then
	echo "warning: pangolin read a GPS position from $gps of $files photos" >&2
fi
if command -v exiftool >/dev/null; then
	read -r et_s et_rss < <(measure exiftool -r -json -n "$photos")
	row "exiftool $(exiftool -ver)" "$files" "$et_s" "$et_rss"
	awk -v p="$pg_s" -v e="$et_s" 'BEGIN {
		if (p > 0) printf "%-34s %7s %9s %8.1fx (aim: 20x)\n", "ratio (files/s)", "", "", e/p
		else print "ratio: pangolin took under 0.01 s; use more photos (BENCH_PHOTOS)"
	}'
else
	echo "exiftool not installed: skipping the exiftool comparison"
fi

# A throwaway examiner and case holding a logical exhibit of the photos.
work=$(mktemp -d "$dir/case.XXXXXX")
trap 'rm -rf "$work"' EXIT
export PANGOLIN_HOME=$work/home
"$bin" examiner init --name Bench --id B-1 --no-passphrase >/dev/null
"$bin" case init "$work/case" --id BENCH --title bench >/dev/null
(cd "$work/case" && "$bin" acquire --logical "$photos" --exhibit EX -q >/dev/null)
find "$work/case/evidence" -type f -exec cat {} + >/dev/null

echo
echo "processing: pangolin process on a logical exhibit of the same photos"
printf '%-34s %7s %9s %9s %8s\n' run files seconds files/s "RSS MB"
read -r s rss < <(cd "$work/case" && measure "$bin" process EX -q)
row "process (extraction on)" "$files" "$s" "$rss"
read -r s rss < <(cd "$work/case" && measure "$bin" process EX --again --no-extract -q)
row "process --no-extract" "$files" "$s" "$rss"
echo "(photos in $photos)"
