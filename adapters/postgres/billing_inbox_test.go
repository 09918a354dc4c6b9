package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
)

// markStart is a start function that writes a marker row through the transaction it finds in
// its context, the way the DBOS adapter enqueues a run: the marker commits or rolls back with
// the event row. It keeps the entry's attempt.
func markStart(t *testing.T, table string, fail error) billing.AttemptStart {
	return func(ctx context.Context, e billing.InboxEntry) (int, error) {
		tx, ok := workflow.TxFrom(ctx).(pgx.Tx)
		if !ok {
			t.Errorf("start got %T, want a pgx.Tx", workflow.TxFrom(ctx))
			return 0, errors.New("no transaction")
		}
		if _, err := tx.Exec(ctx, `insert into `+table+` default values`); err != nil {
			return 0, err
		}
		return e.Attempt, fail
	}
}

func markerTable(t *testing.T, db *postgres.DB) string {
	t.Helper()
	name := "inbox_marks_" + rand.Text()[:8]
	if _, err := db.Pool().Exec(t.Context(), `create table `+name+` (id bigserial primary key)`); err != nil {
		t.Fatal(err)
	}
	return name
}

func countRows(t *testing.T, db *postgres.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAcceptStoresAndStartsInOneTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	store := postgres.NewBillingStore(db)
	marks := markerTable(t, db)
	ev := billing.ReceivedEvent{ID: "evt_inbox_" + rand.Text()[:10], Type: billing.TypeInvoicePaid, Payload: []byte(`{"id":"x"}`)}
	events := func() int {
		return countRows(t, db, `select count(*) from public.webhook_events where stripe_event_id = $1`, ev.ID)
	}

	// A failing start leaves neither the event nor what the start wrote.
	boom := apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "engine down")
	if _, err := store.Accept(t.Context(), ev, markStart(t, marks, boom)); !errors.Is(err, boom) {
		t.Fatalf("failing start: %v", err)
	}
	if events() != 0 || countRows(t, db, `select count(*) from `+marks) != 0 {
		t.Fatal("a failed start left rows behind")
	}

	entry, err := store.Accept(t.Context(), ev, markStart(t, marks, nil))
	if err != nil || !entry.Inserted || entry.Attempt != 1 || entry.Processed || entry.EventID != ev.ID || entry.Type != ev.Type ||
		events() != 1 || countRows(t, db, `select count(*) from `+marks) != 1 {
		t.Fatalf("first delivery: %+v, %v", entry, err)
	}
	// A redelivery keeps the row and calls start again, which decides what to start.
	entry, err = store.Accept(t.Context(), ev, markStart(t, marks, nil))
	if err != nil || entry.Inserted || entry.Attempt != 1 || events() != 1 || countRows(t, db, `select count(*) from `+marks) != 2 {
		t.Fatalf("redelivery: %+v, %v", entry, err)
	}
	rec, found, err := store.EventRecord(t.Context(), ev.ID)
	if err != nil || !found || rec.Type != billing.TypeInvoicePaid || rec.Processed() {
		t.Fatalf("record = %+v, %v, %v", rec, found, err)
	}
}

