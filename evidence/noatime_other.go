//go:build !linux

package evidence

const noATime = 0
