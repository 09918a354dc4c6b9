package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

func init() { register(newWorkflowsCommand) }

// exitNotFound is the exit code of `workflows show|cancel|resume` for an unknown run id, so
// scripts can tell "no such run" from a failure.
const exitNotFound = 3

// workflowsTimeout bounds one operator command (connecting included).
const workflowsTimeout = time.Minute

// maxErrorColumn is how much of a run's error the list shows; `show` prints all of it.
const maxErrorColumn = 60

// workflowOp is one parsed `oslira workflows` invocation.
type workflowOp struct {
	verb   string
	id     string
	filter workflow.Filter
}

// newWorkflowsCommand is `oslira workflows`. It reads and steers runs through the workflow.Engine
// port, on a DBOS client (never launched: it runs nothing and takes no queue's work), so it is
// safe to use against production next to running workers. It connects to the database that
// exists and creates nothing (see operatorGraph). Output is a table on stdout; errors go to
// stderr. Exit codes: 0 done, 1 failure (database unreachable or not migrated, a failed run
// cannot be resumed), 2 usage, 3 no run has this id.
func newWorkflowsCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workflows",
		Short: "inspect and steer workflow runs: list [--state S] [--definition D] [--prefix P] [--limit N] | show ID | cancel ID | resume ID",
		Long: `Inspects and steers durable workflow runs through a workflow-engine client that runs nothing, so it
is safe next to running workers. It connects to the database that exists and never creates one
(without DATABASE_URL: the local server's database, or a private cluster that is running); on a
database without the schema it says to run oslira migrate.`,
		GroupID: groupOperate,
	}
	groupCommand(cmd)
	list := &cobra.Command{
		Use:   "list [--state S[,S...]] [--definition NAME] [--prefix ID-PREFIX] [--limit N]",
		Short: "list runs, newest first",
		Long:  "Lists workflow runs, newest first. States: enqueued, running, succeeded, failed, cancelled.",
		Args:  noArgs,

		DisableFlagsInUseLine: true,
	}
	var op workflowOp
	var states []string
	lf := list.Flags()
	lf.StringSliceVar(&states, "state", nil, "only runs in these states (comma-separated: enqueued, running, succeeded, failed, cancelled)")
	lf.StringVar(&op.filter.Definition, "definition", "", "only runs of this definition (e.g. stripe.event.v1)")
	lf.StringVar(&op.filter.IDPrefix, "prefix", "", "only runs whose id starts with this (e.g. stripe:)")
	lf.IntVar(&op.filter.Limit, "limit", 50, fmt.Sprintf("at most this many runs, newest first (1–%d)", workflow.MaxListLimit))
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		if op.filter.Limit < 1 || op.filter.Limit > workflow.MaxListLimit {
			return usageError(cmd, "--limit must be from 1 to %d", workflow.MaxListLimit)
		}
		for _, s := range states {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			st, ok := parseState(s)
			if !ok {
				return usageError(cmd, "unknown state %q (want enqueued, running, succeeded, failed or cancelled)", s)
			}
			op.filter.States = append(op.filter.States, st)
		}
		op.verb = "list"
		return c.runWorkflows(cmd, op)
	}
	cmd.AddCommand(list)
	for _, verb := range []struct{ name, short string }{
		{"show", "print one run with its whole error and output"},
		{"cancel", "cancel a run (it stops after its current step)"},
		{"resume", "resume a cancelled run, or one stranded by a dead executor, after its last step"},
	} {
		cmd.AddCommand(&cobra.Command{
			Use:   verb.name + " ID",
			Short: verb.short,
			Args:  runIDArg,
			RunE: func(cmd *cobra.Command, args []string) error {
				return c.runWorkflows(cmd, workflowOp{verb: verb.name, id: args[0]})
			},
		})
	}
	for _, sub := range append(cmd.Commands(), cmd) {
		setEnvironment(sub, []string{"APP_ENV", "DATABASE_URL", "DATA_DIR"})
		sub.Annotations["exit"] = "0 done, 1 failure (database unreachable or not migrated, a failed run cannot be resumed), 2 usage, 3 no such run."
	}
	return cmd
}

