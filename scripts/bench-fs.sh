#!/usr/bin/env bash
# File-system speed on FAT32, ext4 and NTFS images holding the same
# 20,000 files (1-4 KiB in 200 folders):
#  - listing: pangolin ls -r against fls -r -p;
#  - processing: pangolin process (walk, read, md5+sha1+sha256, type,
#    catalogue rows) against fls -r -p plus hashdeep -c md5,sha1,sha256
#    over the same files extracted by tsk_recover (extraction not timed),
#    with pangolin's peak RSS.
# Images are built with mkfs.vfat+mcopy, mkfs.ext4 -d and mkntfs+ntfs-3g
# when those tools are there; each missing one is named.
# BENCH_MILLION=1 adds process on an ext4 image of 1,000,000 files (peak
# RSS at that scale; takes several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(pwd)/${PANGOLIN:-bin/pangolin}
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pangolin-bench.XXXXXX")}
if ! command -v fls >/dev/null; then
	echo "fls (sleuthkit) not installed: skipping the listing comparison"
	exit 0
fi
[ -d "$dir/tiny" ] || go run ./scripts/benchdata tiny "$dir/tiny"

build() {
	case $1 in
	fat32)
		command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null || return 1
		[ -f "$dir/fs.fat32" ] && return 0
		mkfs.vfat -F 32 -C "$dir/fs.fat32" 262144 >/dev/null
		mcopy -s -i "$dir/fs.fat32" "$dir/tiny"/* ::/ ;;
	ext4)
		command -v mkfs.ext4 >/dev/null || return 1
		[ -f "$dir/fs.ext4" ] && return 0
		mkfs.ext4 -q -d "$dir/tiny" "$dir/fs.ext4" 256M ;;
	ntfs)
		command -v mkntfs >/dev/null && command -v ntfs-3g >/dev/null && [ "$(id -u)" = 0 ] || return 1
		[ -f "$dir/fs.ntfs" ] && return 0
		truncate -s 256M "$dir/fs.ntfs"
		mkntfs -q -F -Q "$dir/fs.ntfs" >/dev/null
		mkdir -p "$dir/mnt"
		ntfs-3g "$dir/fs.ntfs" "$dir/mnt"
		cp -r "$dir/tiny"/. "$dir/mnt"/
		umount "$dir/mnt" ;;
	esac
}

# process_bench FS IMAGE [FLAGS...]: time pangolin process on IMAGE in a
# fresh case.
process_bench() {
	local fs=$1 img=$2 home="$dir/home" c="$dir/case-$1"
	shift 2
	rm -rf "$c"
	[ -f "$home/examiner.key" ] || PANGOLIN_HOME=$home "$bin" examiner init --name Bench --id B-1 >/dev/null
	PANGOLIN_HOME=$home "$bin" case init "$c" --id BENCH --title bench >/dev/null
	(cd "$c" && PANGOLIN_HOME=$home "$bin" acquire "$img" --exhibit EX --format raw -q >/dev/null)
	cat "$c/evidence/EX/EX.raw" >/dev/null
	(cd "$c" && PANGOLIN_HOME=$home /usr/bin/time -f "%e %M" -o "$dir/t.proc" "$bin" process EX -q "$@" >/dev/null)
	read -r secs rss <"$dir/t.proc"
	echo "$secs $rss"
}

printf '%-8s %10s %12s %8s %8s\n' fs entries "fls s" "ls s" ratio
for fs in fat32 ext4 ntfs; do
	if ! build "$fs"; then
		echo "$fs: image tools not installed: skipped"
		continue
	fi
	img="$dir/fs.$fs"
	cat "$img" >/dev/null
	entries=$(fls -r -p "$img" | wc -l)
	/usr/bin/time -f "%e" -o "$dir/t.fls" fls -r -p "$img" >/dev/null
	/usr/bin/time -f "%e" -o "$dir/t.ls" "$bin" ls -r "$img" >/dev/null
	awk -v f="$fs" -v n="$entries" -v a="$(cat "$dir/t.fls")" -v b="$(cat "$dir/t.ls")" \
		'BEGIN { printf "%-8s %10d %12.2f %8.2f %7.2fx\n", f, n, a, b, (b > 0 ? a/b : 0) }'
done

echo
echo "process: pangolin process --no-extract (hashes, types, catalogue) vs fls -r -p + hashdeep -c md5,sha1,sha256"
echo "(files extracted by tsk_recover -a, untimed); then process with extraction (metadata, text, entities)"
printf '%-8s %8s %10s %8s %10s %10s %8s %9s %10s %9s\n' fs files MB "fls s" "hashdeep s" "process s" ratio "RSS MB" "extract s" "RSS MB"
for fs in fat32 ext4 ntfs; do
	img="$dir/fs.$fs"
	[ -f "$img" ] || continue
	command -v hashdeep >/dev/null && command -v tsk_recover >/dev/null || { echo "hashdeep or tsk_recover not installed: skipped"; break; }
	rm -rf "$dir/rec"
	tsk_recover -a "$img" "$dir/rec" >/dev/null
	files=$(find "$dir/rec" -type f | wc -l)
	mb=$(du -sm "$dir/rec" | cut -f1)
	/usr/bin/time -f "%e" -o "$dir/t.fls" fls -r -p "$img" >/dev/null
	/usr/bin/time -f "%e" -o "$dir/t.hd" hashdeep -r -c md5,sha1,sha256 "$dir/rec" >/dev/null
	read -r secs rss < <(process_bench "$fs" "$img" --no-extract)
	read -r xsecs xrss < <(process_bench "$fs" "$img")
	awk -v f="$fs" -v n="$files" -v mb="$mb" -v a="$(cat "$dir/t.fls")" -v h="$(cat "$dir/t.hd")" -v p="$secs" -v r="$rss" -v x="$xsecs" -v xr="$xrss" \
		'BEGIN { printf "%-8s %8d %10d %8.2f %10.2f %10.2f %7.2fx %9.0f %10.2f %9.0f\n", f, n, mb, a, h, p, (p > 0 ? (a+h)/p : 0), r/1024, x, xr/1024 }'
done

if [ "${BENCH_MILLION:-}" = 1 ] && command -v mkfs.ext4 >/dev/null; then
	if [ ! -f "$dir/fs.million" ]; then
		go run ./scripts/benchdata million "$dir/million"
		mkfs.ext4 -q -N 1100000 -d "$dir/million" "$dir/fs.million" 6G
		rm -rf "$dir/million"
	fi
	read -r secs rss < <(process_bench million "$dir/fs.million" --no-extract)
	echo "process, ext4 with 1,000,000 files: ${secs} s, peak RSS $((rss / 1024)) MB"
fi
echo "(images in $dir)"
