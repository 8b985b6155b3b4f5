// Package index is pangolin's full-text index: one bleve document per
// artefact (file, folder, email, attachment) of a case, with its text,
// path, exhibit, kind, dates, hashes, entities, device, tags and
// position, searched with bleve's query-string syntax plus filters by
// exhibit, kind, date range and distance, with facets, highlighted
// snippets and keyword lists. It is the only package that imports bleve.
//
// # What it leaves to others
//
// The catalogue (package catalog) is the source of truth; the index is
// derived from it and can always be rebuilt from it (`pangolin index
// rebuild`: [Remove], [Open], then add every artefact again). The
// pipeline (package process) and cmd feed it [Doc] values in batches
// ([Index.NewBatch], [Batch.Add], [Index.Commit]) and remember which
// batches were committed; after a crash they add again what was not.
// Adding is idempotent: a document with the same [ID] replaces the old
// one. The index does not read evidence, extract text or find
// entities, and it does not keep the text: snippets are made from the
// text the catalogue returns through [Index.SnippetText].
//
// # Use
//
//	ix, err := index.Open(filepath.Join(caseDir, "index"))
//	b := ix.NewBatch()
//	b.Add(index.Doc{Exhibit: "EX-001", Ref: "0/17", Path: "/DCIM/a.jpg", Text: text})
//	err = ix.Commit(ctx, b) // durable when it returns nil
//	ix.SnippetText = func(ctx context.Context, exhibit, ref string) (string, error) { ... }
//	res, err := ix.Search(ctx, index.Query{Text: `ivory pembe 象牙 "ngà voi"`,
//		Exhibits: []string{"EX-001"}, From: march, To: endOfMay,
//		Near: &index.Near{Lat: -3.38, Lon: 38.57, Km: 50}, Facets: true, Highlight: true})
//
// [Index.Compact] after a bulk load makes the index smaller and faster.
// [ParseTerms] reads a keyword list (testdata/environmental-crime.terms
// is a starter list for wildlife and timber trafficking) and
// [Index.RunTerms] counts the documents each term hits, by exhibit.
//
// # Fields
//
// The field names are an API (saved queries and keyword lists use
// them): fields are added, never renamed. An index records its schema
// version; one of another version gives [ErrDamaged] and is rebuilt.
//
//	field       analysis                          from Doc
//	text        language-neutral (below), with    Text
//	            positions: words and phrases
//	text_XX     words by their stem in language    Text, when detected as XX
//	            XX (bleve's analyzer: stemming,
//	            stop words): ar da de en es fa fi
//	            fr hi hr hu it nl no pt ro ru sv
//	            tr; ar fa hi indexed (no
//	            positions), the others searched
//	            in "text" by stem (see Analysis)
//	text_pairs  pairs of adjacent common words    Text (see pairs.go)
//	            of "text" ("of the"), for phrases
//	nopairs     "1": text indexed before the       Text
//	            common words were chosen
//	lang        keyword: ISO 639-1 code ("ckb"     Lang or detected
//	            for Sorani) or "und"
//	path        words of the path (/ \ . _ - :     Path
//	            split), stored
//	path_exact  the whole path, case kept          Path
//	name        words of the name                  Name
//	exhibit     keyword, case kept, stored         Exhibit
//	ref         keyword, case kept, stored         Ref
//	type        keyword: file, dir, symlink...     Type
//	kind        keyword: pdf image video audio     Type, MIME (see Kind)
//	            email document spreadsheet
//	            presentation text web archive
//	            database executable dir other
//	mime        keyword, stored                    MIME
//	size        number, stored                     Size
//	modified    date                               Modified
//	created     date                               Created
//	date        date, stored: created, else        Created, Modified
//	            modified
//	sha256 md5  keyword, lower case                SHA256, MD5
//	known       keyword: known-bad, notable...     Known
//	make model  words                              Make, Model, Author
//	author
//	tag         keyword, lower case                Tags
//	entity      keyword: every entity's value      Entities
//	phone email url domain bitcoin ethereum        Entities of that type
//	tron iban coords imo mmsi: keyword, lower case
//	location    geopoint                           GPS (valid positions)
//	deleted     boolean                            Deleted
//	truncated   boolean: text longer than MaxText  Text
//
// Keyword fields are matched whole: phone:+254712345678, tag:evidence,
// sha256:9f86d0..., kind:image, imo:"imo 9074729". Dates outside 1678 to
// 2261 (zeroed or forged time stamps) are not indexed.
//
// # Analysis
//
// The "text" field is language-neutral (see [NewTextAnalyzer]): Unicode
// word boundaries, words split at apostrophes and dots, lower case,
// accents folded (a query without diacritics finds text with them and
// the other way round: "nga voi" finds "ngà voi"), format characters
// dropped, and scripts written without spaces cut into overlapping
// bigrams: Han, Kana and Hangul with bleve's cjk_bigram, Thai, Lao, Khmer
// and Myanmar with [SEABigramFilter]. Queries go through the same
// analyzer, and a query word that gives several terms is a phrase, so
// "象牙" and "งาช้าง" are found alone or inside a run of text; a single
// Han, Kana or Hangul character is searched in the bigrams that start or
// end with it, so "象" finds "象牙" and "大象".
//
// The language of a text is detected on its first 1,024 bytes
// ([DetectLanguage]: by its script, the letters only some languages use
// and its function words; a few microseconds). Words are stemmed ("seize"
// finds "seized") in the documents of the languages bleve has an analyzer
// for, mostly at query time: a query word without a field also searches
// "text" for the words that start as its stem does and that the
// analyzer of a language of the index stems the same, each in the
// documents of that language; "text_en:seize" does so in English
// documents only. Stemming then costs nothing at indexing and nothing in
// the index. Arabic, Persian and Hindi, whose analyzers change the start
// of words, are stemmed when indexed, into "text_ar", "text_fa" and
// "text_hi".
//
// # Size, speed and limits
//
// The index keeps no text and, for the terms of "text", their positions
// (word numbers, for phrases) but not their offsets: snippets come from
// the text the catalogue returns ([Index.SnippetText]), analysed again
// for the hits of the page shown. Segments are compressed (zstd, by
// block; see compress.go). Only the first [MaxText] bytes of a text are
// indexed.
//
// Measured with BenchmarkIndexAndSearch on generated documents of 2 KB,
// on two cores, committing as process.Index does: at 100,000 documents
// indexing runs at about 3.5 MB of text a second (1.8 MB per CPU
// second) and [Index.Compact] then takes 15 s; the index is 1.35 times
// its text; a word found in under 5% of the documents takes under 2 ms
// (95th percentile), in 5 to 50% 5 ms, in more 10 ms, and phrases up to
// 20 ms. At 1,000,000 documents indexing runs at about 3 MB/s, Compact
// takes 2.5 minutes and the index is 1.3 times its text; words take up
// to 10 ms in under 5% of the documents, 50 ms in up to half and 90 to
// 125 ms in more; phrases of common words (pairs) some 55 ms, and
// phrases with a word in a few percent of the documents up to 250 ms
// (95th percentile: every document holding all the words is read word
// by word). Committing holds memory in proportion to a batch's text
// (see [Batch.Full]); the segments' files are mapped in memory.
//
// Commits are atomic and durable: a process killed while indexing leaves
// an index that opens with every committed batch, and none in part
// (scorch's own crash safety; see the tests). Methods are safe for
// concurrent use: committing from two goroutines keeps two cores busy.
// One process at a time may open an index ([ErrBusy]).
package index
