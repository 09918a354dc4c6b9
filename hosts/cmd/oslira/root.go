package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oslira/oslira/hosts/bootstrap"
)

// Exit codes, the contract scripts rely on. Commands may add their own above these
// (workflows/webhooks/analyze: 3 not found, 4 refused).
const (
	exitOK    = 0
	exitError = 1 // configuration, start-up, shutdown or operation failure
	exitUsage = 2 // unknown command, flag or arguments
)

// cli is what every command is built with: the environment lookup (os.LookupEnv in the binary,
// a map in tests) and the two terminal streams. Commands never read os.Environ or os.Stdout
// themselves, so run is testable in-process and in parallel.
type cli struct {
	lookup         func(string) (string, bool)
	stdout, stderr io.Writer
}

// Command groups of the root help.
const (
	groupRun     = "run"
	groupOperate = "operate"
)

// commandBuilders builds the subcommands, in the order the help lists them within a group. A
// command is one file that registers its builder from init (see register): the `analyze`
// command of a later issue is a new analyze.go and nothing else.
var commandBuilders []func(*cli) *cobra.Command

// register adds a subcommand builder; call it from an init function of the command's file.
func register(build func(*cli) *cobra.Command) { commandBuilders = append(commandBuilders, build) }

// run is the whole program, testable in-process: it builds a fresh command tree (cobra commands
// keep parse state, so they are never shared between runs), executes args and returns the exit
// code instead of exiting. Help and completion scripts go to stdout; errors to stderr.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	c := &cli{lookup: lookup, stdout: stdout, stderr: stderr}
	root := newRootCommand(c)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return c.report(cmd, err)
}

// newRootCommand is `oslira` with every registered subcommand.
func newRootCommand(c *cli) *cobra.Command {
	root := &cobra.Command{
		Use:   "oslira",
		Short: "the Oslira backend: HTTP API, workflow worker, scheduler and operator commands",
		Long: `oslira is the single Oslira binary: the HTTP API, the workflow worker and the scheduler,
together (oslira serve) or one per process, plus operator commands.

Configuration comes from environment variables only (oslira help environment lists them). In
development nothing is required: the database is DATABASE_URL if set, else PostgreSQL on
127.0.0.1:5432, else a private cluster under DATA_DIR (.data).`,
		Example: `  oslira serve                                   # everything on :8080
  TOKEN=$(oslira token --email you@example.com)  # in another terminal
  curl -H "Authorization: Bearer $TOKEN" localhost:8080/v1/me
  oslira workflows list --state failed
  source <(oslira completion bash)               # shell completion`,
		Version:       bootstrap.Version(),
		Args:          noCommandArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return usageError(cmd, "no command given") },
		SilenceErrors: true, // report prints errors, with the exit-code contract
		SilenceUsage:  true,
	}
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	root.SetVersionTemplate(fmt.Sprintf("oslira {{.Version}} (%s, %s/%s)\n", runtime.Version(), runtime.GOOS, runtime.GOARCH))
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError(cmd, "%v", err) })
	root.AddGroup(
		&cobra.Group{ID: groupRun, Title: "Run the service:"},
		&cobra.Group{ID: groupOperate, Title: "Operate it:"},
	)
	for _, build := range commandBuilders {
		root.AddCommand(build(c))
	}
	root.InitDefaultCompletionCmd()
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp != root {
		// cobra's completion command prints its help and exits 0 for a missing or unknown shell.
		comp.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError(cmd, "name a shell: bash, zsh, fish or powershell")
			}
			return usageError(cmd, "unknown shell %q (want bash, zsh, fish or powershell)", args[0])
		}
		comp.RunE = func(*cobra.Command, []string) error { return nil } // runnable, so Args is checked
	}
	root.SetHelpCommand(newHelpCommand())
	root.SetHelpCommandGroupID("")
	root.SetCompletionCommandGroupID("")
	root.AddCommand(newEnvironmentTopic())
	setUsageTemplate(root)
	root.Annotations = map[string]string{"exit": "0 ok, 1 failure, 2 usage (unknown command, flag or arguments); " +
		"workflows, webhooks and analyze add 3 (no such run, event, business profile or account) and 4 (refused: " +
		"retry of an event in flight, not enough credits, handle already being analysed)."}
	return root
}

// noCommandArgs refuses an unknown subcommand of the root (cobra's own check prints help and exits
// 0 for some of these).
func noCommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return usageError(cmd, "unknown command %q%s", args[0], suggest(cmd, args[0]))
}

// suggest is "; did you mean X?" when cmd has subcommands named like typed, else "".
func suggest(cmd *cobra.Command, typed string) string {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(typed); len(s) > 0 {
		return "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return ""
}

// newHelpCommand is `oslira help [command...]`: the help of the named command or topic on stdout,
// exit 0; an unknown topic is a usage error (cobra's own help prints the root help and exits 0).
func newHelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command|topic]",
		Short: "help about a command or topic (oslira help workflows list, oslira help environment)",
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return usageError(cmd, "unknown help topic %q", strings.Join(args, " "))
			}
			return target.Help()
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			for _, sub := range cmd.Root().Commands() {
				if sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// statusError carries an exit status. A message-less one means the command already reported
// its failure on stderr.
type statusError struct {
	code  int
	err   error
	usage *cobra.Command // for usage errors: the command whose usage is printed
}

func (e *statusError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *statusError) Unwrap() error { return e.err }

// usageError is a wrong invocation of cmd: exit 2, the message and cmd's usage on stderr.
func usageError(cmd *cobra.Command, format string, a ...any) error {
	return &statusError{code: exitUsage, err: fmt.Errorf(format, a...), usage: cmd}
}

// failure is an operation failure with exit status code and a message for stderr.
func failure(code int, err error) error { return &statusError{code: code, err: err} }

// exitWith is an exit status whose reason the command already printed.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &statusError{code: code}
}

// report prints err (if any) on stderr, prefixed with the command path, and returns the exit
// status: a statusError's code, 2 for cobra's own argument errors, else 1.
func (c *cli) report(cmd *cobra.Command, err error) int {
	if err == nil {
		return exitOK
	}
	path := "oslira"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	var se *statusError
	if !errors.As(err, &se) {
		se = &statusError{code: exitError, err: err}
	}
	if se.err != nil {
		printf(c.stderr, "%s: %v\n", path, se.err)
	}
	if se.usage != nil {
		printf(c.stderr, "\n%s", se.usage.UsageString())
	}
	return se.code
}

// printf writes to the terminal streams; a failed write there leaves nothing better to do.
func printf(w io.Writer, format string, a ...any) {
	_, _ = fmt.Fprintf(w, format, a...)
}
