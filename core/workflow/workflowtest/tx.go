package workflowtest

import (
	"context"
	"errors"
	"fmt"

	"github.com/oslira/oslira/core/workflow"
)

// Tx is a simulated database transaction: Starts made with a context carrying it are buffered
// until Commit, and dropped by Rollback. Fakes of other stores can open one with Begin inside
// their own InTx, so a core test sees "write + start" commit or roll back together.
type Tx struct {
	e      *Engine
	starts []pendingStart
	done   bool
}

type pendingStart struct {
	id, def string
	input   []byte
}

// ErrTxDone is returned for a Start, Commit or Rollback on a finished transaction.
var ErrTxDone = errors.New("workflowtest: transaction already committed or rolled back")

// Begin opens a transaction and returns a context carrying it (workflow.WithTx).
func (e *Engine) Begin(ctx context.Context) (context.Context, *Tx) {
	tx := &Tx{e: e}
	return workflow.WithTx(ctx, tx), tx
}

// InTx runs fn in a transaction: it commits when fn returns nil and rolls back otherwise.
func (e *Engine) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	txCtx, tx := e.Begin(ctx)
	if err := fn(txCtx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit(ctx)
}

// buffer records a Start made inside the transaction. A run that already exists is not started
// again (a committed run of another definition is a Conflict, as outside a transaction).
func (t *Tx) buffer(id, def string, input []byte) error {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	if t.done {
		return ErrTxDone
	}
	if r, ok := t.e.runs[id]; ok {
		if r.def != def {
			return fmt.Errorf("start %q in transaction: %w", def, conflictErr)
		}
		return nil
	}
	for _, s := range t.starts {
		if s.id == id {
			return nil
		}
	}
	t.starts = append(t.starts, pendingStart{id: id, def: def, input: input})
	return nil
}

// Commit creates the buffered runs (skipping ids that appeared meanwhile) and, with AutoRun,
// executes them.
func (t *Tx) Commit(ctx context.Context) error {
	t.e.mu.Lock()
	if t.done {
		t.e.mu.Unlock()
		return ErrTxDone
	}
	t.done = true
	var created []string
	for _, s := range t.starts {
		if ok, err := t.e.createLocked(s.id, s.def, s.input); err == nil && ok {
			created = append(created, s.id)
		}
	}
	t.starts = nil
	t.e.mu.Unlock()
	if t.e.autoRun {
		for _, id := range created {
			t.e.execute(ctx, id)
		}
	}
	return nil
}

// Rollback drops the buffered starts.
func (t *Tx) Rollback() error {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	if t.done {
		return ErrTxDone
	}
	t.done, t.starts = true, nil
	return nil
}
