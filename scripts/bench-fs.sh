#!/usr/bin/env bash
# File-system listing speed: pangolin ls -r against fls -r -p on FAT32,
# ext4 and NTFS images holding the same 20,000 files (1-4 KiB in 200
# folders). Images are built with mkfs.vfat+mcopy, mkfs.ext4 -d and
# mkntfs+ntfs-3g when those tools are there; each missing one is named.
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
echo "(images in $dir)"
