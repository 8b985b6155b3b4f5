#!/usr/bin/env bash
# make demo: the whole pipeline on a generated sample case, in a temporary
# folder with throw-away examiner identities: custody, imaging to E01 and
# verification, processing, search, tags, geolocation, custody and
# findings reports in PDF and HTML, their verification, and tampering
# (ledger, image, report) being caught.
set -euo pipefail
bin=$(cd "$(dirname "${1:-bin/pangolin}")" && pwd)/$(basename "${1:-bin/pangolin}")
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-demo.XXXXXX")
export PANGOLIN_HOME="$work/examiner"
unset PANGOLIN_PASSPHRASE
start=$SECONDS

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { { printf '$ pangolin'; printf ' %q' "$@"; printf '\n'; } >&2; "$bin" "$@"; }
# expect STATUS CMD...: runs a command that must exit with STATUS.
expect() {
	local want=$1 got=0
	shift
	"$@" || got=$?
	[ "$got" -eq "$want" ] || { echo "demo: '$*' exited $got, want $want" >&2; exit 1; }
	echo "(exit $got, as expected)"
}
# ids QUERY...: the artefact ids a search finds.
ids() { "$bin" search "$@" --json --limit 50 | sed -n 's/^ *"id": "\([^"]*\)".*/\1/p'; }

step "The seized evidence: a phone's microSD card (FAT) and a laptop's files (generated sample)"
(cd "$repo" && go run ./scripts/samplecase "$work/sample")
cat "$work/sample/README.txt"
cd "$work"

step "Examiner identity (Ed25519 key; kept in \$PANGOLIN_HOME for this demo) and a new case"
run examiner init --name "Jane Doe" --id JD-123 --org "Kenya Wildlife Service" --no-passphrase
run case init OP-THUNDER --id OP-THUNDER --title "Ivory, pangolin scales and rosewood, Mombasa port" --agency "Kenya Wildlife Service"
cd OP-THUNDER

step "Custody of the two exhibits"
run custody seal --exhibit EX-001 --seal-no KWS-S-0412 --note "Samsung phone's microSD card in tamper-evident bag"
run custody note --exhibit EX-001 "Phone in airplane mode, battery 41%, photographed front and back"
run custody transfer --exhibit EX-001 --to "Evidence room/ER-7" --reason "secure storage" --location "Mombasa HQ"
run custody seal --exhibit EX-002 --seal-no KWS-S-0413 --note "Laptop, Dell Latitude, serial 7XK2Q3"
PANGOLIN_HOME="$work/examiner2" "$bin" examiner init --name "Amani Mwangi" --id AM-7 --no-passphrase >/dev/null
printf '$ pangolin custody transfer ... (as a second examiner, AM-7)\n'
PANGOLIN_HOME="$work/examiner2" "$bin" custody transfer --exhibit EX-001 --to "Forensic lab/FL-2" --reason "imaging" --location "Nairobi"

step "Image the card to E01 (hashes from the same read), verify it"
run acquire "$work/sample/phone-card.dd" --exhibit EX-001 --description "microSD card from the suspect's Samsung phone" --split 3M --verify
if command -v ewfverify >/dev/null; then
	printf '$ ewfverify -q evidence/EX-001/EX-001.E01\n'
	ewfverify -q evidence/EX-001/EX-001.E01 | tail -1
fi
run image info evidence/EX-001/EX-001.E01
run ls -r --deleted evidence/EX-001/EX-001.E01
run acquire --logical "$work/sample/laptop" --exhibit EX-002

step "A copy of the image with one byte changed fails verification (exit 3)"
cp -r "$work/OP-THUNDER" "$work/altered"
printf '\x00' | dd of="$work/altered/evidence/EX-001/EX-001.E01" bs=1 seek=200000 conv=notrunc status=none
expect 3 run --case "$work/altered" verify EX-001
rm -rf "$work/altered"

step "Recover the deleted photo from the image and read where it was taken"
run cat evidence/EX-001/EX-001.E01 /DCIM/Camera/IMG_20230903_054511.jpg >"$work/recovered.jpg"
run meta "$work/recovered.jpg" | grep -i -E 'gps|date|make|model' | head -n 8 || true

