package billing_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// memInbox is an in-memory billing.EventInbox whose transaction is a workflowtest transaction:
// a row, its attempt count and the starts made with its context commit or roll back together.
// One mutex held for the whole call stands for the row lock.
type memInbox struct {
	engine *workflowtest.Engine

	mu        sync.Mutex
	rows      map[string]*memRow
	failAfter error // returned after start ran, as a failed commit would be
}

type memRow struct {
	ev        billing.ReceivedEvent
	attempts  int
	processed bool
	received  time.Time
}

func newMemInbox(e *workflowtest.Engine) *memInbox {
	return &memInbox{engine: e, rows: map[string]*memRow{}}
}

func (m *memInbox) Accept(ctx context.Context, e billing.ReceivedEvent, start billing.AttemptStart) (billing.InboxEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	row, exists := m.rows[e.ID]
	if !exists {
		// Receipt order, one second apart, so listings are deterministic.
		row = &memRow{ev: e, attempts: 1, received: time.Unix(int64(len(m.rows)), 0)}
	}
	entry, err := m.startLocked(ctx, row, !exists, start)
	if err != nil {
		return billing.InboxEntry{}, err
	}
	entry.Payload = nil
	m.rows[e.ID] = row
	return entry, nil
}

func (m *memInbox) Redrive(ctx context.Context, eventID string, start billing.AttemptStart) (billing.InboxEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	row, ok := m.rows[eventID]
	if !ok {
		return billing.InboxEntry{}, billing.ErrWebhookNotFound
	}
	return m.startLocked(ctx, row, false, start)
}

func (m *memInbox) startLocked(ctx context.Context, row *memRow, inserted bool, start billing.AttemptStart) (billing.InboxEntry, error) {
	entry := billing.InboxEntry{EventID: row.ev.ID, Type: row.ev.Type, Inserted: inserted, Attempt: row.attempts,
		Processed: row.processed, Payload: row.ev.Payload}
	var n int
	err := m.engine.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = start(ctx, entry); err != nil {
			return err
		}
		if n != entry.Attempt && n != entry.Attempt+1 {
			return errors.New("attempt out of order")
		}
		return m.failAfter
	})
	if err != nil {
		return billing.InboxEntry{}, err
	}
	row.attempts, entry.Attempt = n, n
	return entry, nil
}

func (m *memInbox) InboxEvents(_ context.Context, q billing.InboxQuery) ([]billing.InboxEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []billing.InboxEvent
	for _, r := range m.rows {
		if q.Unprocessed && r.processed {
			continue
		}
		if !q.BeforeReceived.IsZero() && (r.received.After(q.BeforeReceived) ||
			r.received.Equal(q.BeforeReceived) && r.ev.ID >= q.BeforeID) {
			continue // on a previous page
		}
		rec := billing.EventRecord{ID: r.ev.ID, Type: r.ev.Type, ReceivedAt: r.received}
		if r.processed {
			rec.ProcessedAt, rec.Result = r.received, billing.ResultGranted
		}
		out = append(out, billing.InboxEvent{EventRecord: rec, Attempts: r.attempts})
	}
	slices.SortFunc(out, func(a, b billing.InboxEvent) int { return b.ReceivedAt.Compare(a.ReceivedAt) })
	return out[:min(len(out), q.Limit)], nil
}

// markProcessed records an outcome for the event, as the processor's FinishEvent does.
func (m *memInbox) markProcessed(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[id].processed = true
}

func (m *memInbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}

func (m *memInbox) attempts(id string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.rows[id]; ok {
		return r.attempts
	}
	return 0
}

var packEvent = billing.Event{ID: "evt_pack_1", Type: billing.TypeCheckoutCompleted, AccountID: accountID,
	ObjectID: "cs_1", Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 100}

const packRaw = `{"id":"evt_pack_1","object":"event","type":"checkout.session.completed"}`

