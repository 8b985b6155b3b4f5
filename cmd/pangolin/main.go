// Command pangolin is the forensic evidence toolkit's single binary.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/pangolin-forensics/pangolin/cmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cmd.Main(ctx, cmd.NewFactory(), os.Args[1:])
	stop()
	os.Exit(code)
}
