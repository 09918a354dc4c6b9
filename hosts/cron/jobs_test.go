package cron

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

const defStripe = "stripe.event.v1"

// stripeDefinition stands in for the billing feature's processing workflow: it fails
// permanently for event "evt_poison" and does nothing otherwise.
func stripeDefinition() workflow.Definition {
	return workflow.Definition{Name: defStripe, Queue: "billing", Body: func(_ context.Context, _ workflow.Run, in []byte) ([]byte, error) {
		var id string
		_ = json.Unmarshal(in, &id)
		if id == "evt_poison" {
			return nil, workflow.Permanent(apperr.New(apperr.Invalid, "billing.bad-event", "bad event"))
		}
		return nil, nil
	}}
}

// fakeJanitor counts passes.
type fakeJanitor struct{ passes int }

func (j *fakeJanitor) RunOnce(context.Context) (dbos.JanitorReport, error) {
	j.passes++
	return dbos.JanitorReport{PendingScanned: 3, Resumed: []string{"w1"}}, nil
}

// fakeRunPurger counts calls.
type fakeRunPurger struct{ before []time.Time }

func (p *fakeRunPurger) DeleteFinished(_ context.Context, before time.Time, _ int) (int, error) {
	p.before = append(p.before, before)
	return 0, nil
}

// jobRig is every job over the real stores of a database of its own.
type jobRig struct {
	pool    *pgxpool.Pool
	db      *postgres.DB
	engine  *workflowtest.Engine
	janitor *fakeJanitor
	purger  *fakeRunPurger
	jobs    map[string]Job
}

func newJobRig(t *testing.T, plans maintenance.PlanSource) *jobRig {
	t.Helper()
	pool := pgtest.IsolatedPool(t) // the jobs scan whole tables
	db := postgres.NewDB(pool)
	r := &jobRig{pool: pool, db: db, engine: workflowtest.New([]workflow.Definition{stripeDefinition()}),
		janitor: &fakeJanitor{}, purger: &fakeRunPurger{}, jobs: map[string]Job{}}
	if plans == nil {
		plans = postgres.NewBillingStore(db)
	}
	jobs, err := jobsFromPorts(DefaultConfig(), Ports{
		DB: db, Ledger: postgres.NewLedgerStore(db), Plans: plans, Engine: r.engine, Purger: r.purger,
		Janitor: r.janitor, Redrive: maintenance.WebhookRedrive{Definition: defStripe},
	}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		r.jobs[j.Name] = j
	}
	return r
}

// run runs job for the period its schedule has at now.
func (r *jobRig) run(t *testing.T, job string, now time.Time) string {
	t.Helper()
	j := r.jobs[job]
	detail, err := j.Run(t.Context(), j.Schedule.Current(now))
	if err != nil {
		t.Fatalf("%s: %v (%s)", job, err, detail)
	}
	return detail
}

func (r *jobRig) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := r.pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// provision creates a user's account with a 25-credit signup bonus.
func (r *jobRig) provision(t *testing.T) string {
	t.Helper()
	id := newUUID()
	m, err := postgres.NewAccountStore(r.db).Ensure(t.Context(), account.NewUser{UserID: id, Email: id + "@example.test", SignupBonus: account.SignupBonus})
	if err != nil {
		t.Fatal(err)
	}
	return m.AccountID
}

func (r *jobRig) subscribe(t *testing.T, accountID, plan, status string) {
	t.Helper()
	if _, err := r.pool.Exec(t.Context(), `insert into public.subscriptions (account_id, plan, status, stripe_subscription_id, stripe_updated_at)
		values ($1, $2, $3, $4, now())`, accountID, plan, status, "sub_"+suffix()); err != nil {
		t.Fatal(err)
	}
}

func newUUID() string {
	b := []byte(suffix() + suffix() + suffix() + suffix())
	return string(b[0:8]) + "-" + string(b[8:12]) + "-4" + string(b[13:16]) + "-8" + string(b[17:20]) + "-" + string(b[20:32])
}

