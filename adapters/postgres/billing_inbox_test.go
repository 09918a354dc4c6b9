package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
)

// markStart is a start function that writes a marker row through the transaction it finds in
// its context, the way the DBOS adapter enqueues a run: the marker commits or rolls back with
// the event row.
func markStart(t *testing.T, table string, fail error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		tx, ok := workflow.TxFrom(ctx).(pgx.Tx)
		if !ok {
			t.Errorf("start got %T, want a pgx.Tx", workflow.TxFrom(ctx))
			return errors.New("no transaction")
		}
		if _, err := tx.Exec(ctx, `insert into `+table+` default values`); err != nil {
			return err
		}
		return fail
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

	inserted, err := store.Accept(t.Context(), ev, markStart(t, marks, nil))
	if err != nil || !inserted || events() != 1 || countRows(t, db, `select count(*) from `+marks) != 1 {
		t.Fatalf("first delivery: inserted %v, %v", inserted, err)
	}
	// A redelivery keeps the row and starts again (the engine's start is idempotent by id).
	inserted, err = store.Accept(t.Context(), ev, markStart(t, marks, nil))
	if err != nil || inserted || events() != 1 || countRows(t, db, `select count(*) from `+marks) != 2 {
		t.Fatalf("redelivery: inserted %v, %v", inserted, err)
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
			ok, err := store.Accept(context.Background(), ev, func(context.Context) error {
				mu.Lock()
				starts++
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
			if ok {
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
		func(context.Context) error { started = true; return nil })
	if apperr.KindOf(err) != apperr.Invalid || started {
		t.Fatalf("err = %v, started %v", err, started)
	}
}
