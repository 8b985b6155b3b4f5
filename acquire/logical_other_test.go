//go:build !unix

package acquire

import "errors"

func makeFifo(string) error { return errors.New("not on this system") }
