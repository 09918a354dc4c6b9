package maintenance

import (
	"context"
	"fmt"
	"time"
)

// IdempotencyPruner deletes idempotency keys that have expired (core/idempotency: keys live 24
// hours).
type IdempotencyPruner interface {
	// PruneExpired deletes at most limit keys whose expiry is at or before now, in one short
	// statement, and returns how many it deleted.
	PruneExpired(ctx context.Context, now time.Time, limit int) (int64, error)
}

// DefaultIdempotencyPruneBatch is how many keys one PruneExpired call deletes at most.
const DefaultIdempotencyPruneBatch = 1000

// IdempotencyPrune deletes expired idempotency keys batch by batch. An expired key is already
// treated as unused by the idempotency rules, so pruning changes no answer: it only keeps the
// table small. Idempotent: a second run right after the first finds nothing expired.
type IdempotencyPrune struct {
	pruner IdempotencyPruner
	batch  int
}

// NewIdempotencyPrune returns the use case; batch <= 0 takes DefaultIdempotencyPruneBatch.
func NewIdempotencyPrune(p IdempotencyPruner, batch int) *IdempotencyPrune {
	if batch <= 0 {
		batch = DefaultIdempotencyPruneBatch
	}
	return &IdempotencyPrune{pruner: p, batch: batch}
}

// IdempotencyPruneReport counts the keys deleted.
type IdempotencyPruneReport struct {
	Deleted int64
}

// String summarises the report for the run log.
func (r IdempotencyPruneReport) String() string { return fmt.Sprintf("deleted %d", r.Deleted) }

// Run deletes every key expired at now.
func (p *IdempotencyPrune) Run(ctx context.Context, now time.Time) (IdempotencyPruneReport, error) {
	var rep IdempotencyPruneReport
	for {
		n, err := p.pruner.PruneExpired(ctx, now, p.batch)
		rep.Deleted += n
		if err != nil {
			return rep, fmt.Errorf("prune idempotency keys: %w", err)
		}
		if n < int64(p.batch) || ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
}
