package email

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
)

// MBOX reads the messages of an MBOX mailbox of size bytes from r and
// calls fn with each, in file order, one at a time; an error from fn stops
// the walk and is returned. Every line starting with "From " opens a
// message (as Python's mailbox.mbox splits them); bytes before the first
// one are skipped. The blank line before a separator is not part of the
// message, and a line of one or more '>' then "From " loses one '>'
// (mboxrd unquoting; in mboxo files it reverses the quoting too). Each
// message is held in memory up to lim.MaxMessageSize bytes and parsed as
// [ParseEML] does; Message.Offset is the offset of its "From " line.
//
// MBOX returns an error wrapping [ErrFormat] when a non-empty file holds
// no "From " line, and ctx's error when ctx ends.
func MBOX(ctx context.Context, r io.ReaderAt, size int64, lim Limits, fn func(*Message) error) error {
	lim = lim.withDefaults()
	if size < 0 {
		return formatErr(0, "negative size")
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10)
	var (
		pos       int64 // offset of the next byte to read
		lineStart = true
		inMsg     bool
		start     int64 // offset of the current "From " line
		content   int64 // offset of the current message's first byte
		envelope  string
		buf       []byte
		removed   []int // indexes in buf where a '>' was dropped
		cut       bool  // the message is longer than MaxMessageSize
		total     int64 // bytes of the message, as in the file
		lastEmpty bool
		lines     int
		found     bool
	)
	emit := func() error {
		if !inMsg {
			return nil
		}
		if lastEmpty && !cut {
			// The blank line before the separator belongs to it.
			if bytes.HasSuffix(buf, []byte("\r\n")) {
				buf = buf[:len(buf)-2]
			} else if bytes.HasSuffix(buf, []byte("\n")) {
				buf = buf[:len(buf)-1]
			}
		}
		rm := removed
		c := content
		p := &parser{lim: lim, buf: buf, fileOff: func(i int) int64 {
			return c + int64(i) + int64(sort.SearchInts(rm, i))
		}}
		m := p.message(buf, 0, 0)
		m.Offset = start
		m.Envelope = envelope
		if cut {
			m.anomaly("message of %d bytes cut at %d (MaxMessageSize)", total, lim.MaxMessageSize)
		}
		buf, removed, cut, total = nil, nil, false, 0
		return fn(m)
	}
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			lines++
			if lines%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			full := line[len(line)-1] == '\n'
			switch {
			case lineStart && bytes.HasPrefix(line, []byte("From ")):
				if err := emit(); err != nil {
					return err
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				found, inMsg = true, true
				start = pos
				content = pos + int64(len(line))
				envelope = string(bytes.TrimSpace(line[5:min(len(line), 1024)]))
				if !full {
					// An over-long separator line: skip the rest of it.
					for !full && err == bufio.ErrBufferFull {
						pos += int64(len(line))
						line, err = br.ReadSlice('\n')
						full = len(line) > 0 && line[len(line)-1] == '\n'
					}
					content = pos + int64(len(line))
				}
				lastEmpty = false
			case inMsg:
				data := line
				if lineStart && isQuotedFrom(line) {
					removed = append(removed, len(buf))
					data = line[1:]
				}
				total += int64(len(line))
				if int64(len(buf))+int64(len(data)) <= lim.MaxMessageSize && !cut {
					buf = append(buf, data...)
				} else {
					cut = true
				}
				if lineStart && full {
					lastEmpty = len(line) == 1 || len(line) == 2 && line[0] == '\r'
				} else {
					lastEmpty = false
				}
			}
			pos += int64(len(line))
			lineStart = full
		}
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != io.EOF {
				return fmt.Errorf("email: read mbox at offset %d: %w", pos, err)
			}
			break
		}
	}
	if err := emit(); err != nil {
		return err
	}
	if !found && size > 0 {
		return formatErr(0, "no \"From \" line: not an MBOX")
	}
	return nil
}

// isQuotedFrom reports whether line is ">From ", ">>From ", ...
func isQuotedFrom(line []byte) bool {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	return i > 0 && bytes.HasPrefix(line[i:], []byte("From "))
}