// intake is an Inbox over memInbox and the in-memory engine running stripe.event.v1 with a
// processor over mocks.
type intake struct {
	proc   *procBundle
	engine *workflowtest.Engine
	events *memInbox
	inbox  *billing.Inbox
}

func newIntake(t *testing.T) *intake {
	t.Helper()
	p := newProc(t)
	e := workflowtest.New([]workflow.Definition{billing.EventDefinition(p.proc)})
	events := newMemInbox(e)
	return &intake{proc: p, engine: e, events: events, inbox: billing.NewInbox(events, e)}
}

func TestEventDefinitionIsValid(t *testing.T) {
	t.Parallel()
	d := billing.EventDefinition(billing.NewProcessor(nil))
	if err := d.Validate(); err != nil || d.Name != "stripe.event.v1" || d.Queue != billing.EventQueue {
		t.Fatalf("definition %q on %q: %v", d.Name, d.Queue, err)
	}
	if got := billing.EventWorkflowID("evt_1"); got != "stripe:evt_1" {
		t.Errorf("EventWorkflowID = %q", got)
	}
	for n, want := range map[int]string{0: "stripe:evt_1", 1: "stripe:evt_1", 2: "stripe:evt_1:2", 12: "stripe:evt_1:12"} {
		if got := billing.EventAttemptWorkflowID("evt_1", n); got != want {
			t.Errorf("EventAttemptWorkflowID(evt_1, %d) = %q, want %q", n, got, want)
		}
	}
}

func TestReceiveStoresStartsAndProcessesOnce(t *testing.T) {
	t.Parallel()
	in := newIntake(t)
	ctx := context.Background()
	for i := range 5 {
		r, err := in.inbox.Receive(ctx, packEvent, []byte(packRaw))
		if err != nil || r.EventID != packEvent.ID || r.WorkflowID != "stripe:evt_pack_1" || r.Duplicate != (i > 0) {
			t.Fatalf("delivery %d: Receive = %+v, %v", i, r, err)
		}
	}
	if in.events.count() != 1 {
		t.Fatalf("%d stored events, want 1", in.events.count())
	}
	// The processor sees the event exactly as it was received (decoded from the run's input).
	recorded := in.proc.fresh(packEvent)
	in.proc.granted(credit.EntryRequest{AccountID: accountID, Kind: credit.Purchase, Amount: credit.MustAmount(100), Reference: packEvent.ID}, 100)
	if n := in.engine.Drain(ctx); n != 1 {
		t.Fatalf("Drain ran %d runs, want 1", n)
	}
	st, err := in.engine.Status(ctx, "stripe:evt_pack_1")
	if err != nil || st.State != workflow.StateSucceeded || st.Definition != billing.EventWorkflow {
		t.Fatalf("status = %+v, %v", st, err)
	}
	var out billing.Outcome
	if err := json.Unmarshal(st.Output, &out); err != nil || out != *recorded || out.Result != billing.ResultGranted || out.Credits != 100 {
		t.Fatalf("output %s (%v), recorded %+v", st.Output, err, *recorded)
	}
	if in.engine.Calls("stripe:evt_pack_1", "process") != 1 {
		t.Errorf("process ran %d times", in.engine.Calls("stripe:evt_pack_1", "process"))
	}
	// A delivery after processing starts nothing new.
	if r, err := in.inbox.Receive(ctx, packEvent, []byte(packRaw)); err != nil || !r.Duplicate {
		t.Fatalf("late delivery: %+v, %v", r, err)
	}
	if n := in.engine.Drain(ctx); n != 0 {
		t.Errorf("a late delivery ran %d runs", n)
	}
}

func TestReceiveStoresNothingWhenTheStartFails(t *testing.T) {
	t.Parallel()
	events := newMemInbox(workflowtest.New(nil)) // an engine that knows no definition
	inbox := billing.NewInbox(events, events.engine)
	_, err := inbox.Receive(context.Background(), packEvent, []byte(packRaw))
	if !errors.Is(err, workflow.ErrUnknownDefinition) || events.count() != 0 {
		t.Fatalf("err = %v, %d stored", err, events.count())
	}
}