step "Hash the laptop's files (hashdeep format) and make them a known-bad hash set"
run hash -r "$work/sample/laptop" >"$work/laptop.hashdeep"
if command -v hashdeep >/dev/null; then
	printf '$ hashdeep -r -a -k laptop.hashdeep sample/laptop\n'
	hashdeep -r -a -k "$work/laptop.hashdeep" "$work/sample/laptop" || true
fi
run hashset import laptop-2023 "$work/laptop.hashdeep" --kind known-bad

step "Catalogue both exhibits: hashes, types, deleted files, metadata, text, entities, search index"
run process --all --phone-region KE

run timeline --format csv --query 'mime:image/*' >"$work/timeline.csv"
head -n 5 "$work/timeline.csv"
run export dfxml EX-001 -o "$work/EX-001.dfxml"
run export files --query 'known:known-bad exhibit:EX-001' --out "$work/OP-THUNDER/exports/known-bad"

step "Where the photos were taken, who is named, and what links the two exhibits"
run geo --format csv | cut -d, -f1-5
run geo --format kml -o "$work/photos.kml"
run entities --type phone --type bitcoin --type imo
run links

step "Search every exhibit in any language; run the keyword list"
run search 'pembe OR ivory OR 象牙 OR "ngà voi" OR งาช้าง' --facets --limit 5
run search 'rosewood' --exhibit EX-002
run search --terms "$work/sample/keywords.terms" >"$work/terms.txt"
cat "$work/terms.txt"

step "Tag what matters: the geolocated photos (the deleted one too) and the documents naming the shared phone and wallet"
# shellcheck disable=SC2046
run tag $(ids 'kind:image' | sort -u) --tag evidence --note "photo: where and when"
# shellcheck disable=SC2046
run tag $(ids 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' | sort -u) --tag evidence --note "names the shared Bitcoin wallet"
# shellcheck disable=SC2046
run tag $(ids '象牙 OR งาช้าง OR "ngà voi" OR "pembe za ndovu"' | sort -u) --tag evidence --note "ivory: 象牙 · งาช้าง · ngà voi · pembe"
run tags

step "Reports: custody and findings, PDF and HTML, each with a signed manifest"
run report custody --format pdf --out "$work/OP-THUNDER/reports/custody.pdf"
run report custody --format html --out "$work/OP-THUNDER/reports/custody.html"
run report findings --tag evidence --format pdf --out "$work/OP-THUNDER/reports/findings.pdf"
run report findings --tag evidence --format html --out "$work/OP-THUNDER/reports/findings.html"
run export case-uco -o "$work/OP-THUNDER/reports/OP-THUNDER.jsonld"

step "Verify the reports as a prosecutor would: offline, then against the case's ledger"
for r in custody.pdf custody.html findings.pdf findings.html; do
	run report verify "reports/$r" --ledger .
done
run custody verify

step "Tampering is caught: a changed byte in a report, and a rewritten ledger entry (exit 3)"
cp reports/findings.html "$work/findings-copy.html"
cp reports/findings.html.manifest.json "$work/findings-copy.html.manifest.json"
sed -i.bak 's/IMG_20230903_054511/IMG_20230903_054512/' "$work/findings-copy.html" && rm -f "$work/findings-copy.html.bak"
expect 3 run report verify "$work/findings-copy.html"
cp -r "$work/OP-THUNDER" "$work/tampered"
sed -i.bak '3s/airplane mode/normal mode/' "$work/tampered/custody/ledger.jsonl" && rm -f "$work/tampered/custody/ledger.jsonl.bak"
expect 3 run --case "$work/tampered" custody verify
expect 3 run report verify "$work/tampered/reports/custody.pdf" --ledger "$work/tampered"
rm -rf "$work/tampered"

step "Done in $((SECONDS - start)) s"
printf 'The sample case is in %s\n' "$work/OP-THUNDER"
printf 'Reports:\n'
for r in custody.pdf custody.html findings.pdf findings.html OP-THUNDER.jsonld; do
	printf '  %s\n' "$work/OP-THUNDER/reports/$r"
done
