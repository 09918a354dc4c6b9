// Command oslira is the single Oslira binary: the HTTP API, the worker and the scheduler, together
// (`oslira serve`) or one per process, plus operational subcommands. Run `oslira help`.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}
