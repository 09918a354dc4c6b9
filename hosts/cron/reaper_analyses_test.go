package cron

import (
	"testing"
	"time"

	"github.com/oslira/oslira/core/analyze"
)

// TestReaperJobExpiresStaleAnalyses: the reaper job over the real analysis store. An analysis
// pending for more than a day is expired and refunded; a running one whose run the engine has
// never heard of (nor will: the run is gone) is failed and refunded once it is 15 minutes old;
// fresh ones are left alone. A second pass changes nothing and refunds nothing again.
func TestReaperJobExpiresStaleAnalyses(t *testing.T) {
	t.Parallel()
	r := newJobRig(t, nil)
	ctx := t.Context()
	account := r.provision(t) // 25 credits
	var profile string
	if err := r.pool.QueryRow(ctx, `insert into public.business_profiles (account_id, business_name)
		values ($1, 'Reaped') returning id::text`, account).Scan(&profile); err != nil {
		t.Fatal(err)
	}
	// insert creates a debited analysis of status st, created age ago.
	insert := func(user, st string, age time.Duration) string {
		t.Helper()
		var id string
		err := r.pool.QueryRow(ctx, `insert into public.analyses (account_id, business_profile_id, username, type, credits, status, created_at)
			values ($1, $2, $3, 'deep', 2, $4, now() - make_interval(secs => $5)) returning id::text`,
			account, profile, user, st, age.Seconds()).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.pool.Exec(ctx, `select app.apply_credit($1, 'analysis_debit', 2, $2, 'deep analysis', null)`,
			account, analyze.RunID(id)); err != nil {
			t.Fatal(err)
		}
		return id
	}
	stalePending := insert("old.pending", "pending", 25*time.Hour)
	insert("new.pending", "pending", time.Hour)
	orphan := insert("old.running", "running", time.Hour)
	insert("new.running", "running", time.Minute)
	balance := func() int {
		return r.count(t, `select balance::int from public.credit_balances where account_id = $1`, account)
	}
	if b := balance(); b != 25-8 {
		t.Fatalf("balance %d after four debits of 2, want 17", b)
	}

	if d := r.run(t, JobReaper, time.Now()); d != "webhooks: found=0 restarted=0 in_flight=0 stuck=0; analyses: found=2 restarted=2 in_flight=0 stuck=0" {
		t.Errorf("first run: %s", d)
	}
	if b := balance(); b != 21 {
		t.Errorf("balance %d, want 21 (two refunds of 2)", b)
	}
	for id, want := range map[string]string{stalePending: "failed/expired/analysis.expired", orphan: "failed/error/internal"} {
		var got string
		if err := r.pool.QueryRow(ctx, `select status || '/' || outcome || '/' || error_code from public.analyses
			where id = $1 and refunded`, id).Scan(&got); err != nil || got != want {
			t.Errorf("analysis %s = %q, %v; want %q and refunded", id, got, err, want)
		}
	}
	if d := r.run(t, JobReaper, time.Now()); d != "webhooks: found=0 restarted=0 in_flight=0 stuck=0; analyses: found=0 restarted=0 in_flight=0 stuck=0" {
		t.Errorf("second run: %s", d)
	}
	if n := r.count(t, `select count(*) from public.credit_ledger where account_id = $1 and kind = 'analysis_refund'`, account); n != 2 || balance() != 21 {
		t.Errorf("%d refunds, balance %d after the second run; want 2 and 21", n, balance())
	}
}
