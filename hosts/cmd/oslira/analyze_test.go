package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/lead"
)

// TestAnalyzeCommand runs `oslira analyze` in-process against a throwaway database in test
// mode (migrated by the command; the sample scraper and the offline analyzer, as without keys),
// one invocation after another on the same database, like a developer would.
func TestAnalyzeCommand(t *testing.T) {
	t.Parallel()
	dbURL := throwawayDatabase(t)
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": dbURL, "DATA_DIR": t.TempDir(), "WORKER_ID": "analyze-cli-test"}

	// 1. The demo user (default --email) and its demo business profile (default --profile).
	code, stdout, stderr := runCapture(t, env, "analyze", "lumen.coffee", "--json")
	if code != exitOK {
		t.Fatalf("analyze lumen.coffee: exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
	var got struct {
		Status            string  `json:"status"`
		BusinessProfileID string  `json:"business_profile_id"`
		Outcome           *string `json:"outcome"`
		Tier              *string `json:"tier"`
		Score             *int    `json:"score"`
		Credits           int64   `json:"credits"`
		Refunded          bool    `json:"refunded"`
		Progress          int     `json:"progress"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not the analysis as JSON (%v):\n%s", err, stdout)
	}
	if got.Status != "completed" || got.Outcome == nil || *got.Outcome != "scored" || got.Score == nil ||
		got.Tier == nil || got.Credits != 1 || got.Refunded || got.Progress != 100 || got.BusinessProfileID == "" {
		t.Fatalf("analysis: %s", stdout)
	}
	if s, _ := analysis.NewScore(*got.Score); string(s.Tier()) != *got.Tier {
		t.Errorf("score %d with tier %s", *got.Score, *got.Tier)
	}
	var lines []string // the progress lines, without the log's JSON warnings (no keys: offline, sample)
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.HasPrefix(l, "{") {
			lines = append(lines, l)
		}
	}
	if len(lines) < 2 || lines[0] != "  0% queued: waiting for a worker" || lines[len(lines)-1] != "100% complete: done" {
		t.Errorf("progress lines (stderr is not a terminal):\n%s", stderr)
	}
	profile := got.BusinessProfileID

	// 2. An answer without a score is not a failure: exit 0, refunded, said so.
	code, stdout, stderr = runCapture(t, env, "analyze", "no_such_profile", "--profile", profile)
	if code != exitOK || !strings.Contains(stdout, "not found") || !strings.Contains(stdout, "refunded") {
		t.Errorf("not found: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// 3. xray: the summary shows the outreach message and the qualification.
	code, stdout, stderr = runCapture(t, env, "analyze", "@lumen.coffee", "--profile", profile, "--type", "XRAY")
	if code != exitOK || !strings.Contains(stdout, "Score:") || !strings.Contains(stdout, "Outreach:") ||
		!strings.Contains(stdout, "Strengths:") || !strings.Contains(stdout, "xray analysis") {
		t.Errorf("xray: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// The demo account's books: 25 (signup bonus) - 1 (light) - 3 (xray); the not-found deep
	// analysis was refunded.
	pool, err := pgxpool.New(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var balance int64
	if err := pool.QueryRow(t.Context(), `select b.balance from public.credit_balances b
		join public.accounts a on a.id = b.account_id where a.owner_id = $1`, devUserID(demoEmail)).Scan(&balance); err != nil {
		t.Fatal(err)
	}
	if balance != 21 {
		t.Errorf("demo balance %d, want 21", balance)
	}

	// 4. --account: the owner of an account without credits is refused (exit 4) with the code;
	// a profile of another account is not found (3); so is an account nobody has (3).
	owner := pgtest.InsertUser(t, pool)
	acct := pgtest.InsertAccount(t, pool, owner)
	pgtest.FundAccount(t, pool, acct, 0)
	var own string
	if err := pool.QueryRow(t.Context(), `insert into public.business_profiles (account_id, business_name)
		values ($1, 'Broke Ltd') returning id::text`, acct).Scan(&own); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--account", acct, "--profile", own}, exitRefused, credit.CodeInsufficient},
		{[]string{"--account", acct, "--profile", profile}, exitNotFound, "not found"},
		{[]string{"--account", "6f1d2c3b-0000-4000-8000-00000000abcd", "--profile", own}, exitNotFound, "no account has this id"},
	} {
		code, stdout, stderr := runCapture(t, env, append([]string{"analyze", "lumen.coffee"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, want %d with %q\nstderr:\n%s\nstdout:\n%s", c.args, code, c.code, c.want, stderr, stdout)
		}
	}
}

// TestAnalyzeUsage: wrong invocations are refused before any database is touched (the URL
// points at a closed port), with exit 2 and the reason.
func TestAnalyzeUsage(t *testing.T) {
	t.Parallel()
	local := map[string]string{"APP_ENV": "test", "DATABASE_URL": "postgres://u@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"}
	const uuid = "6f1d2c3b-0000-4000-8000-00000000abcd"
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no handle", local, nil, "name one Instagram handle"},
		{"two handles", local, []string{"a", "b"}, "name one Instagram handle"},
		{"bad handle", local, []string{"no spaces allowed"}, "is not an Instagram handle"},
		{"bad type", local, []string{"lumen.coffee", "--type", "ultra"}, "--type must be light, deep or xray"},
		{"bad profile", local, []string{"lumen.coffee", "--profile", "42"}, "--profile must be"},
		{"bad account", local, []string{"lumen.coffee", "--account", "acme"}, "--account must be"},
		{"email and account", local, []string{"lumen.coffee", "--email", "a@b.co", "--account", uuid}, "not both"},
		{"bad email", local, []string{"lumen.coffee", "--email", "nobody"}, "is not an e-mail address"},
		{"production without account", testEnvs["production"], []string{"lumen.coffee", "--profile", uuid}, "--account and --profile are required"},
		{"production without profile", testEnvs["production"], []string{"lumen.coffee", "--account", uuid}, "--account and --profile are required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCapture(t, c.env, append([]string{"analyze"}, c.args...)...)
			if code != exitUsage || !strings.Contains(stderr, c.want) || stdout != "" {
				t.Errorf("exit %d, want 2 with %q\nstderr:\n%s\nstdout:\n%s", code, c.want, stderr, stdout)
			}
		})
	}
}

// TestAnalyzeErrorStatus: each refusal of the use case gets its documented exit status and its
// code on stderr.
func TestAnalyzeErrorStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		code int
		want string
	}{
		{apperr.Validation(apperr.CodeInvalidRequest, "invalid analysis request", apperr.FieldError{Field: "username", Message: "too long"}), exitUsage, "request.invalid: invalid analysis request (too long)"},
		{business.ErrNotFound, exitNotFound, "not-found"},
		{errNoAccount, exitNotFound, "no account has this id"},
		{credit.ErrInsufficient, exitRefused, credit.CodeInsufficient},
		{&analyze.DuplicateError{Existing: map[string]string{"lumen.coffee": "a-1"}}, exitRefused, "analysis.duplicate: an analysis of this profile is already in progress (lumen.coffee: analysis a-1)"},
		{identity.ErrAccountSuspended, exitRefused, identity.CodeAccountSuspended},
		{apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "database down"), exitError, "database down"},
		{errors.New("boom"), exitError, "boom"},
	}
	for _, c := range cases {
		err := analyzeError(c.err)
		var se *statusError
		if !errors.As(err, &se) || se.code != c.code || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v (exit %d), want exit %d with %q", c.err, err, se.code, c.code, c.want)
		}
	}
}

// TestAnalyzeResult: a completed analysis exits 0 whatever its outcome; a failed one prints
// the same output and exits 1 naming its error code.
func TestAnalyzeResult(t *testing.T) {
	t.Parallel()
	score := 72
	scored := analyze.Analysis{ID: "a-1", Username: "lumen.coffee", Type: analysis.Deep, Credits: 2, Status: analysis.Completed,
		Outcome: analysis.Scored, Score: &score, Tier: analysis.Warm, Summary: "A good fit.",
		Result:  &analyze.Result{Niche: "coffee", NicheConfidence: "high", Qualification: &analyze.Qualification{Strengths: []string{"loyal regulars"}}},
		Metrics: &lead.Metrics{}}
	private := analyze.Analysis{ID: "a-2", Username: "quiet.studio", Type: analysis.Light, Credits: 1, Status: analysis.Completed,
		Outcome: analysis.Private, Refunded: true, Result: &analyze.Result{Bypass: &analyze.Bypass{Reason: "private", Detail: "The profile is private."}}}
	failed := analyze.Analysis{ID: "a-3", Username: "lumen.coffee", Type: analysis.XRay, Credits: 3, Status: analysis.Failed,
		Outcome: analysis.ProviderFailed, ErrorCode: analyze.CodeAIFailed, Refunded: true}
	for _, c := range []struct {
		a    analyze.Analysis
		ok   bool
		want []string
	}{
		{scored, true, []string{"Score:    72/100 (warm)", "Summary:  A good fit.", "Niche:    coffee (confidence high)", "  - loyal regulars"}},
		{private, true, []string{"private (only public profiles", "Why:      The profile is private.", "refunded"}},
		{failed, false, []string{"provider_failed (analysis.ai-failed)", "refunded"}},
	} {
		var out bytes.Buffer
		err := printResult(&out, c.a, false)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.a.ID, err)
		}
		if !c.ok && (!strings.Contains(err.Error(), analyze.CodeAIFailed) || exitCode(err) != exitError) {
			t.Errorf("%s: %v, want exit 1 naming %s", c.a.ID, err, analyze.CodeAIFailed)
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: summary lacks %q:\n%s", c.a.ID, w, out.String())
			}
		}
		out.Reset()
		err = printResult(&out, c.a, true)
		var doc struct {
			Status    string  `json:"status"`
			ErrorCode *string `json:"error_code"`
		}
		if jerr := json.Unmarshal(out.Bytes(), &doc); jerr != nil || doc.Status != string(c.a.Status) || (err == nil) != c.ok ||
			(c.a.ErrorCode == "") != (doc.ErrorCode == nil) {
			t.Errorf("%s as JSON: %v, %v:\n%s", c.a.ID, err, jerr, out.String())
		}
	}
}

// exitCode is the exit status an error of a command maps to.
func exitCode(err error) int {
	return (&cli{stderr: &bytes.Buffer{}}).report(nil, err)
}

// TestAnalyzeProgressLines: without a terminal, one line per change of percent or step.
func TestAnalyzeProgressLines(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newProgress(&out, analyze.Analysis{})
	for _, a := range []analyze.Analysis{
		{Progress: 0, Step: "queued"}, {Progress: 0, Step: "queued"}, {Progress: 5, Step: "scrape"},
		{Progress: 37, Step: "ai"}, {Progress: 37, Step: "ai"}, {Progress: 100, Step: "complete"},
	} {
		p.update(a)
	}
	p.done()
	want := "  0% queued: waiting for a worker\n  5% scrape: fetching the Instagram profile\n 37% ai: analysing the profile\n100% complete: done\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
