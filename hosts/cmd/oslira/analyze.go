package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/hosts/bootstrap"
	"github.com/oslira/oslira/hosts/worker"
)

func init() { register(newAnalyzeCommand) }

// analyzePollInterval is how often the command reads the analysis while it runs.
const analyzePollInterval = 100 * time.Millisecond

// analyzeFlags are the options of `oslira analyze`.
type analyzeFlags struct {
	handle, profile, typ, email, account string
	json                                 bool
}

// newAnalyzeCommand is `oslira analyze HANDLE`: one analysis through analyze.Service — the use
// case behind POST /v1/analyses — in this process, with the DBOS executor launched here so the
// run executes here too (see runAnalyze). Progress goes to stderr (a bar on a terminal, one
// line per change otherwise), the result to stdout (a summary, or the API's Analysis JSON).
//
// Who pays: in development and test the user of --email (default the demo user of `oslira
// serve`, provisioned with its signup bonus on first use), or the owner of --account. In
// staging and production --account is required: the command acts for a real customer and
// spends their credits, so it must be named explicitly (there is no default user there).
func newAnalyzeCommand(c *cli) *cobra.Command {
	var f analyzeFlags
	cmd := &cobra.Command{
		Use:   "analyze HANDLE [--profile ID] [--type light|deep|xray] [--json] [--email E | --account ID]",
		Short: "run one analysis in this process and follow it (progress bar, then the result)",
		Long: `Runs one analysis of an Instagram handle through the same use case as POST /v1/analyses — the
credits are debited, the run is durable, scored results are saved as leads — without HTTP: the
workflow executor is launched in this process and executes the run (while it runs it also
takes other queued work, like any worker). Progress is drawn on stderr; the result goes to
stdout as a summary, or with --json as the API's Analysis object.

In development and test the database is found or provisioned and migrated as for serve, and
the analysis is made for the user of --email (default demo@oslira.local, the demo user of
oslira serve, created with its signup bonus on first use); --profile defaults to that user's
demo business profile, created if missing. Without provider keys, profiles come from the
bundled sample set (try lumen.coffee) and scores from the offline analyzer.

In staging and production --account ID and --profile ID are required: the analysis is made
as the account's owner and spends its credits. Ctrl-C stops following; the run continues at
this executor id's next launch (WORKER_ID) or is resumed by the janitor.`,
		Example: `  oslira analyze lumen.coffee
  oslira analyze @fitwithmaya --type deep --json | jq .score
  oslira analyze https://instagram.com/northpeak.gear --type xray --profile 3f6c…
  APP_ENV=production oslira analyze acme --account 9b1e… --profile 3f6c…`,
		GroupID: groupOperate,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "name one Instagram handle (got %d arguments)", len(args))
			}
			return nil
		},
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.handle = args[0]
			return c.runAnalyze(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "", "business profile id (development: the demo business profile by default)")
	fl.StringVar(&f.typ, "type", string(analysis.Light), "analysis type: light (1 credit), deep (2) or xray (3)")
	fl.BoolVar(&f.json, "json", false, "print the finished analysis as JSON (the API's Analysis object)")
	fl.StringVar(&f.email, "email", demoEmail, "development and test: analyse as this user (the same address is always the same user)")
	fl.StringVar(&f.account, "account", "", "analyse as the owner of this account (required in staging and production)")
	setEnvironment(cmd, []string{"APP_ENV", "DATABASE_URL", "DATA_DIR", "WORKER_ID", "ANALYSIS_POLL_INTERVAL", "LOG_LEVEL"},
		secretApify, secretOpenAI, secretClaude, secretAIG, secretJWT, secretCursor)
	cmd.Annotations["exit"] = "0 the analysis completed (scored, or an answer without a score: not found, private, " +
		"outside the ICP), 1 it failed (the error code is printed) or the command could not run, 2 usage or invalid input, " +
		"3 no such business profile or account, 4 refused (not enough credits, the handle is already being analysed, " +
		"account suspended)."
	return cmd
}

