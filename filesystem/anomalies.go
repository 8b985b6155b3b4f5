package filesystem

import (
	"fmt"
	"sync"
)

// MaxAnomalies bounds the anomalies a reader keeps; further ones are
// counted.
const MaxAnomalies = 1000

// Anomalies collects descriptions of damage a reader stepped over, for
// its FS.Anomalies. It is safe for concurrent use; the zero value is
// ready.
type Anomalies struct {
	mu      sync.Mutex
	items   []string
	dropped int
}

// Add records one anomaly.
func (a *Anomalies) Add(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.items) >= MaxAnomalies {
		a.dropped++
		return
	}
	a.items = append(a.items, fmt.Sprintf(format, args...))
}

// List returns the anomalies recorded, and a last line counting those
// not kept.
func (a *Anomalies) List() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := append([]string(nil), a.items...)
	if a.dropped > 0 {
		out = append(out, fmt.Sprintf("%d more anomalies not listed", a.dropped))
	}
	return out
}
