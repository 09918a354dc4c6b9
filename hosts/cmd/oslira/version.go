package main

import (
	"runtime"

	"github.com/spf13/cobra"

	"github.com/oslira/oslira/hosts/bootstrap"
)

func init() { register(newVersionCommand) }

// newVersionCommand is `oslira version`, the same line as `oslira --version` and `-v`.
func newVersionCommand(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the build version and exit (also oslira --version, -v)",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			printf(c.stdout, "oslira %s (%s, %s/%s)\n", bootstrap.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
