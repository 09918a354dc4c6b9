package observe_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/observe"
)

type recordingReporter struct{ got []error }

func (r *recordingReporter) Report(_ context.Context, err error, _ map[string]string) {
	r.got = append(r.got, err)
}

func TestReportIfCriticalReportsOnlyCritical(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want bool
	}{
		{errors.New("plain error: a bug"), true},
		{apperr.New(apperr.Internal, apperr.CodeInternal, ""), true},
		{apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down"), false},
		{apperr.New(apperr.RateLimited, apperr.CodeRateLimited, "slow down"), false},
		{apperr.New(apperr.NotFound, apperr.CodeNotFound, "no"), false},
		{apperr.New(apperr.Unavailable, "billing.not-configured", "no keys"), false}, // ERROR, not CRITICAL
		{nil, false},
	}
	for _, c := range cases {
		r := &recordingReporter{}
		if got := observe.ReportIfCritical(context.Background(), r, c.err, nil); got != c.want || len(r.got) != map[bool]int{true: 1}[c.want] {
			t.Errorf("ReportIfCritical(%v) = %v with %d reports, want %v", c.err, got, len(r.got), c.want)
		}
	}
	if observe.ReportIfCritical(context.Background(), nil, errors.New("x"), nil) {
		t.Error("a nil reporter reported")
	}
	observe.NopReporter{}.Report(context.Background(), errors.New("x"), nil)
}
