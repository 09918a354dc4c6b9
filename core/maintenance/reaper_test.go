package maintenance_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// fakeSweeper reports a fixed report and error, and may cancel the run's context while sweeping.
type fakeSweeper struct {
	name   string
	rep    maintenance.SweepReport
	err    error
	cancel context.CancelFunc
	swept  int
}

func (f *fakeSweeper) Name() string { return f.name }

func (f *fakeSweeper) Sweep(context.Context, time.Time) (maintenance.SweepReport, error) {
	f.swept++
	if f.cancel != nil {
		f.cancel()
	}
	return f.rep, f.err
}

// TestReaperRunsEverySweeperUntilCancelled: a failing sweeper does not stop the next one (the
// errors are joined and each report kept, in order); a cancelled context stops after the sweeper
// that was running.
func TestReaperRunsEverySweeperUntilCancelled(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	first := &fakeSweeper{name: "webhooks", rep: maintenance.SweepReport{Found: 1, Stuck: 1}, err: boom}
	second := &fakeSweeper{name: "analyses", rep: maintenance.SweepReport{Found: 2, Stuck: 2}}
	rep, err := maintenance.NewReaper(first, second).Run(t.Context(), at("2026-03-01T12:00:00Z"))
	if !errors.Is(err, boom) || second.swept != 1 || rep.Stuck() != 3 ||
		rep.String() != "webhooks: found=1 restarted=0 in_flight=0 stuck=1; analyses: found=2 restarted=0 in_flight=0 stuck=2" {
		t.Fatalf("Run = %s, %v (second swept %d times)", rep, err, second.swept)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	first = &fakeSweeper{name: "webhooks", cancel: cancel}
	second = &fakeSweeper{name: "analyses"}
	rep, err = maintenance.NewReaper(first, second).Run(ctx, at("2026-03-01T12:00:00Z"))
	if err != nil || first.swept != 1 || second.swept != 0 || len(rep.Reports) != 1 {
		t.Fatalf("cancelled Run = %s, %v (swept %d, %d), want only the first sweeper", rep, err, first.swept, second.swept)
	}
}

// TestWebhookSweeperNamesTheFirstStuckEventsAndWarns: a sweep counts every stuck event but names
// only the first ten (the log line stays short), and warns an operator when events are stuck or
// re-started — and not otherwise.
func TestWebhookSweeperNamesTheFirstStuckEventsAndWarns(t *testing.T) {
	t.Parallel()
	now := at("2026-03-01T12:00:00Z")
	src := &fakeEvents{}
	var want []string
	for i := range 12 {
		id := fmt.Sprintf("evt_%02d", i)
		src.events = append(src.events, maintenance.StaleWebhook{ID: id, ReceivedAt: now.Add(-2*time.Hour + time.Duration(i)*time.Second)})
		if i < 10 {
			want = append(want, id)
		}
	}
	engine := workflowtest.New([]workflow.Definition{stripeDefinition()})
	var logs bytes.Buffer
	garbled := maintenance.WebhookRedrive{Definition: defStripe, Input: func(maintenance.StaleWebhook) (any, error) {
		return nil, errors.New("payload does not parse")
	}}
	s, err := maintenance.NewWebhookSweeper(src, engine, garbled, maintenance.WebhookSweeperConfig{}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Sweep(t.Context(), now)
	if err != nil || rep.Stuck != 12 || strings.Join(rep.StuckIDs, ",") != strings.Join(want, ",") {
		t.Fatalf("sweep = %s, %v; want 12 stuck naming %v", rep, err, want)
	}
	if got := logs.String(); strings.Count(got, "stuck unprocessed") != 1 || !strings.Contains(got, "count=12") || strings.Contains(got, "re-started") {
		t.Errorf("log = %q, want one summary warning about 12 stuck events (and each event's own)", got)
	}

	for name, tc := range map[string]struct {
		events []maintenance.StaleWebhook
		warn   string
	}{
		"nothing stale": {nil, ""},
		"one lost run":  {[]maintenance.StaleWebhook{{ID: "evt_lost", ReceivedAt: now.Add(-2 * time.Hour)}}, "re-started the processing of lost webhook events"},
	} {
		logs.Reset()
		s, _ := maintenance.NewWebhookSweeper(&fakeEvents{events: tc.events}, workflowtest.New([]workflow.Definition{stripeDefinition()}),
			maintenance.WebhookRedrive{Definition: defStripe}, maintenance.WebhookSweeperConfig{}, slog.New(slog.NewTextHandler(&logs, nil)))
		if _, err := s.Sweep(t.Context(), now); err != nil {
			t.Fatal(err)
		}
		got := logs.String()
		if tc.warn == "" && got != "" || tc.warn != "" && (strings.Count(got, "level=WARN") != 1 || !strings.Contains(got, tc.warn)) {
			t.Errorf("%s: log = %q, want %q", name, got, tc.warn)
		}
	}
}