func TestFreeGrantJobGrantsFreeAccountsOncePerMonth(t *testing.T) {
	t.Parallel()
	r := newJobRig(t, nil)
	free1, free2 := r.provision(t), r.provision(t)
	canceled := r.provision(t)
	r.subscribe(t, canceled, "pro", "canceled")
	paid := r.provision(t)
	r.subscribe(t, paid, "pro", "active")
	trialing := r.provision(t)
	r.subscribe(t, trialing, "growth", "trialing")
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

	entries := func() int {
		return r.count(t, "select count(*) from public.credit_ledger where reference = 'free-grant:2026-03'")
	}
	balance := func(id string) int {
		return r.count(t, "select balance::int from public.credit_balances where account_id = $1", id)
	}
	detail := r.run(t, JobFreeGrant, march.Add(5*time.Hour))
	if detail != "month=2026-03 credits=10 granted=3 already=0 vanished=0 pages=1" {
		t.Errorf("first run: %s", detail)
	}
	if n := entries(); n != 3 {
		t.Fatalf("%d grant entries, want 3 (two free accounts and a canceled subscription)", n)
	}
	for id, want := range map[string]int{free1: 35, free2: 35, canceled: 35, paid: 25, trialing: 25} {
		if b := balance(id); b != want {
			t.Errorf("balance %d, want %d (%s)", b, want, id)
		}
	}
	var kind string
	if err := r.pool.QueryRow(t.Context(), "select kind from public.credit_ledger where account_id = $1 and reference = 'free-grant:2026-03'", free1).Scan(&kind); err != nil || kind != "subscription_grant" {
		t.Errorf("entry kind %q, %v", kind, err)
	}

	// The same period again (a retry, a second process): nothing changes.
	ledgerRows := r.count(t, "select count(*) from public.credit_ledger")
	detail = r.run(t, JobFreeGrant, march.AddDate(0, 0, 20))
	if detail != "month=2026-03 credits=10 granted=0 already=0 vanished=0 pages=1" {
		t.Errorf("second run: %s", detail)
	}
	if n := r.count(t, "select count(*) from public.credit_ledger"); n != ledgerRows || balance(free1) != 35 {
		t.Errorf("second run changed the ledger: %d rows → %d", ledgerRows, n)
	}
	// April grants again.
	r.run(t, JobFreeGrant, march.AddDate(0, 1, 0))
	if b := balance(free1); b != 45 {
		t.Errorf("balance after April %d, want 45", b)
	}
}

// zeroPlans has a free plan granting nothing.
type zeroPlans struct{}

func (zeroPlans) Plan(context.Context, string) (billing.Plan, bool, error) {
	return billing.Plan{Name: billing.FreePlan, DisplayName: "Free"}, true, nil
}

func TestFreeGrantJobWithAZeroCreditPlanWritesNothing(t *testing.T) {
	t.Parallel()
	r := newJobRig(t, zeroPlans{})
	r.provision(t)
	before := r.count(t, "select count(*) from public.credit_ledger")
	if d := r.run(t, JobFreeGrant, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)); d != "month=2026-03 credits=0 granted=0 already=0 vanished=0 pages=0" {
		t.Errorf("detail %s", d)
	}
	if after := r.count(t, "select count(*) from public.credit_ledger"); after != before {
		t.Errorf("ledger rows %d → %d", before, after)
	}
}

