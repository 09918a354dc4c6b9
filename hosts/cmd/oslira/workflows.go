package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/hosts/bootstrap"
)

// workflowsSummary is the usage line of `oslira workflows`.
const workflowsSummary = "inspect and steer workflow runs: workflows list [--state S] [--limit N] | show ID | cancel ID | resume ID"

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

// runWorkflows implements `oslira workflows`. It reads and steers runs through the workflow.Engine
// port, on a DBOS client (never launched: it runs nothing and takes no queue's work), so it is
// safe to use against production next to running workers. Output is a table on stdout; errors go
// to stderr. Exit codes: 0 done, 1 failure (database unreachable, a failed run cannot be
// resumed), 2 usage, 3 no run has this id.
func runWorkflows(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	op, code := parseWorkflowsArgs(args, stderr)
	if code >= 0 {
		return code
	}
	cfg, err := bootstrap.Load(lookup)
	if err != nil {
		printf(stderr, "oslira workflows: %v\n", err)
		return exitError
	}
	// The command's output is the table, and its failures are returned and printed below: the
	// components' logs are dropped (DBOS's client, for one, logs its listener's cancellation as
	// an error on every Close).
	log := slog.New(slog.DiscardHandler)
	proc := bootstrap.Process{Config: cfg, Lookup: lookup, Logger: log, Role: "cli"}

	ctx, cancel := context.WithTimeout(ctx, workflowsTimeout)
	defer cancel()
	var engine workflow.Engine
	app := fx.New(
		fx.Supply(proc), bootstrap.Module, fx.NopLogger,
		bootstrap.ResolveDatabase, postgres.Module, bootstrap.Workflows, dbos.ClientModule,
		fx.Populate(&engine),
	)
	if err := app.Err(); err != nil {
		printf(stderr, "oslira workflows: %v\n", rootCause(err))
		return exitError
	}
	if err := app.Start(ctx); err != nil {
		printf(stderr, "oslira workflows: %v\n", rootCause(err))
		return exitError
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_ = app.Stop(stopCtx)
	}()

	if err := op.run(ctx, engine, stdout); err != nil {
		printf(stderr, "oslira workflows %s: %v\n", op.verb, describeEngineError(err))
		if errors.Is(err, workflow.ErrNotFound) {
			return exitNotFound
		}
		return exitError
	}
	return exitOK
}

// parseWorkflowsArgs parses the verb and its arguments; code is -1 when the command should run.
func parseWorkflowsArgs(args []string, stderr io.Writer) (workflowOp, int) {
	usage := func() {
		printf(stderr, "Usage:\n"+
			"  oslira workflows list [--state S[,S...]] [--definition NAME] [--prefix ID-PREFIX] [--limit N]\n"+
			"  oslira workflows show ID\n"+
			"  oslira workflows cancel ID\n"+
			"  oslira workflows resume ID\n"+
			"States: enqueued, running, succeeded, failed, cancelled. Exit codes: 0 done, 1 failure, 2 usage, 3 no such run.\n")
	}
	if len(args) == 0 {
		usage()
		return workflowOp{}, exitUsage
	}
	op := workflowOp{verb: args[0]}
	switch op.verb {
	case "help", "-h", "--help":
		usage()
		return workflowOp{}, exitOK
	case "list":
		fs := flag.NewFlagSet("oslira workflows list", flag.ContinueOnError)
		fs.SetOutput(stderr)
		states := fs.String("state", "", "only runs in these states (comma-separated)")
		fs.StringVar(&op.filter.Definition, "definition", "", "only runs of this definition (e.g. stripe.event.v1)")
		fs.StringVar(&op.filter.IDPrefix, "prefix", "", "only runs whose id starts with this (e.g. stripe:)")
		fs.IntVar(&op.filter.Limit, "limit", 50, fmt.Sprintf("at most this many runs, newest first (1–%d)", workflow.MaxListLimit))
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return workflowOp{}, exitOK
			}
			return workflowOp{}, exitUsage
		}
		if fs.NArg() > 0 {
			printf(stderr, "oslira workflows list: unexpected arguments %q\n", fs.Args())
			return workflowOp{}, exitUsage
		}
		if op.filter.Limit < 1 || op.filter.Limit > workflow.MaxListLimit {
			printf(stderr, "oslira workflows list: --limit must be from 1 to %d\n", workflow.MaxListLimit)
			return workflowOp{}, exitUsage
		}
		for _, s := range strings.Split(*states, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			st, ok := parseState(s)
			if !ok {
				printf(stderr, "oslira workflows list: unknown state %q (want enqueued, running, succeeded, failed or cancelled)\n", s)
				return workflowOp{}, exitUsage
			}
			op.filter.States = append(op.filter.States, st)
		}
	case "show", "cancel", "resume":
		if len(args) != 2 || strings.TrimSpace(args[1]) == "" || strings.HasPrefix(args[1], "-") {
			printf(stderr, "oslira workflows %s: give exactly one run id\n", op.verb)
			usage()
			return workflowOp{}, exitUsage
		}
		op.id = args[1]
	default:
		printf(stderr, "oslira workflows: unknown subcommand %q\n", op.verb)
		usage()
		return workflowOp{}, exitUsage
	}
	return op, -1
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