// runIDArg accepts exactly one run or event id.
func runIDArg(cmd *cobra.Command, args []string) error {
	if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
		return usageError(cmd, "give exactly one id")
	}
	return nil
}

// runWorkflows connects (operatorGraph) and performs op.
func (c *cli) runWorkflows(cmd *cobra.Command, op workflowOp) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), workflowsTimeout)
	defer cancel()
	var engine workflow.Engine
	stop, err := c.operatorGraph(ctx, fx.Populate(&engine))
	if err != nil {
		return failure(exitError, err)
	}
	defer stop()
	if err := op.run(ctx, engine, c.stdout); err != nil {
		if errors.Is(err, workflow.ErrNotFound) {
			return failure(exitNotFound, errors.New(describeEngineError(err)))
		}
		return failure(exitError, errors.New(describeEngineError(err)))
	}
	return nil
}

func parseState(s string) (workflow.State, bool) {
	s = strings.ToLower(s)
	if s == "canceled" {
		s = string(workflow.StateCancelled)
	}
	for _, st := range workflow.States() {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// run performs the operation and prints its result.
func (op workflowOp) run(ctx context.Context, e workflow.Engine, stdout io.Writer) error {
	switch op.verb {
	case "list":
		runs, err := e.List(ctx, op.filter)
		if err != nil {
			return err
		}
		printRuns(stdout, runs)
		return nil
	case "show":
		st, err := e.Status(ctx, op.id)
		if err != nil {
			return err
		}
		printRun(stdout, st)
		return nil
	case "cancel", "resume":
		act := e.Cancel
		if op.verb == "resume" {
			act = e.Resume
		}
		if err := act(ctx, op.id); err != nil {
			return err
		}
		st, err := e.Status(ctx, op.id)
		if err != nil {
			return err
		}
		printRuns(stdout, []workflow.Status{st})
		return nil
	}
	return fmt.Errorf("unknown subcommand %q", op.verb)
}

// printRuns writes a table of runs, newest first as the engine listed them.
func printRuns(w io.Writer, runs []workflow.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "ID\tDEFINITION\tSTATE\tATTEMPTS\tEXECUTOR\tVERSION\tCREATED\tUPDATED\tERROR")
	for _, r := range runs {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Definition, r.State, r.Attempts,
			dash(r.Executor), dash(r.Version), stamp(r.CreatedAt), stamp(r.UpdatedAt), dash(oneLine(r.ErrorCode, r.Error, maxErrorColumn)))
	}
	_ = tw.Flush()
}

// printRun writes one run, field by field, with its whole error and output.
func printRun(w io.Writer, r workflow.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, kv := range [][2]string{
		{"id", r.ID}, {"definition", r.Definition}, {"queue", r.Queue}, {"state", string(r.State)},
		{"attempts", fmt.Sprint(r.Attempts)}, {"executor", dash(r.Executor)}, {"version", dash(r.Version)},
		{"created", stamp(r.CreatedAt)}, {"updated", stamp(r.UpdatedAt)},
		{"error_code", dash(r.ErrorCode)}, {"error", dash(r.Error)}, {"output", dash(string(r.Output))},
	} {
		_, _ = fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
	}
	_ = tw.Flush()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine renders "code: error" on one line of at most n characters.
func oneLine(code, msg string, n int) string {
	s := msg
	if code != "" && !strings.HasPrefix(msg, code) {
		s = code + ": " + msg
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n-1] + "…"
	}
	return s
}

// describeEngineError is the operator-facing text of an engine error.
func describeEngineError(err error) string {
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		return "no workflow run has this id"
	case errors.Is(err, workflow.ErrNotResumable):
		return "the run failed, and a failed run cannot be resumed (its error is recorded); start a new run instead"
	case apperr.KindOf(err) == apperr.Unavailable:
		return "the workflow engine's database cannot be reached: " + err.Error()
	}
	return err.Error()
}
