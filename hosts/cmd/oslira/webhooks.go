package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
)

func init() { register(newWebhooksCommand) }

// exitRefused is the exit code of `webhooks retry` when the event's latest attempt is still in
// flight or succeeded, so scripts can tell "nothing to do yet" from a failure.
const exitRefused = 4

// webhooksOp is one parsed `oslira webhooks` invocation.
type webhooksOp struct {
	verb  string
	id    string
	query billing.WebhookQuery
}

// newWebhooksCommand is `oslira webhooks`: the stored Stripe events and their processing
// attempts, through billing.Inbox over the postgres inbox and a DBOS client (never launched,
// so it is safe next to running workers: a retry enqueues a run that a worker executes). It
// connects to the database that exists and creates nothing (see operatorGraph). Output is a
// table on stdout; errors go to stderr. Exit codes: 0 done, 1 failure, 2 usage, 3 no event has
// this id, 4 retry refused (the latest attempt is in flight or succeeded).
func newWebhooksCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "inspect and re-drive Stripe webhook events: list [--failed] [--limit N] | retry EVENT_ID",
		Long: `Lists the stored Stripe events with their latest processing attempt, and starts a new attempt of an
event whose latest one failed or was cancelled, once its cause is fixed. It connects to the
database that exists and never creates one; on a database without the schema it says to run
oslira migrate.`,
		GroupID: groupOperate,
	}
	groupCommand(cmd)
	var op webhooksOp
	list := &cobra.Command{
		Use: "list [--failed] [--limit N]",

		DisableFlagsInUseLine: true,
		Short:                 "list stored events, newest first, with their latest processing attempt",
		Args:                  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if op.query.Limit < 1 || op.query.Limit > workflow.MaxListLimit {
				return usageError(cmd, "--limit must be from 1 to %d", workflow.MaxListLimit)
			}
			op.verb = "list"
			return c.runWebhooks(cmd, op)
		},
	}
	list.Flags().BoolVar(&op.query.Failed, "failed", false, "only unprocessed events whose latest attempt failed or was cancelled")
	list.Flags().IntVar(&op.query.Limit, "limit", 50, fmt.Sprintf("at most this many events, newest first (1–%d)", workflow.MaxListLimit))
	retry := &cobra.Command{
		Use:   "retry EVENT_ID",
		Short: "start the next processing attempt of an event whose latest attempt failed or was cancelled",
		Args:  runIDArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runWebhooks(cmd, webhooksOp{verb: "retry", id: args[0]})
		},
	}
	cmd.AddCommand(list, retry)
	for _, sub := range append(cmd.Commands(), cmd) {
		setEnvironment(sub, []string{"APP_ENV", "DATABASE_URL", "DATA_DIR"})
		sub.Annotations["exit"] = "0 done, 1 failure, 2 usage, 3 no such event, 4 retry refused (the latest attempt is in flight or succeeded)."
	}
	return cmd
}

// runWebhooks connects (operatorGraph) and performs op.
func (c *cli) runWebhooks(cmd *cobra.Command, op webhooksOp) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), workflowsTimeout)
	defer cancel()
	var (
		events billing.EventInbox
		engine workflow.Engine
	)
	stop, err := c.operatorGraph(ctx, fx.Populate(&events, &engine))
	if err != nil {
		return failure(exitError, err)
	}
	defer stop()
	return op.exec(ctx, billing.NewInbox(events, engine), c.stdout)
}

// exec performs the operation on inbox, prints its result, and returns its error with the exit
// status.
func (op webhooksOp) exec(ctx context.Context, inbox *billing.Inbox, stdout io.Writer) error {
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
		return nil
	}
	msg := errors.New(describeWebhookError(err))
	switch {
	case errors.Is(err, billing.ErrWebhookNotFound):
		return failure(exitNotFound, msg)
	case errors.Is(err, billing.ErrWebhookInFlight), errors.Is(err, billing.ErrWebhookProcessed):
		return failure(exitRefused, msg)
	}
	return failure(exitError, msg)
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