func TestReceiveStartsNothingWhenTheCommitFails(t *testing.T) {
	t.Parallel()
	in := newIntake(t)
	in.events.failAfter = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "connection lost")
	_, err := in.inbox.Receive(context.Background(), packEvent, []byte(packRaw))
	if apperr.KindOf(err) != apperr.Unavailable || in.events.count() != 0 {
		t.Fatalf("err = %v, %d stored", err, in.events.count())
	}
	if runs, _ := in.engine.List(context.Background(), workflow.Filter{}); len(runs) != 0 {
		t.Fatalf("runs = %+v", runs)
	}
}

func TestReceiveRefusesIncompleteEvents(t *testing.T) {
	t.Parallel()
	in := newIntake(t)
	ctx := context.Background()
	if _, err := in.inbox.Receive(ctx, billing.Event{Type: "x"}, []byte(packRaw)); !errors.Is(err, billing.ErrInvalidEvent) {
		t.Errorf("no id: %v", err)
	}
	if _, err := in.inbox.Receive(ctx, billing.Event{ID: "evt_x"}, []byte(packRaw)); !errors.Is(err, billing.ErrInvalidEvent) {
		t.Errorf("no type: %v", err)
	}
	if _, err := in.inbox.Receive(ctx, packEvent, nil); !errors.Is(err, billing.ErrWebhookPayload) {
		t.Errorf("no body: %v", err)
	}
	if in.events.count() != 0 {
		t.Errorf("%d stored", in.events.count())
	}
}

func TestEventWorkflowRetryClasses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("a business error fails the run at once", func(t *testing.T) {
		t.Parallel()
		in := newIntake(t)
		ev := billing.Event{ID: "evt_gone", Type: billing.TypeCheckoutCompleted, AccountID: accountID,
			Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 10}
		in.proc.store.EXPECT().EventRecord(gomock.Any(), ev.ID).Return(billing.EventRecord{}, false, nil)
		in.proc.store.EXPECT().ChangeCredits(gomock.Any(), accountID, gomock.Any(), gomock.Any()).Return(billing.CreditResult{}, apperr.New(apperr.NotFound, apperr.CodeNotFound, "no such account"))
		in.proc.store.EXPECT().FailEvent(gomock.Any(), ev, gomock.Any()).Return(nil)
		if _, err := in.inbox.Receive(ctx, ev, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		in.engine.Drain(ctx)
		st, _ := in.engine.Status(ctx, "stripe:evt_gone")
		if st.State != workflow.StateFailed || st.ErrorCode != apperr.CodeNotFound || in.engine.Calls(st.ID, "process") != 1 {
			t.Fatalf("status %+v, %d calls", st, in.engine.Calls(st.ID, "process"))
		}
	})
	t.Run("an outage is retried with the Critical policy", func(t *testing.T) {
		t.Parallel()
		in := newIntake(t)
		ev := billing.Event{ID: "evt_down", Type: billing.TypeChargeRefunded}
		down := apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down")
		in.proc.store.EXPECT().EventRecord(gomock.Any(), ev.ID).Return(billing.EventRecord{}, false, down).Times(workflow.Critical.MaxAttempts)
		if _, err := in.inbox.Receive(ctx, ev, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		in.engine.Drain(ctx)
		st, _ := in.engine.Status(ctx, "stripe:evt_down")
		if st.State != workflow.StateFailed || in.engine.Calls(st.ID, "process") != workflow.Critical.MaxAttempts ||
			len(in.engine.Sleeps()) != workflow.Critical.MaxAttempts-1 {
			t.Fatalf("status %+v, %d calls, sleeps %v", st, in.engine.Calls(st.ID, "process"), in.engine.Sleeps())
		}
	})
}
