package ewf

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// HashCheck is the outcome of comparing a computed digest with the stored
// one.
type HashCheck string

// The outcomes of a [HashCheck].
const (
	HashMatch     HashCheck = "match"
	HashMismatch  HashCheck = "mismatch"
	HashNotStored HashCheck = "not-stored"
)

// VerifyResult is the outcome of [Image.Verify].
type VerifyResult struct {
	// OK is true when every chunk is sound and no stored digest differs
	// from the computed one.
	OK     bool  `json:"ok"`
	Chunks int64 `json:"chunks"`
	// BadChunks lists the first 1000 corrupt chunks; BadChunkCount counts
	// them all.
	BadChunks     []ChunkError `json:"bad_chunks,omitempty"`
	BadChunkCount int64        `json:"bad_chunk_count"`
	MD5           string       `json:"md5"`
	SHA1          string       `json:"sha1"`
	StoredMD5     string       `json:"stored_md5,omitempty"`
	StoredSHA1    string       `json:"stored_sha1,omitempty"`
	MD5Check      HashCheck    `json:"md5_check"`
	SHA1Check     HashCheck    `json:"sha1_check"`
	// Sums holds every digest computed: MD5, SHA-1 and those asked for.
	Sums hashing.Sums `json:"sums"`
}

// Verify re-reads every chunk, checking the Adler-32 of stored chunks and
// that compressed chunks inflate to exactly the chunk size, and computes
// the MD5 and SHA-1 of the media in one pass (a corrupt chunk is hashed as
// zeros). Corruption is reported in the result, not as an error; errors
// mean the image could not be read at all. progress, if not nil, is called
// after each chunk with the media bytes done and the total. Further
// algorithms in also are computed in the same pass, into Sums, so that a
// caller holding other recorded hashes reads the image once.
func (img *Image) Verify(ctx context.Context, progress func(done, total int64), also ...hashing.Algo) (*VerifyResult, error) {
	algos := []hashing.Algo{hashing.MD5, hashing.SHA1}
	for _, a := range also {
		if !slices.Contains(algos, a) {
			algos = append(algos, a)
		}
	}
	m, err := hashing.NewMulti(algos...)
	if err != nil {
		return nil, fmt.Errorf("ewf: verify: %w", err)
	}
	res := &VerifyResult{Chunks: img.nchunks}
	buf := make([]byte, img.chunkSize)
	var done int64
	for i := range img.nchunks {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("ewf: verify chunk %d: %w", i, err)
		}
		data, err := img.decode(i, buf)
		var ce *ChunkError
		if errors.As(err, &ce) {
			res.BadChunkCount++
			if len(res.BadChunks) < maxBadChunks {
				res.BadChunks = append(res.BadChunks, *ce)
			}
			data = buf[:min(img.chunkSize, img.size-i*img.chunkSize)]
			clear(data)
		} else if err != nil {
			return nil, fmt.Errorf("ewf: verify: %w", err)
		}
		m.Write(data)
		done += int64(len(data))
		if progress != nil {
			progress(done, img.size)
		}
	}
	sums := m.Sums()
	res.Sums = sums
	res.MD5, res.SHA1 = sums[hashing.MD5], sums[hashing.SHA1]
	res.StoredMD5, res.StoredSHA1 = img.info.MD5, img.info.SHA1
	res.MD5Check = compareHash(res.MD5, res.StoredMD5)
	res.SHA1Check = compareHash(res.SHA1, res.StoredSHA1)
	res.OK = res.BadChunkCount == 0 && res.MD5Check != HashMismatch && res.SHA1Check != HashMismatch
	return res, nil
}

func compareHash(computed, stored string) HashCheck {
	switch stored {
	case "":
		return HashNotStored
	case computed:
		return HashMatch
	}
	return HashMismatch
}
