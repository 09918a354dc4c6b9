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

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/hosts/bootstrap"
)

// webhooksSummary is the usage line of `oslira webhooks`.
const webhooksSummary = "inspect and re-drive Stripe webhook events: webhooks list [--failed] [--limit N] | retry EVENT_ID"

// exitRefused is the exit code of `webhooks retry` when the event's latest attempt is still in
// flight or succeeded, so scripts can tell "nothing to do yet" from a failure.
const exitRefused = 4

// webhooksOp is one parsed `oslira webhooks` invocation.
type webhooksOp struct {
	verb  string
	id    string
	query billing.WebhookQuery
}

// runWebhooks implements `oslira webhooks`: the stored Stripe events and their processing
// attempts, through billing.Inbox over the postgres inbox and a DBOS client (never launched,
// so it is safe next to running workers: a retry enqueues a run that a worker executes).
// Output is a table on stdout; errors go to stderr. Exit codes: 0 done, 1 failure, 2 usage,
// 3 no event has this id, 4 retry refused (the latest attempt is in flight or succeeded).
func runWebhooks(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	op, code := parseWebhooksArgs(args, stderr)
	if code >= 0 {
		return code
	}
	cfg, err := bootstrap.Load(lookup)
	if err != nil {
		printf(stderr, "oslira webhooks: %v\n", err)
		return exitError
	}
	// As for `workflows`: the output is the table, the components' logs are dropped.
	proc := bootstrap.Process{Config: cfg, Lookup: lookup, Logger: slog.New(slog.DiscardHandler), Role: "cli"}
	ctx, cancel := context.WithTimeout(ctx, workflowsTimeout)
	defer cancel()
	var (
		events billing.EventInbox
		engine workflow.Engine
	)
	app := fx.New(
		fx.Supply(proc), bootstrap.Module, fx.NopLogger,
		bootstrap.ResolveDatabase, postgres.Module, bootstrap.Workflows, dbos.ClientModule,
		fx.Populate(&events, &engine),
	)
	if err := app.Err(); err != nil {
		printf(stderr, "oslira webhooks: %v\n", rootCause(err))
		return exitError
	}
	if err := app.Start(ctx); err != nil {
		printf(stderr, "oslira webhooks: %v\n", rootCause(err))
		return exitError
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_ = app.Stop(stopCtx)
	}()
	return op.exec(ctx, billing.NewInbox(events, engine), stdout, stderr)
}

// parseWebhooksArgs parses the verb and its arguments; code is -1 when the command should run.
func parseWebhooksArgs(args []string, stderr io.Writer) (webhooksOp, int) {
	usage := func() {
		printf(stderr, "Usage:\n"+
			"  oslira webhooks list [--failed] [--limit N]\n"+
			"  oslira webhooks retry EVENT_ID\n"+
			"list shows stored events, newest first, with their latest processing attempt; --failed keeps the\n"+
			"unprocessed ones whose latest attempt failed or was cancelled. retry starts a new attempt of such an\n"+
			"event once its cause is fixed. Exit codes: 0 done, 1 failure, 2 usage, 3 no such event, 4 retry refused.\n")
	}
	if len(args) == 0 {
		usage()
		return webhooksOp{}, exitUsage
	}
	op := webhooksOp{verb: args[0]}
	switch op.verb {
	case "help", "-h", "--help":
		usage()
		return webhooksOp{}, exitOK
	case "list":
		fs := flag.NewFlagSet("oslira webhooks list", flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.BoolVar(&op.query.Failed, "failed", false, "only unprocessed events whose latest attempt failed or was cancelled")
		fs.IntVar(&op.query.Limit, "limit", 50, fmt.Sprintf("at most this many events, newest first (1–%d)", workflow.MaxListLimit))
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return webhooksOp{}, exitOK
			}
			return webhooksOp{}, exitUsage
		}
		if fs.NArg() > 0 {
			printf(stderr, "oslira webhooks list: unexpected arguments %q\n", fs.Args())
			return webhooksOp{}, exitUsage
		}
		if op.query.Limit < 1 || op.query.Limit > workflow.MaxListLimit {
			printf(stderr, "oslira webhooks list: --limit must be from 1 to %d\n", workflow.MaxListLimit)
			return webhooksOp{}, exitUsage
		}
	case "retry":
		if len(args) != 2 || strings.TrimSpace(args[1]) == "" || strings.HasPrefix(args[1], "-") {
			printf(stderr, "oslira webhooks retry: give exactly one event id (evt_…)\n")
			usage()
			return webhooksOp{}, exitUsage
		}
		op.id = args[1]
	default:
		printf(stderr, "oslira webhooks: unknown subcommand %q\n", op.verb)
		usage()
		return webhooksOp{}, exitUsage
	}
	return op, -1
}

// exec performs the operation on inbox, prints its result or its error, and returns the exit code.
func (op webhooksOp) exec(ctx context.Context, inbox *billing.Inbox, stdout, stderr io.Writer) int {
	var err error
	switch op.verb {
	case "list":
		var events []billing.WebhookStatus
		if events, err = inbox.Webhooks(ctx, op.query); err == nil {
			printWebhooks(stdout, events)
		}
	case "retry":
		var r billing.Receipt
		if r, err = inbox.Retry(ctx, op.id, stripe.ParseEvent); err == nil {
			verb := "started attempt"
			if !r.NewAttempt {
				verb = "started again the lost run of attempt"
			}
			printf(stdout, "%s: %s %d, run %s (follow it with `oslira workflows show %s`)\n",
				r.EventID, verb, r.Attempt, r.WorkflowID, r.WorkflowID)
		}
	default:
		err = fmt.Errorf("unknown subcommand %q", op.verb)
	}
	if err == nil {
		return exitOK
	}
	printf(stderr, "oslira webhooks %s: %s\n", op.verb, describeWebhookError(err))
	switch {
	case errors.Is(err, billing.ErrWebhookNotFound):
		return exitNotFound
	case errors.Is(err, billing.ErrWebhookInFlight), errors.Is(err, billing.ErrWebhookProcessed):
		return exitRefused
	}
	return exitError
}

// printWebhooks writes a table of events with their latest attempt, newest first.
func printWebhooks(w io.Writer, events []billing.WebhookStatus) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "EVENT\tTYPE\tATTEMPTS\tSTATE\tOUTCOME\tRECEIVED\tRUN\tERROR")
	for _, e := range events {
		state, run := string(e.Run.State), e.Run.ID
		if state == "" {
			state, run = "none", billing.EventAttemptWorkflowID(e.ID, e.Attempts)
		}
		code, msg := e.Run.ErrorCode, e.Run.Error
		if msg == "" && !e.Processed() {
			code, msg = "", e.LastError
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Type, e.Attempts, state, dash(string(e.Result)),
			stamp(e.ReceivedAt), run, dash(oneLine(code, msg, maxErrorColumn)))
	}
	_ = tw.Flush()
}

// describeWebhookError is the operator-facing text of an error of `oslira webhooks`.
func describeWebhookError(err error) string {
	switch {
	case errors.Is(err, billing.ErrWebhookNotFound):
		return "no webhook event with this id is stored"
	case errors.Is(err, billing.ErrWebhookInFlight):
		return "refused: the event's latest processing attempt is still enqueued or running; wait for it to end " +
			"(`oslira webhooks list` shows its run)"
	case errors.Is(err, billing.ErrWebhookProcessed):
		return "refused: the event was already processed successfully; a new attempt would change nothing"
	case apperr.KindOf(err) == apperr.Unavailable:
		return "the database or the workflow engine cannot be reached: " + err.Error()
	}
	return err.Error()
}
