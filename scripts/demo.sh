#!/usr/bin/env bash
# make demo: runs a scripted sample case from start to finish in a temporary
# folder with a throw-away examiner identity, and shows a tampered copy of
# the custody ledger being caught.
set -euo pipefail
bin=$(cd "$(dirname "${1:-bin/pangolin}")" && pwd)/$(basename "${1:-bin/pangolin}")
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-demo.XXXXXX")
export PANGOLIN_HOME="$work/examiner"
unset PANGOLIN_PASSPHRASE
cd "$work"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { { printf '$ pangolin'; printf ' %q' "$@"; printf '\n'; } >&2; "$bin" "$@"; }

step "Examiner identity (Ed25519 key; kept in \$PANGOLIN_HOME for this demo)"
run examiner init --name "Jane Doe" --id JD-123 --org "Kenya Wildlife Service" --no-passphrase

step "A new case"
run case init OP-THUNDER --id OP-THUNDER --title "Ivory and pangolin scales, Mombasa port" --agency "Kenya Wildlife Service"
cd OP-THUNDER

step "Custody actions on two exhibits"
run custody seal --exhibit EX-001 --seal-no KWS-S-0412 --note "Samsung phone in tamper-evident bag"
run custody note --exhibit EX-001 "Phone in airplane mode, battery 41%, photographed front and back"
run custody transfer --exhibit EX-001 --to "Evidence room/ER-7" --reason "secure storage" --location "Mombasa HQ"
run custody seal --exhibit EX-002 --seal-no KWS-S-0413 --note "32 GB SD card from trail camera"

step "A second examiner joins by acting on the case"
PANGOLIN_HOME="$work/examiner2" "$bin" examiner init --name "Amani Mwangi" --id AM-7 --no-passphrase >/dev/null
printf '$ pangolin custody transfer ... (as AM-7)\n'
PANGOLIN_HOME="$work/examiner2" "$bin" custody transfer --exhibit EX-002 --to "Forensic lab/FL-2" --reason "imaging" --location "Nairobi"

step "The ledger"
run custody log
run case info

step "Verify the whole ledger"
run custody verify

step "Save a signed checkpoint (as given to a prosecutor), then carry on"
echo '$ pangolin custody checkpoint > checkpoint-for-prosecutor.txt'
"$bin" custody checkpoint >"$work/checkpoint-for-prosecutor.txt"
cat "$work/checkpoint-for-prosecutor.txt"
run custody note --exhibit EX-002 "Image verified, card returned to ER-7"
run custody prove --checkpoint "$work/checkpoint-for-prosecutor.txt"

step "Tamper demonstration on a copy: change one word in entry 3"
cp -r "$work/OP-THUNDER" "$work/tampered"
sed -i.bak '3s/airplane mode/normal mode/' "$work/tampered/custody/ledger.jsonl"
rm -f "$work/tampered/custody/ledger.jsonl.bak"
set +e
run --case "$work/tampered" custody verify
status=$?
run --case "$work/tampered" custody prove --checkpoint "$work/checkpoint-for-prosecutor.txt"
prove_status=$?
set -e
if [ "$status" -ne 3 ] || [ "$prove_status" -ne 3 ]; then
	echo "demo: tampering was NOT detected (exit $status, $prove_status)" >&2
	exit 1
fi
echo "tampering detected: verify and prove exited 3"

step "The original is untouched"
run custody verify >/dev/null && echo "original ledger still verifies"

step "Imaging the trail camera's SD card (a stand-in 8 MiB image file) to E01"
{ head -c 4194304 /dev/urandom; { yes 'IMG_0412.JPG 2026:03:01 05:12:44 GPS -3.3869 38.6512' || true; } | head -c 4194304; } >"$work/sdcard.img"
run acquire "$work/sdcard.img" --exhibit EX-002 --description "32 GB SD card, trail camera" --notes "seal KWS-S-0413 intact" --split 3M --verify
if command -v ewfverify >/dev/null; then
	printf '$ ewfverify -q evidence/EX-002/EX-002.E01\n'
	ewfverify -q evidence/EX-002/EX-002.E01 | tail -1
fi
run image info evidence/EX-002/EX-002.E01

step "A copy of the image with one byte changed fails verification (exit 3)"
cp -r "$work/OP-THUNDER" "$work/altered"
printf '\x00' | dd of="$work/altered/evidence/EX-002/EX-002.E01" bs=1 seek=200000 conv=notrunc status=none
set +e
run --case "$work/altered" verify EX-002
altered_status=$?
set -e
[ "$altered_status" -eq 3 ] || { echo "demo: altered image was not caught (exit $altered_status)" >&2; exit 1; }

