#!/usr/bin/env bash
# Imaging throughput on the same 2 GiB sources (random, and half zeros half
# text): pangolin raw with md5+sha1+sha256 against dc3dd and dcfldd, and
# pangolin E01 (fast) against ewfacquire -c fast. Prints seconds, MB/s,
# output size, peak RSS and ratios. Sources are read once before timing.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(pwd)/${PANGOLIN:-bin/pangolin}
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pangolin-bench.XXXXXX")}
export PANGOLIN_HOME="$dir/home"
[ -f "$PANGOLIN_HOME/examiner.json" ] || "$bin" examiner init --name "Bench Examiner" --id BENCH --no-passphrase >/dev/null
rm -rf "$dir/case"
"$bin" case init "$dir/case" --id BENCH --title "imaging benchmark" >/dev/null

# run LABEL OUTPUT-GLOB COMMAND...: time a command, report and remove its output.
results=()
run() {
	local label=$1 out=$2
	shift 2
	if ! command -v "$1" >/dev/null; then
		printf '%-28s %s not installed: skipped\n' "$label" "$1"
		return
	fi
	/usr/bin/time -f "%e %M" -o "$dir/time" "$@" >/dev/null 2>"$dir/stderr" || { cat "$dir/stderr" >&2; exit 1; }
	read -r secs rss <"$dir/time"
	size=$(du -cb $out 2>/dev/null | tail -1 | cut -f1)
	awk -v l="$label" -v s="$secs" -v b="$bytes" -v o="$size" -v r="$rss" \
		'BEGIN { printf "%-28s %8.2f %9.0f %12.0f %10.1f\n", l, s, b/s/1e6, o/1048576, r/1024 }'
	results+=("$label=$secs")
	rm -rf $out
}
ratio() { awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN { printf "  %s: %.2fx\n", l, a/b }'; }
secs() { for r in "${results[@]}"; do [ "${r%%=*}" = "$1" ] && echo "${r#*=}"; done; }

for kind in random mixed; do
	src="$dir/$kind.img"
	[ -f "$src" ] || go run ./scripts/benchdata "$kind" "$src"
	bytes=$(stat -c %s "$src")
	cat "$src" >/dev/null
	echo
	echo "== source: $kind, $((bytes / 1048576)) MiB"
	printf '%-28s %8s %9s %12s %10s\n' tool seconds MB/s "output MiB" "RSS MB"
	results=()
	run "dc3dd md5+sha1+sha256" "$dir/out.dd" dc3dd if="$src" of="$dir/out.dd" hash=md5 hash=sha1 hash=sha256
	run "dcfldd md5,sha1,sha256" "$dir/out.dd" dcfldd if="$src" of="$dir/out.dd" hash=md5,sha1,sha256 bs=1M
	run "pangolin raw" "$dir/case/evidence/R-$kind" "$bin" --case "$dir/case" acquire "$src" --exhibit "R-$kind" --format raw --hash md5,sha1,sha256 --quiet
	run "ewfacquire -c fast" "$dir/ewf.*" ewfacquire -u -q -c fast -t "$dir/ewf" "$src"
	# ewfacquire hashes MD5 only; pangolin adds the SHA-1 the E01 digest
	# section holds, and is timed with sha256 too.
	run "pangolin e01 fast md5,sha1" "$dir/case/evidence/E-$kind" "$bin" --case "$dir/case" acquire "$src" --exhibit "E-$kind" --format e01 --compress fast --hash md5,sha1 --quiet
	run "pangolin e01 fast +sha256" "$dir/case/evidence/F-$kind" "$bin" --case "$dir/case" acquire "$src" --exhibit "F-$kind" --format e01 --compress fast --hash md5,sha1,sha256 --quiet
	[ -n "$(secs 'dc3dd md5+sha1+sha256')" ] && ratio "$(secs 'dc3dd md5+sha1+sha256')" "$(secs 'pangolin raw')" "pangolin raw vs dc3dd"
	[ -n "$(secs 'dcfldd md5,sha1,sha256')" ] && ratio "$(secs 'dcfldd md5,sha1,sha256')" "$(secs 'pangolin raw')" "pangolin raw vs dcfldd"
	[ -n "$(secs 'ewfacquire -c fast')" ] && ratio "$(secs 'ewfacquire -c fast')" "$(secs 'pangolin e01 fast md5,sha1')" "pangolin e01 (md5,sha1) vs ewfacquire"
done
echo "(sources in $dir)"