// check validates the flags that need no database, with the environment's rules.
func (f *analyzeFlags) check(cmd *cobra.Command, env bootstrap.Env) error {
	if _, err := lead.ParseHandle(f.handle, "handle"); err != nil {
		return usageError(cmd, "%q is not an Instagram handle: %s", f.handle, fieldMessages(err))
	}
	if _, err := analysis.ParseType(strings.ToLower(strings.TrimSpace(f.typ))); err != nil {
		return usageError(cmd, "--type must be light, deep or xray (got %q)", f.typ)
	}
	f.typ = strings.ToLower(strings.TrimSpace(f.typ))
	if f.profile != "" {
		if _, ok := tenant.ParseUUID(f.profile); !ok {
			return usageError(cmd, "--profile must be a business profile id (a UUID)")
		}
	}
	if f.account != "" {
		if _, ok := tenant.ParseUUID(f.account); !ok {
			return usageError(cmd, "--account must be an account id (a UUID)")
		}
		if cmd.Flags().Changed("email") {
			return usageError(cmd, "give --email or --account, not both")
		}
	}
	if !env.Local() && (f.account == "" || f.profile == "") {
		return usageError(cmd, "in %s, --account and --profile are required: the analysis spends that account's credits", env)
	}
	f.email = strings.ToLower(strings.TrimSpace(f.email))
	if f.account == "" && (strings.Count(f.email, "@") != 1 || strings.HasPrefix(f.email, "@") || strings.HasSuffix(f.email, "@")) {
		return usageError(cmd, "--email %q is not an e-mail address", f.email)
	}
	return nil
}

// fieldMessages joins an Invalid error's field messages.
func fieldMessages(err error) string {
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		return err.Error()
	}
	var msgs []string
	for _, f := range e.Fields {
		msgs = append(msgs, f.Message)
	}
	return strings.Join(msgs, "; ")
}

// analyzeDeps are what the command takes from its graph.
type analyzeDeps struct {
	fx.In

	Analyses   *analyze.Service
	Accounts   *account.Service
	Businesses *business.Service
}

// analyzeModules are the worker's graph (executor, workflow definitions, scraping, LLM) plus the
// core services and the analysis use cases: the database is resolved and, locally, migrated as
// for serve.
var analyzeModules = []fx.Option{
	bootstrap.ResolveDatabase, postgres.Module, secrets.Module, bootstrap.Core,
	bootstrap.MigrateOnStart, bootstrap.Workflows, bootstrap.Scraping, bootstrap.LLM, bootstrap.Analyses, worker.Module,
}

// runAnalyze checks the invocation, starts the graph, submits and follows the analysis.
func (c *cli) runAnalyze(cmd *cobra.Command, f analyzeFlags) error {
	cfg, err := bootstrap.Load(c.lookup)
	if err != nil {
		return failure(exitError, err)
	}
	if err := f.check(cmd, cfg.Env); err != nil {
		return err
	}
	// The components log warnings and errors only, on stderr: stdout is the result's.
	level := max(cfg.LogLevel, slog.LevelWarn)
	log := bootstrap.NewLogger(c.stderr, level).With("process", "analyze")
	proc := bootstrap.Process{Config: cfg, Lookup: c.lookup, Logger: log, Role: "analyze"}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var deps analyzeDeps
	app := fx.New(fx.Supply(proc), bootstrap.Module, bootstrap.FxLogger, fx.Options(analyzeModules...), fx.Populate(&deps))
	if err := app.Err(); err != nil {
		return failure(exitError, rootCause(err))
	}
	startCtx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		return failure(exitError, rootCause(err))
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout+stopGrace)
		defer cancel()
		_ = app.Stop(stopCtx)
	}()

	p, err := c.analyzePrincipal(ctx, deps, f)
	if err != nil {
		return analyzeError(err)
	}
	if f.profile == "" { // local only (check): the user's demo business profile
		if f.profile, err = demoProfile(ctx, deps.Businesses, p); err != nil {
			return analyzeError(err)
		}
	}
	a, err := deps.Analyses.Submit(ctx, p, analyze.SubmitInput{Username: f.handle, BusinessProfileID: f.profile, Type: f.typ})
	if err != nil {
		return analyzeError(err)
	}
	a, err = follow(ctx, deps.Analyses, p, a, newProgress(c.stderr, a))
	if err != nil {
		if ctx.Err() != nil {
			return failure(exitError, fmt.Errorf("interrupted: analysis %s continues when this executor id (WORKER_ID) "+
				"launches again or the janitor resumes it; follow it with GET /v1/analyses/%s", a.ID, a.ID))
		}
		return analyzeError(err)
	}
	return printResult(c.stdout, a, f.json)
}