if command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null; then
	step "A FAT-formatted card with a deleted file: image it, list it, recover the file"
	mkfs.vfat -C "$work/phone-card.img" 8192 >/dev/null
	printf 'Buyer: +84 912 345 678, 40 kg scales, BTC bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\n' >"$work/deal.txt"
	printf 'GPS 4.0435 S 39.6682 E\n' >"$work/gps.txt"
	mmd -i "$work/phone-card.img" ::/DCIM
	mcopy -i "$work/phone-card.img" "$work/gps.txt" ::/DCIM/IMG_0413.TXT
	mcopy -i "$work/phone-card.img" "$work/deal.txt" ::/deal.txt
	mdel -i "$work/phone-card.img" ::/deal.txt
	run acquire "$work/phone-card.img" --exhibit EX-003 --description "phone microSD card" >/dev/null
	run ls -r evidence/EX-003/EX-003.E01
	run cat evidence/EX-003/EX-003.E01 /_eal.txt
fi

step "Hashing a seized SD card's files (a stand-in folder), hashdeep-compatible"
mkdir -p "$work/sdcard/DCIM" "$work/sdcard/Documents"
printf 'invoice: 40 kg pangolin scales, Lagos to Hai Phong\n' >"$work/sdcard/Documents/invoice.txt"
printf 'GPS 4.0435 S, 39.6682 E\n' >"$work/sdcard/DCIM/IMG_0001.txt"
head -c 300000 /dev/urandom >"$work/sdcard/DCIM/IMG_0002.bin"
run hash -r "$work/sdcard" >"$work/sdcard.hashdeep"
echo "(written to sdcard.hashdeep)"
if command -v hashdeep >/dev/null; then
	printf '$ hashdeep -r -a -k sdcard.hashdeep sdcard\n'
	hashdeep -r -a -k "$work/sdcard.hashdeep" "$work/sdcard"
fi
run hash --audit "$work/sdcard.hashdeep" -r "$work/sdcard"

step "The same card after someone edited a file: the audit fails (exit 3)"
printf 'invoice: 4 kg\n' >"$work/sdcard/Documents/invoice.txt"
set +e
run hash --audit "$work/sdcard.hashdeep" -r -vv "$work/sdcard"
audit_status=$?
set -e
[ "$audit_status" -eq 3 ] || { echo "demo: audit did not fail (exit $audit_status)" >&2; exit 1; }

step "A known-bad hash set, and the files of the card that are in it"
run hashset import seized-2025 "$work/sdcard.hashdeep" --kind known-bad
run hash -r --hashset all --format csv "$work/sdcard"

step "Geotagged photos and a contact list join the card; read a photo's metadata (no case needed)"
(cd "$repo" && go run ./scripts/benchdata photos "$work/sdcard/DCIM/trail" 12)
printf 'Buyer Hai Phong: +84 912 345 678 (ngà voi, vảy tê tê)\nCaptain: 0712 345 678, vessel IMO 9074729, pembe 40 kg\n' >"$work/sdcard/Documents/contacts.txt"
run meta "$work/sdcard/DCIM/trail/d000/IMG_00000.jpg" | head -n 12

step "Collect the card's files as a logical exhibit, then catalogue every exhibit"
run acquire --logical "$work/sdcard" --exhibit EX-004 --description "SD card files (logical)" >/dev/null
# EX-002 is random bytes with no file system: it is reported and the rest goes on.
run process --all --phone-region KE
run custody log

step "Where the photos were taken, who is named, and what links the exhibits"
run geo --format kml -o "$work/photos.kml"
run geo --format csv -o "$work/photos.csv"
head -n 4 "$work/photos.csv"
echo "(all positions in photos.kml and photos.csv)"
run entities --type phone --type imo --type bitcoin
run links

step "Search every exhibit, in any language; run the environmental-crime keyword list"
run search 'pembe OR ivory OR "IMO 9074729" OR scales' --facets --limit 5
run search --terms "$repo/index/testdata/environmental-crime.terms" | grep -v '^ *0 '
run tag "$(run search 'hai phong' --json --limit 1 2>/dev/null | sed -n 's/.*"id": "\([^"]*\)".*/\1/p' | head -n 1)" --tag evidence --note "buyer's number, also on the phone card"
run tags

step "A timeline of the catalogue (mactime-style), and a DFXML export"
run timeline --format csv | head -n 8
run export dfxml EX-004 -o "$work/EX-004.dfxml"
echo "(written to EX-004.dfxml)"

step "Export the known-bad files by SHA-256, with a manifest recorded on the ledger"
run export files --query 'known:known-bad' --out "$work/OP-THUNDER/exports/known-bad"
run custody verify --files

printf '\nThe sample case is in %s\n' "$work/OP-THUNDER"
