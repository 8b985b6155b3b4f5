//go:build !unix

package index

import "time"

// cpuTime is 0 where the benchmark does not read the process's CPU time.
func cpuTime() time.Duration { return 0 }