func TestAcceptConcurrentDeliveriesStoreOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	store := postgres.NewBillingStore(db)
	ev := billing.ReceivedEvent{ID: "evt_inbox_" + rand.Text()[:10], Type: billing.TypeInvoicePaid, Payload: []byte(`{}`)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	inserted, starts := 0, 0
	for range 5 {
		wg.Go(func() {
			entry, err := store.Accept(context.Background(), ev, func(_ context.Context, e billing.InboxEntry) (int, error) {
				mu.Lock()
				starts++
				mu.Unlock()
				return e.Attempt, nil
			})
			if err != nil {
				t.Error(err)
			}
			if entry.Inserted {
				mu.Lock()
				inserted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if inserted != 1 || starts != 5 {
		t.Fatalf("inserted %d times, started %d times; want 1 and 5", inserted, starts)
	}
}

func TestAcceptRefusesAPayloadThatIsNotJSON(t *testing.T) {
	t.Parallel()
	store := postgres.NewBillingStore(pgtest.DB(t))
	started := false
	_, err := store.Accept(t.Context(), billing.ReceivedEvent{ID: "evt_bad_" + rand.Text()[:8], Type: "x", Payload: []byte("nope")},
		func(_ context.Context, e billing.InboxEntry) (int, error) { started = true; return e.Attempt, nil })
	if apperr.KindOf(err) != apperr.Invalid || started {
		t.Fatalf("err = %v, started %v", err, started)
	}
}

// attempts reads the stored attempt count of an event.
func attempts(t *testing.T, db *postgres.DB, eventID string) int {
	t.Helper()
	return countRows(t, db, `select attempts from public.webhook_events where stripe_event_id = $1`, eventID)
}

// TestAcceptCountsOneNewAttemptUnderConcurrency: ten concurrent redeliveries whose start begins
// a new attempt when it sees attempt 1 (as Inbox does when attempt 1's run failed): the row lock
// makes exactly one of them see attempt 1; the others see attempt 2, committed.
func TestAcceptCountsOneNewAttemptUnderConcurrency(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	store := postgres.NewBillingStore(db)
	ev := billing.ReceivedEvent{ID: "evt_inbox_" + rand.Text()[:10], Type: billing.TypeCheckoutCompleted, Payload: []byte(`{"id":"x"}`)}
	if _, err := store.Accept(t.Context(), ev, markStart(t, markerTable(t, db), nil)); err != nil {
		t.Fatal(err)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen []int
	)
	for range 10 {
		wg.Go(func() {
			entry, err := store.Accept(context.Background(), ev, func(_ context.Context, e billing.InboxEntry) (int, error) {
				mu.Lock()
				seen = append(seen, e.Attempt)
				mu.Unlock()
				if e.Attempt == 1 {
					time.Sleep(200 * time.Millisecond) // widen the window a lost lock would open
					return 2, nil
				}
				return e.Attempt, nil
			})
			if err != nil || entry.Inserted || entry.Attempt != 2 {
				t.Errorf("redelivery: %+v, %v", entry, err)
			}
		})
	}
	wg.Wait()
	ones := 0
	for _, n := range seen {
		if n == 1 {
			ones++
		}
	}
	if ones != 1 || len(seen) != 10 || attempts(t, db, ev.ID) != 2 {
		t.Fatalf("starts saw attempts %v (want one 1 and nine 2s); stored %d", seen, attempts(t, db, ev.ID))
	}
}

// TestRedriveLocksAStoredEvent: Redrive hands start the stored payload and stores the attempt it
// chose; an attempt out of sequence, or a failing start, changes nothing; an unknown event is
// billing.webhook-not-found.
func TestRedriveLocksAStoredEvent(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	store := postgres.NewBillingStore(db)
	ev := billing.ReceivedEvent{ID: "evt_inbox_" + rand.Text()[:10], Type: billing.TypeInvoicePaid, Payload: []byte(`{"id": "evt_x", "n": 1}`)}
	if _, err := store.Redrive(t.Context(), ev.ID, nil); !errors.Is(err, billing.ErrWebhookNotFound) || apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("unknown event: %v", err)
	}
	marks := markerTable(t, db)
	if _, err := store.Accept(t.Context(), ev, markStart(t, marks, nil)); err != nil {
		t.Fatal(err)
	}
	bump := func(to int, fail error) billing.AttemptStart {
		return func(ctx context.Context, e billing.InboxEntry) (int, error) {
			if _, err := markStart(t, marks, nil)(ctx, e); err != nil {
				return 0, err
			}
			return to, fail
		}
	}
	if _, err := store.Redrive(t.Context(), ev.ID, bump(3, nil)); apperr.KindOf(err) != apperr.Internal {
		t.Fatalf("attempt 1 → 3: %v", err)
	}
	boom := apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "engine down")
	if _, err := store.Redrive(t.Context(), ev.ID, bump(2, boom)); !errors.Is(err, boom) {
		t.Fatalf("failing start: %v", err)
	}
	if attempts(t, db, ev.ID) != 1 || countRows(t, db, `select count(*) from `+marks) != 1 {
		t.Fatal("a refused redrive left a change behind")
	}
	var got billing.InboxEntry
	entry, err := store.Redrive(t.Context(), ev.ID, func(ctx context.Context, e billing.InboxEntry) (int, error) {
		got = e
		return bump(2, nil)(ctx, e)
	})
	if err != nil || entry.Attempt != 2 || entry.Inserted || attempts(t, db, ev.ID) != 2 ||
		countRows(t, db, `select count(*) from `+marks) != 2 {
		t.Fatalf("redrive: %+v, %v", entry, err)
	}
	var payload, stored map[string]any
	if json.Unmarshal(got.Payload, &payload) != nil || json.Unmarshal(ev.Payload, &stored) != nil || !maps.Equal(payload, stored) ||
		got.Attempt != 1 || got.Type != ev.Type || got.Processed {
		t.Fatalf("start got %+v (payload %s)", got, got.Payload)
	}
}

// TestInboxEventsPagesNewestFirst: the operators' listing, with the unprocessed filter and the
// cursor.
func TestInboxEventsPagesNewestFirst(t *testing.T) {
	t.Parallel()
	db := postgres.NewDB(pgtest.IsolatedPool(t))
	store := postgres.NewBillingStore(db)
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 5 {
		id := fmt.Sprintf("evt_list_%d", i)
		ids = append(ids, id)
		if _, err := db.Pool().Exec(t.Context(), `insert into public.webhook_events (stripe_event_id, type, received_at, attempts, last_error)
			values ($1, 'invoice.paid', $2, $3, 'boom')`, id, base.Add(time.Duration(i)*time.Minute), i+1); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.FinishEvent(t.Context(), billing.Event{ID: ids[3], Type: "invoice.paid"}, billing.Outcome{Result: billing.ResultIgnored}); err != nil {
		t.Fatal(err)
	}
	page, err := store.InboxEvents(t.Context(), billing.InboxQuery{Limit: 2})
	if err != nil || len(page) != 2 || page[0].ID != ids[4] || page[1].ID != ids[3] || page[0].Attempts != 5 ||
		!page[1].Processed() || page[0].LastError != "boom" || !page[0].ReceivedAt.Equal(base.Add(4*time.Minute)) {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	next, err := store.InboxEvents(t.Context(), billing.InboxQuery{Limit: 10, Unprocessed: true,
		BeforeReceived: page[1].ReceivedAt, BeforeID: page[1].ID})
	if err != nil || len(next) != 3 || next[0].ID != ids[2] || next[2].ID != ids[0] || next[2].Attempts != 1 {
		t.Fatalf("unprocessed after %s = %+v, %v", page[1].ID, next, err)
	}
}
