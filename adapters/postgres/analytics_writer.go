package postgres

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/analytics"
)

// AnalyticsWriter copies batches of request analytics into public.analytics_events
// (analytics.Writer): one COPY per batch on a pool connection, as the login role (the table is
// system data with no grants to the API roles). COPY is all-or-nothing, as the port requires.
// PostgreSQL routes each row to the partition of its UTC month (or the default partition).
type AnalyticsWriter struct {
	db *DB
}

var _ analytics.Writer = (*AnalyticsWriter)(nil)

// NewAnalyticsWriter returns the writer over db.
func NewAnalyticsWriter(db *DB) *AnalyticsWriter { return &AnalyticsWriter{db: db} }

// analyticsColumns are the columns of public.analytics_events that COPY fills, in Values' order.
var analyticsColumns = []string{
	"occurred_at", "request_id", "method", "route", "status", "latency_us", "user_id", "account_id",
	"analysis_type", "ai_cost_micros", "credits_used", "client_ip_hash",
}

// Write implements analytics.Writer.
func (w *AnalyticsWriter) Write(ctx context.Context, events []analytics.Event) error {
	if len(events) == 0 {
		return nil
	}
	n, err := w.db.Pool().CopyFrom(ctx, pgx.Identifier{"public", "analytics_events"}, analyticsColumns,
		&eventRows{events: events, i: -1})
	if err != nil {
		return MapError(fmt.Errorf("copy %d analytics events: %w", len(events), err))
	}
	if n != int64(len(events)) {
		return fmt.Errorf("copy analytics events: %d of %d rows copied", n, len(events))
	}
	return nil
}

// eventRows is a pgx.CopyFromSource over a batch.
type eventRows struct {
	events []analytics.Event
	i      int
}

func (r *eventRows) Next() bool { r.i++; return r.i < len(r.events) }

func (r *eventRows) Err() error { return nil }

// Values maps one event to its row: empty strings and identifiers that are not UUIDs become
// NULL (an event is never refused for a field), numbers are clamped to their column's range.
func (r *eventRows) Values() ([]any, error) {
	e := &r.events[r.i]
	return []any{
		e.OccurredAt, nullText(e.RequestID), nullText(e.Method), nullText(e.Route),
		int16(clamp(int64(e.Status), 0, math.MaxInt16)),
		int32(clamp(e.Latency.Microseconds(), 0, math.MaxInt32)),
		uuidBytes(e.UserID), uuidBytes(e.AccountID), nullText(e.AnalysisType),
		max(e.AICostMicros, 0), int32(clamp(e.CreditsUsed, 0, math.MaxInt32)), nullText(e.ClientIPHash),
	}, nil
}

func clamp(v, lo, hi int64) int64 { return min(max(v, lo), hi) }

// nullText is nil (NULL) for "".
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// uuidBytes is the 16 bytes of a canonical UUID (8-4-4-4-12 hex digits), else nil (NULL).
func uuidBytes(s string) any {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return nil
	}
	var u [16]byte
	src := []byte(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36])
	if _, err := hex.Decode(u[:], src); err != nil {
		return nil
	}
	return u
}
