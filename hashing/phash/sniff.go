package phash

// Sniff reports whether head, the first 16 bytes of a file (fewer for a
// shorter file), start like an image format [Decode] reads. Callers that
// stream many files use it to keep only images for decoding.
func Sniff(head []byte) bool { return sniff(head) != nil }
