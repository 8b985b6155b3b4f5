// Package lru is a small least-recently-used cache keyed by int64 (a
// cluster, grain or block number), for the few entries image readers
// keep. It is a slice, not a map: with tens of entries a scan is cheaper.
package lru

// Cache holds at most Max values, most recently used last. It is not safe
// for concurrent use: the caller locks.
type Cache[V any] struct {
	Max  int
	keys []int64
	vals []V
}

// Get returns the value for k, making it the most recently used.
func (c *Cache[V]) Get(k int64) (V, bool) {
	for i, key := range c.keys {
		if key == k {
			v := c.vals[i]
			copy(c.keys[i:], c.keys[i+1:])
			copy(c.vals[i:], c.vals[i+1:])
			c.keys[len(c.keys)-1], c.vals[len(c.vals)-1] = k, v
			return v, true
		}
	}
	var zero V
	return zero, false
}

// Put stores v for k, dropping the least recently used value when full.
func (c *Cache[V]) Put(k int64, v V) {
	for i, key := range c.keys {
		if key == k {
			c.vals[i] = v
			return
		}
	}
	if len(c.keys) >= c.Max {
		c.keys = append(c.keys[:0], c.keys[1:]...)
		c.vals = append(c.vals[:0], c.vals[1:]...)
	}
	c.keys = append(c.keys, k)
	c.vals = append(c.vals, v)
}
