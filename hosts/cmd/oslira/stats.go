package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/insights"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/hosts/httpapi"
)

func init() { register(newStatsCommand) }

// cliOperator is who `oslira stats` acts as: whoever holds the database credentials is an
// operator (the use cases refuse anyone else).
var cliOperator = tenant.Principal{Roles: []tenant.Role{tenant.RoleOperator}}

// newStatsCommand is `oslira stats [--window W] [--json]`: the four operator analytics answers
// of GET /v1/admin/analytics/* (core/insights over the database that exists, like `oslira
// webhooks list`), as terminal tables, or with --json as one object whose members are the
// routes' bodies. Without --window each answer uses its route's default (30d cost and cache,
// 7d latency and workflows). Exit codes: 0 done, 1 failure, 2 usage (a bad window).
func newStatsCommand(c *cli) *cobra.Command {
	var (
		window string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "stats [--window 30d] [--json]",
		Short: "operator analytics: AI cost concentration, route latency, workflow outcomes, AI cache savings",
		Long: `Prints the answers of the admin analytics endpoints for operators without a dashboard: which
accounts make up 80 % of the AI cost, p50/p95/p99 latency per route, workflow success rates and
where analyses fail, and the LLM cache hit rate and money saved. It reads the database that
exists and never creates one.`,
		DisableFlagsInUseLine: true,
		GroupID:               groupOperate,
		Args:                  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			windows := []insights.Window{insights.DefaultCostWindow, insights.DefaultLatencyWindow,
				insights.DefaultWorkflowWindow, insights.DefaultAICacheWindow}
			if window != "" {
				w, err := insights.ParseWindow(window, insights.Window{})
				if err != nil {
					return usageError(cmd, "--window: %s", err.Error())
				}
				windows = []insights.Window{w, w, w, w}
			}
			return c.runStats(cmd, windows, asJSON)
		},
	}
	cmd.Flags().StringVar(&window, "window", "", "one window for every answer: <n>h or <n>d, 1h to 400d (default: each answer's own)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object with the four API bodies")
	setEnvironment(cmd, []string{"APP_ENV", "DATABASE_URL", "DATA_DIR"})
	cmd.Annotations["exit"] = "0 done, 1 failure, 2 usage."
	return cmd
}

// statsAnswers are the four answers, in the order printed.
type statsAnswers struct {
	Cost      insights.CostConcentration
	Latency   insights.Latency
	Workflows insights.Workflows
	Cache     insights.AICache
}

// runStats connects (operatorGraph), computes the answers over windows (cost, latency,
// workflows, cache) and prints them.
func (c *cli) runStats(cmd *cobra.Command, windows []insights.Window, asJSON bool) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), workflowsTimeout)
	defer cancel()
	var db *postgres.DB
	stop, err := c.operatorGraph(ctx, fx.Populate(&db))
	if err != nil {
		return failure(exitError, err)
	}
	defer stop()
	a, err := computeStats(ctx, insights.NewService(postgres.NewInsightsStore(db), nil), windows)
	if err != nil {
		return failure(exitError, err)
	}
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"cost_concentration": httpapi.CostConcentrationBody(a.Cost), "latency": httpapi.LatencyBody(a.Latency),
			"workflows": httpapi.WorkflowsBody(a.Workflows), "ai_cache": httpapi.AICacheBody(a.Cache),
		})
	}
	printStats(c.stdout, a)
	return nil
}

func computeStats(ctx context.Context, s *insights.Service, w []insights.Window) (a statsAnswers, err error) {
	if a.Cost, err = s.CostConcentration(ctx, cliOperator, w[0]); err != nil {
		return a, err
	}
	if a.Latency, err = s.Latency(ctx, cliOperator, w[1]); err != nil {
		return a, err
	}
	if a.Workflows, err = s.Workflows(ctx, cliOperator, w[2]); err != nil {
		return a, err
	}
	a.Cache, err = s.AICache(ctx, cliOperator, w[3])
	return a, err
}

// dollars renders micro-dollars as $1.234567.
func dollars(micros int64) string { return fmt.Sprintf("$%d.%06d", micros/1_000_000, micros%1_000_000) }

func percent(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

// printStats writes the four answers as tables.
func printStats(w io.Writer, a statsAnswers) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { _, _ = fmt.Fprintf(tw, format, args...) }
	p("AI COST BY ACCOUNT (%s): %s over %d accounts; %d make up 80 %%\n", a.Cost.Window, dollars(a.Cost.TotalCostMicros),
		a.Cost.AccountCount, a.Cost.Top80Count)
	p("ACCOUNT\tCOST\tSHARE\tCUMULATIVE\tTOP 80%%\n")
	for _, r := range a.Cost.Accounts {
		p("%s\t%s\t%s\t%s\t%s\n", r.AccountID, dollars(r.CostMicros), percent(r.Share), percent(r.CumulativeShare),
			map[bool]string{true: "yes", false: "-"}[r.InTop80])
	}
	p("\nLATENCY BY ROUTE (%s)\n", a.Latency.Window)
	p("METHOD\tROUTE\tCOUNT\tP50 MS\tP95 MS\tP99 MS\t5XX\t4XX\n")
	for _, r := range a.Latency.Routes {
		p("%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%s\t%s\n", r.Method, r.Route, r.Count, r.P50, r.P95, r.P99, percent(r.ErrorRate), percent(r.ClientErrorRate))
	}
	p("\nWORKFLOWS (%s)\n", a.Workflows.Window)
	p("DEFINITION\tSTARTED\tSUCCEEDED\tFAILED\tCANCELLED\tPENDING\tSUCCESS\n")
	for _, d := range a.Workflows.Definitions {
		p("%s\t%d\t%d\t%d\t%d\t%d\t%s\n", d.Name, d.Started, d.Succeeded, d.Failed, d.Cancelled, d.Pending, percent(d.SuccessRate))
	}
	p("\nFAILED ANALYSES (%s)\n", a.Workflows.Window)
	p("TYPE\tSTEP\tOUTCOME\tCODE\tCOUNT\n")
	for _, f := range a.Workflows.Failures {
		p("%s\t%s\t%s\t%s\t%d\n", f.Type, f.Step, f.Outcome, dash(f.ErrorCode), f.Count)
	}
	p("\nAI CACHE (%s)\n", a.Cache.Window)
	p("CALLS\tHITS\tHIT RATE\tSPENT\tSAVED\tUNPRICED\n")
	p("%d\t%d\t%s\t%s\t%s\t%d\n", a.Cache.Calls, a.Cache.Hits, percent(a.Cache.HitRate), dollars(a.Cache.SpentMicros),
		dollars(a.Cache.SavedMicros), a.Cache.UnknownCost)
	_ = tw.Flush()
}