func TestRetentionJobDeletesExpiredRowsOnce(t *testing.T) {
	t.Parallel()
	r := newJobRig(t, nil)
	ctx := t.Context()
	now := time.Now()
	r.provision(t)
	for i, e := range []struct {
		processedDaysAgo int // 0: unprocessed
		receivedDaysAgo  int
	}{{120, 120}, {91, 95}, {89, 120}, {0, 365}} {
		_, err := r.pool.Exec(ctx, `insert into public.webhook_events (stripe_event_id, type, received_at, processed_at, outcome)
			values ($1, 'x', now() - make_interval(days => $2),
			        case when $3 > 0 then now() - make_interval(days => $3) end, case when $3 > 0 then 'ignored' end)`,
			"evt_"+string(rune('a'+i)), e.receivedDaysAgo, e.processedDaysAgo)
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, days := range []int{100, 10} {
		if _, err := r.pool.Exec(ctx, `insert into public.cron_runs (job, period_key, started_at, finished_at, outcome)
			values ('old-job', $1, now() - make_interval(days => $2), now() - make_interval(days => $2), 'succeeded')`,
			string(rune('a'+i)), days); err != nil {
			t.Fatal(err)
		}
	}
	// The caches: an expired LLM answer and a live one; profiles stored 8 and 6 days ago.
	for i, expiresHours := range []int{-1, 1} {
		if _, err := r.pool.Exec(ctx, `insert into public.llm_cache (key, provider, model, response, cost_known, created_at, expires_at)
			values (repeat($1, 64), 'openai', 'gpt-5-mini', '{}', true, now() - interval '2 days',
			        now() + make_interval(hours => $2))`, string(rune('a'+i)), expiresHours); err != nil {
			t.Fatal(err)
		}
	}
	for i, days := range []int{8, 6} {
		if _, err := r.pool.Exec(ctx, `insert into public.profile_cache (username, outcome, provider, result, fetched_at, stored_at)
			values ($1, 'found', 'apify', '{}', now() - make_interval(days => $2), now() - make_interval(days => $2))`,
			"user_"+string(rune('a'+i)), days); err != nil {
			t.Fatal(err)
		}
	}
	seedAnalysisRetention(t, r)
	ledger := r.count(t, "select count(*) from public.credit_ledger")

	if d := r.run(t, JobRetention, now); d != "deleted analyses.completed=1 analyses.failed=2 analysis_events=1 anonymous_results=0 "+
		"cron_runs=1 event_tickets.expired=0 leads.deleted=1 llm_cache.expired=1 profile_cache=1 rate_limits.expired=0 webhook_events.processed=2" {
		t.Errorf("first run: %s", d)
	}
	if d := r.run(t, JobRetention, now); d != "deleted analyses.completed=0 analyses.failed=0 analysis_events=0 anonymous_results=0 "+
		"cron_runs=0 event_tickets.expired=0 leads.deleted=0 llm_cache.expired=0 profile_cache=0 rate_limits.expired=0 webhook_events.processed=0" {
		t.Errorf("second run: %s", d)
	}
	if n := r.count(t, "select count(*) from public.llm_cache where expires_at > now()"); n != 1 {
		t.Errorf("%d live llm_cache rows, want 1", n)
	}
	if n := r.count(t, "select count(*) from public.profile_cache where username = 'user_b'"); n != 1 {
		t.Errorf("the profile stored 6 days ago was deleted")
	}
	if n := r.count(t, "select count(*) from public.webhook_events"); n != 2 {
		t.Errorf("%d events left, want the recent one and the unprocessed one", n)
	}
	if n := r.count(t, "select count(*) from public.webhook_events where processed_at is null"); n != 1 {
		t.Errorf("the unprocessed event was deleted")
	}
	if n := r.count(t, "select count(*) from public.credit_ledger"); n != ledger {
		t.Errorf("ledger rows %d → %d", ledger, n)
	}
	left := r.count(t, `select count(*) from public.analyses where username in ('recent.done', 'recent.failed', 'old.pending')`)
	if left != 3 || r.count(t, `select count(*) from public.leads`) != 1 || r.count(t, `select count(*) from public.analysis_events`) != 1 {
		t.Errorf("retention removed live analysis rows: %d of 3 analyses left", left)
	}
}

// seedAnalysisRetention stores one row on each side of every analysis window: leads deleted 31
// and 29 days ago; analyses completed 91 and 89 days ago; failed and cancelled 31 days ago, failed
// 29 days ago; one pending for 100 days (never purged: the reaper refunds it first); progress
// events 8 days and a minute old.
func seedAnalysisRetention(t *testing.T, r *jobRig) {
	t.Helper()
	ctx := t.Context()
	account := r.provision(t)
	var profile string
	if err := r.pool.QueryRow(ctx, `insert into public.business_profiles (account_id, business_name)
		values ($1, 'Retained') returning id::text`, account).Scan(&profile); err != nil {
		t.Fatal(err)
	}
	for _, days := range []int{31, 29} {
		if _, err := r.pool.Exec(ctx, `insert into public.leads (account_id, business_profile_id, username, deleted_at)
			values ($1, $2, 'lead.' || $3::int::text, now() - make_interval(days => $3::int))`, account, profile, days); err != nil {
			t.Fatal(err)
		}
	}
	var pending string
	for _, a := range []struct {
		user, status, outcome string
		days                  int
	}{{"old.done", "completed", "scored", 91}, {"recent.done", "completed", "scored", 89}, {"old.failed", "failed", "error", 31},
		{"old.cancelled", "cancelled", "cancelled", 31}, {"recent.failed", "failed", "error", 29}, {"old.pending", "pending", "", 100}} {
		var id string
		err := r.pool.QueryRow(ctx, `insert into public.analyses (account_id, business_profile_id, username, type, credits,
			status, outcome, score, created_at, completed_at)
			values ($1, $2, $3, 'light', 1, $4, nullif($5, ''), case when $5 = 'scored' then 50 end,
			        now() - make_interval(days => $6), case when $4 <> 'pending' then now() - make_interval(days => $6) end)
			returning id::text`, account, profile, a.user, a.status, a.outcome, a.days).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		if a.status == "pending" {
			pending = id
		}
	}
	if _, err := r.pool.Exec(ctx, `insert into public.analysis_events (account_id, analysis_id, type, step, step_index, step_total, percent, created_at)
		values ($1, $2, 'progress', 'queued', 0, 4, 0, now() - interval '8 days'), ($1, $2, 'progress', 'queued', 0, 4, 0, now() - interval '1 minute')`,
		account, pending); err != nil {
		t.Fatal(err)
	}
}

func TestReaperJobRestartsOnlyStaleUnprocessedEvents(t *testing.T) {
	t.Parallel()
	r := newJobRig(t, nil)
	ctx := t.Context()
	store := func(id string, receivedAgo time.Duration, processed bool) {
		t.Helper()
		_, err := r.pool.Exec(ctx, `insert into public.webhook_events (stripe_event_id, type, payload, received_at, processed_at, outcome)
			values ($1, 'invoice.paid', '{}', now() - make_interval(secs => $2),
			        case when $3 then now() end, case when $3 then 'granted' end)`, id, receivedAgo.Seconds(), processed)
		if err != nil {
			t.Fatal(err)
		}
	}
	store("evt_lost", 3*time.Hour, false)      // stored, its run lost: re-started
	store("evt_queued", 2*time.Hour, false)    // its run is still waiting: left alone
	store("evt_poison", 2*time.Hour, false)    // its run failed: stuck, for an operator
	store("evt_recent", 10*time.Minute, false) // not stale yet
	store("evt_done", 5*time.Hour, true)       // processed
	for _, id := range []string{"evt_poison", "evt_done"} {
		if _, err := r.engine.Start(ctx, defStripe, id, maintenance.StripeWorkflowID(id)); err != nil {
			t.Fatal(err)
		}
	}
	r.engine.Drain(ctx) // evt_poison's run fails, evt_done's succeeds
	if _, err := r.engine.Start(ctx, defStripe, "evt_queued", "stripe:evt_queued"); err != nil {
		t.Fatal(err) // stays enqueued: nothing drains it
	}
	runs := func() int {
		all, err := r.engine.List(ctx, workflow.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}

	before := runs()
	d := r.run(t, JobReaper, time.Now())
	if d != "webhooks: found=3 restarted=1 in_flight=1 stuck=1 stuck_ids=evt_poison; analyses: found=0 restarted=0 in_flight=0 stuck=0" {
		t.Errorf("first run: %s", d)
	}
	st, err := r.engine.Status(ctx, "stripe:evt_lost")
	if err != nil || st.Definition != defStripe {
		t.Fatalf("evt_lost's run = %+v, %v", st, err)
	}
	if _, err := r.engine.Status(ctx, "stripe:evt_recent"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("a recent event was re-started: %v", err)
	}
	if runs() != before+1 {
		t.Errorf("runs %d → %d, want one more", before, runs())
	}
	// Again: evt_lost's run now exists; nothing starts.
	if d := r.run(t, JobReaper, time.Now()); d != "webhooks: found=3 restarted=0 in_flight=2 stuck=1 stuck_ids=evt_poison; analyses: found=0 restarted=0 in_flight=0 stuck=0" {
		t.Errorf("second run: %s", d)
	}
	if runs() != before+1 {
		t.Errorf("the second run started runs: %d → %d", before+1, runs())
	}
}

func TestJanitorAndWorkflowRetentionJobs(t *testing.T) {
	t.Parallel()
	r := newJobRig(t, nil)
	now := time.Date(2026, 3, 10, 2, 45, 0, 0, time.UTC)
	if d := r.run(t, JobJanitor, now); d != "scanned=3 dead_executors=0 resumed=1 gave_up=0 pruned=0" || r.janitor.passes != 1 {
		t.Errorf("janitor: %s, %d passes", d, r.janitor.passes)
	}
	r.run(t, JobWorkflowRetention, now)
	if len(r.purger.before) != 1 || time.Since(r.purger.before[0].AddDate(0, 0, 30)).Abs() > time.Minute {
		t.Errorf("workflow retention cutoffs %v, want one 30 days ago", r.purger.before)
	}
	want := map[string]string{
		JobJanitor: "every 30s", JobReaper: "every 10m0s", JobFreeGrant: "monthly on day 1 at 00:00 UTC",
		JobRetention: "daily at 02:00 UTC", JobWorkflowRetention: "daily at 02:30 UTC",
		JobIdempotencyPrune: "every 1h0m0s", JobAnalyticsPartitions: "daily at 02:15 UTC",
	}
	if len(r.jobs) != len(want) {
		t.Errorf("%d jobs, want %d", len(r.jobs), len(want))
	}
	for name, s := range want {
		if got := r.jobs[name].Schedule.String(); got != s {
			t.Errorf("%s: %s, want %s", name, got, s)
		}
	}
}

// TestIdempotencyPruneJob: the hourly job deletes the keys that expired and keeps the others.
func TestIdempotencyPruneJob(t *testing.T) {
	t.Parallel()
	r := newJobRig(t, nil)
	store := postgres.NewIdempotencyStore(r.db)
	begin := func(at time.Time, key string) {
		svc := idempotency.NewService(store, func() time.Time { return at })
		if _, err := svc.Begin(t.Context(), idempotency.Key{Scope: "user:x", Route: "POST /x", Key: key}, "fp"); err != nil {
			t.Fatal(err)
		}
	}
	begin(time.Now().Add(-idempotency.TTL-time.Minute), "expired")
	begin(time.Now().Add(-idempotency.TTL+time.Hour), "fresh")
	if d := r.run(t, JobIdempotencyPrune, time.Now()); d != "deleted 1" {
		t.Errorf("detail %q, want deleted 1", d)
	}
	if n := r.count(t, `select count(*) from public.idempotency_keys where key = 'fresh'`); n != 1 {
		t.Errorf("the fresh key was deleted")
	}
	if d := r.run(t, JobIdempotencyPrune, time.Now()); d != "deleted 0" {
		t.Errorf("second run: %q", d)
	}
}

// TestAnalyticsPartitionsJob: the daily job creates the current UTC month's partition and the
// next two, and drops the months past the default retention of 13 (the month that ended 13
// months ago goes, the one after it stays).
func TestAnalyticsPartitionsJob(t *testing.T) {
	t.Parallel()
	r := newJobRig(t, nil)
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	name := func(m time.Time) string { return fmt.Sprintf("analytics_events_y%04dm%02d", m.Year(), int(m.Month())) }
	exists := func(m time.Time) bool {
		return r.count(t, `select count(*) from pg_class where relname = $1`, name(m)) == 1
	}
	store := postgres.NewAnalyticsPartitionStore(r.db)
	if _, err := store.EnsureAnalyticsPartitions(t.Context(), month.AddDate(0, -14, 0), 2); err != nil {
		t.Fatal(err)
	}
	detail := r.run(t, JobAnalyticsPartitions, now)
	for i := range 3 {
		if m := month.AddDate(0, i, 0); !exists(m) {
			t.Errorf("%s missing after the job (%s)", name(m), detail)
		}
	}
	if exists(month.AddDate(0, -14, 0)) || !exists(month.AddDate(0, -13, 0)) {
		t.Errorf("retention 13: %s must be dropped and %s kept (%s)", name(month.AddDate(0, -14, 0)), name(month.AddDate(0, -13, 0)), detail)
	}
	if !strings.Contains(detail, "dropped 1 ["+name(month.AddDate(0, -14, 0))+"]") {
		t.Errorf("detail %q", detail)
	}
}