// printResult prints a finished analysis (JSON or a summary) and returns the command's outcome:
// nil for a completed analysis — scored, or answered without a score (not found, private,
// outside the ICP: answers, not failures) — else exit 1 naming the error code.
func printResult(w io.Writer, a analyze.Analysis, asJSON bool) error {
	if asJSON {
		if err := printAnalysisJSON(w, a); err != nil {
			return failure(exitError, err)
		}
	} else {
		printSummary(w, a)
	}
	if a.Status != analysis.Completed {
		return failure(exitError, fmt.Errorf("analysis %s %s: %s", a.ID, a.Status, cmp.Or(a.ErrorCode, string(a.Outcome))))
	}
	return nil
}

// analyzePrincipal is the caller the analysis is made for: the owner of --account, else the
// development user of --email (provisioned on first use, like a first authenticated request).
func (c *cli) analyzePrincipal(ctx context.Context, deps analyzeDeps, f analyzeFlags) (tenant.Principal, error) {
	if f.account != "" {
		return deps.Accounts.ActAsOwner(ctx, f.account)
	}
	return deps.Accounts.Resolve(ctx, identity.Claims{UserID: devUserID(f.email), Email: f.email, ExpiresAt: time.Now().Add(time.Hour)})
}

// errNoAccount is an --account no account has.
var errNoAccount = account.ErrNoAccount

// follow reads the analysis every analyzePollInterval, reporting its progress, until it ends.
func follow(ctx context.Context, svc *analyze.Service, p tenant.Principal, a analyze.Analysis, pr progressReporter) (analyze.Analysis, error) {
	defer pr.done()
	t := time.NewTicker(analyzePollInterval)
	defer t.Stop()
	for {
		pr.update(a)
		if a.Status.Terminal() {
			return a, nil
		}
		select {
		case <-ctx.Done():
			return a, ctx.Err()
		case <-t.C:
		}
		next, err := svc.Get(ctx, p, a.ID)
		if err != nil {
			return a, err
		}
		a = next
	}
}

// analyzeError maps a use-case error to the command's exit status, printing its code.
func analyzeError(err error) error {
	msg := err
	if e, ok := apperr.As(err); ok {
		text := e.Code + ": " + e.Message
		if len(e.Fields) > 0 {
			text += " (" + fieldMessages(err) + ")"
		}
		var dup *analyze.DuplicateError
		if errors.As(err, &dup) {
			for u, id := range dup.Existing {
				text += fmt.Sprintf(" (%s: analysis %s)", u, id)
			}
		}
		msg = errors.New(text)
	}
	switch {
	case apperr.KindOf(err) == apperr.Invalid:
		return failure(exitUsage, msg)
	case errors.Is(err, business.ErrNotFound), errors.Is(err, errNoAccount):
		return failure(exitNotFound, msg)
	case errors.Is(err, credit.ErrInsufficient), errors.Is(err, analyze.ErrDuplicate), errors.Is(err, identity.ErrAccountSuspended):
		return failure(exitRefused, msg)
	}
	return failure(exitError, msg)
}
