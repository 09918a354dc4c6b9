package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/analytics"
)

// BenchmarkAnalyticsFlush measures flush throughput into real PostgreSQL: b.N events recorded
// into a running Buffer (default batches of 500) over the COPY writer, until Close has written
// them all; events/s is reported (target ≥ 5,000/s).
func BenchmarkAnalyticsFlush(b *testing.B) {
	db := postgres.NewDB(pgtest.Pool(b))
	buf := analytics.New(postgres.NewAnalyticsWriter(db), analytics.Config{Capacity: max(b.N, 1)})
	e := analytics.Event{OccurredAt: time.Now(), RequestID: "bench", Method: "GET", Route: "/v1/credits/balance",
		Status: 200, Latency: time.Millisecond, UserID: "11111111-1111-4111-8111-111111111111",
		AccountID: "22222222-2222-4222-8222-222222222222", ClientIPHash: "0123456789abcdef"}
	b.ResetTimer()
	start := time.Now()
	buf.Start()
	for range b.N {
		buf.Record(e)
	}
	if err := buf.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	if s := buf.Stats(); s.Written != int64(b.N) {
		b.Fatalf("written %d of %d (%+v)", s.Written, b.N, s)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
}
