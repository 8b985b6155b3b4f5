// Package entities finds the identifiers an investigation follows across
// seized devices — phone numbers, email addresses, URLs and domains,
// Bitcoin, Ethereum and TRON addresses, IBANs, GPS coordinates and the
// IMO and MMSI numbers of vessels — in text, and returns each one
// validated and normalised as an [extract.Entity].
//
// [Find] is a pure function of its arguments: the processing pipeline calls
// it on every document's text (and on metadata text) and stores what it
// returns. Storing, counting and linking entities across evidence is left
// to the catalog.
//
// # What is found, and how it is checked
//
// Every entity must stand on its own: the character before it and the
// character after it may not be a letter, digit or '_' that would make it
// part of a longer word ("abc0712345678" is not a phone number, nor is a
// run of digits inside a hexadecimal hash). Letters of scripts written
// without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
// Myanmar, Tibetan) and Korean do not count, since numbers are written
// right against them ("电话13800138000"). Offsets are byte offsets into the
// text, whatever its script.
//
//   - Email ([extract.Email]): local@domain. The local part is letters,
//     digits and "._%+-" (a conservative subset of RFC 5322: quoted local
//     parts and other symbols are not read), at most 64 bytes, with no
//     leading, trailing or doubled dot. The domain is a host name of at
//     least two labels whose last label (the top-level domain) is 2 to 63
//     letters or an "xn--" label; a trailing dot is sentence punctuation.
//     Value is the whole address lower-cased: the RFC lets the local part be
//     case-sensitive, but mail providers do not treat it so, and one form
//     per address is what lets the catalog join the same address seen on
//     two devices. Raw keeps the case as written.
//   - URL ([extract.URL]): http://, https:// and ftp:// URLs, and URLs
//     written from "www.". A URL ends at a space, a non-ASCII character or
//     one of <>"'`{}|\^; sentence punctuation after it (".,;:!?*") and
//     closing brackets it does not open are not part of it. The host must
//     be a valid host name, an IPv4 address, a bracketed IPv6 address or
//     "localhost"; only digits may follow it as a port. Value has the scheme
//     and host lower-cased, the rest as written; a "www." URL gets "http://"
//     in front, so that the two ways of writing the same address agree.
//     Defanged forms ("hxxp://", "example[.]com") are not read.
//   - Domain ([extract.Domain]): the host name of every URL and every email
//     address, as its own entity at the host's offset, lower-cased and
//     without a trailing dot. It is the host as written, not the
//     registrable domain: "mail.example.co.ke" stays whole, since telling a
//     registrable domain needs the Public Suffix List. Host names written on
//     their own ("example.co.ke") are found only for a short list of common
//     generic and country-code top-level domains, written all lower-case or
//     all upper-case; TLDs that read as words or file extensions ("in",
//     "is", "it", "me", "no", "to", "md", "sh", "py") are left out of that
//     list, so a bare "example.in" is not reported.
//   - Phone ([extract.Phone]): runs of digits joined by spaces, '-', '.',
//     '(' and ')', optionally after '+'. Each candidate is parsed with
//     github.com/nyaruka/phonenumbers and kept only if IsValidNumber says
//     so; Value is E.164 ("+254712345678"). Numbers written with '+' or the
//     "00" international prefix carry their country; others are read as
//     national numbers of [Options.DefaultRegion], and are not read at all
//     when it is "". A run is cut at its spaces into chunks, and the
//     longest sequence of chunks that is a valid number is taken, left to
//     right, so that two numbers in a row or a date before a number are
//     told apart. Rejected before parsing: candidates next to letters or
//     digits, or glued to '.', ',', '/', '-' or ':' and more digits
//     (times, amounts, versions); dates (2026-03-01, 01.03.2026,
//     01/03/2026, 20260301); IPv4 addresses; 13-digit numbers starting 978
//     or 979 and anything just after "ISBN"; chunks that are decimal
//     numbers ("3.3869", "1500000.50"); more than 15 digits (card numbers,
//     long identifiers).
//   - Bitcoin ([extract.Bitcoin]): Base58Check P2PKH ("1…", version 0x00)
//     and P2SH ("3…", version 0x05) addresses, decoded in full with their
//     double-SHA-256 checksum checked; bech32 and bech32m segwit addresses
//     ("bc1…", BIP-173 and BIP-350): the checksum constant must match the
//     witness version (bech32 for version 0, bech32m for 1 to 16), version
//     0 programs are 20 or 32 bytes, others 2 to 40, and upper and lower
//     case may not be mixed. Mainnet only. Value is the address, bech32
//     lower-cased.
//   - Ethereum ([extract.Ethereum]): "0x" and 40 hex digits. All lower-case
//     and all upper-case are accepted; mixed case must match the EIP-55
//     checksum (Keccak-256 of the lower-case hex). Value is lower-cased.
//   - TRON ([extract.Tron]): 34-character Base58Check addresses starting
//     with "T", version byte 0x41, checksum checked.
//   - IBAN ([extract.IBAN]): two upper-case letters, two check digits and
//     the account number, written without spaces or in groups of four
//     separated by single spaces. The length must be the one of the
//     country (every country of the SWIFT IBAN registry, plus the African
//     countries that issue IBAN-form numbers outside it) and the ISO 7064
//     mod 97-10 check must give 1. Value is upper-case without spaces.
//   - Coords ([extract.Coords]): pairs of latitude and longitude, as
//     decimal degrees ("-3.3869, 38.6512", "-3.3869 38.6512"), with
//     hemisphere letters before or after ("3.3869 S, 38.6512 E",
//     "S 3.3869 E 38.6512", either order), as degrees, minutes and seconds
//     (3°23'12.8"S 38°39'04.3"E) or degrees and decimal minutes
//     (S 3° 23.214' E 38° 39.072'). A decimal without a degree sign needs at
//     least four decimals, so that pairs of ordinary numbers are not read as
//     positions; either both halves have hemisphere letters or neither;
//     minutes and seconds are below 60, latitude within ±90, longitude
//     within ±180. Value is "lat,lon" in decimal degrees with six decimals
//     (about 0.1 m), south and west negative: "-3.386900,38.651200".
//   - IMO ([extract.IMO]): the keyword "IMO" (any case), optionally ":",
//     "No.", "Nr", "number" or "#", then seven digits whose check digit is
//     right (the first six weighted 7 to 2, summed, mod 10). Raw runs from
//     the keyword to the last digit; Value is "IMO 9074729".
//   - MMSI ([extract.MMSI]): the keyword "MMSI" with the same optional
//     words, then nine digits of a form ITU-R M.585 assigns: a ship
//     (MIDxxxxxx), group (0MIDxxxxx), coast station (00MIDxxxx), handheld
//     VHF (8MIDxxxxx), SAR aircraft (111MIDxxx), craft of a parent ship
//     (98MIDxxxx) or aid to navigation (99MIDxxxx), with a MID from 201 to
//     775; or an AIS-SART, man-overboard device or EPIRB-AIS (970, 972,
//     974). Value is "MMSI 123456789".
//
// # What is left out
//
// Numbers without their keyword (a bare seven-digit number is not an IMO
// number), phone numbers written with letters ("1-800-FLOWERS") or with
// extensions (the extension is dropped), national phone forms of any
// country but the default region, lower-case IBANs, testnet and Lightning
// addresses, other chains (Litecoin, Monero, ...), payment card numbers,
// email addresses with non-ASCII characters and internationalised domain
// names written in Unicode (their "xn--" form is found), and coordinates in
// other notations (UTM, MGRS, "3 deg 23 min"). Phone detection is
// heuristic: a number of the default region written in an unusual way is
// missed, and a number-like identifier that happens to be a valid phone
// number (an order number, say) is reported.
//
// # Hostile input and cost
//
// Input is treated as hostile: any byte sequence, valid UTF-8 or not, is
// searched without panicking, and every Raw is a slice of the text. Find
// searches at most [MaxText] bytes per call. It makes a few linear passes,
// each started by a cheap test ('@', "://", "www.", a digit, a letter
// word), uses no regular expressions, and caps the length of every
// candidate, so its time is linear in the text; on digit-dense text most
// of it goes to phone-number parsing.
package entities
