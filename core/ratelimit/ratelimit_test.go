package ratelimit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/apperr"
)

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func TestRouteTableIsValidAndAsSpecified(t *testing.T) {
	want := map[string]struct {
		limit    int
		period   time.Duration
		window   Window
		failOpen bool
	}{
		"general":               {60, time.Minute, Rolling, true},
		"analysis.create":       {30, time.Hour, Rolling, true},
		"analysis.bulk":         {10, time.Hour, Rolling, true},
		"anonymous":             {5, time.Hour, Rolling, false},
		"anonymous.daily":       {1, 24 * time.Hour, CalendarUTC, false},
		"stripe.webhook":        {100, time.Minute, Rolling, true},
		"billing.purchase":      {10, time.Hour, Rolling, true},
		"onboarding.generation": {50, time.Hour, Rolling, true},
	}
	seen := map[string]bool{}
	for _, p := range Policies() {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		w, ok := want[p.Name]
		if !ok || seen[p.Name] {
			t.Errorf("unexpected or repeated policy %q", p.Name)
			continue
		}
		seen[p.Name] = true
		if p.Limit != w.limit || p.Period != w.period || p.Window != w.window || p.FailOpen != w.failOpen {
			t.Errorf("%s = %+v, want %+v", p.Name, p, w)
		}
		if p.RefundOnFailure != (p.Name == "anonymous.daily") {
			t.Errorf("%s: RefundOnFailure = %v", p.Name, p.RefundOnFailure)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("policies %v, want %d", seen, len(want))
	}
}

func TestValidateRefuses(t *testing.T) {
	ok := Policy{Name: "x", Limit: 3, Period: time.Minute}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid policy refused: %v", err)
	}
	for name, p := range map[string]Policy{
		"no name":           {Limit: 1, Period: time.Minute},
		"zero limit":        {Name: "x", Limit: 0, Period: time.Minute},
		"zero period":       {Name: "x", Limit: 1},
		"too long":          {Name: "x", Limit: 1, Period: 32 * 24 * time.Hour},
		"uneven interval":   {Name: "x", Limit: 7, Period: time.Microsecond * 10},
		"uneven calendar":   {Name: "x", Limit: 1, Period: 7 * time.Hour, Window: CalendarUTC},
		"unknown window":    {Name: "x", Limit: 1, Period: time.Hour, Window: Window(9)},
		"refund on rolling": {Name: "x", Limit: 1, Period: time.Hour, RefundOnFailure: true},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%s: accepted %+v", name, p)
		}
	}
	for _, p := range []Policy{
		{Name: "hourly", Limit: 1, Period: time.Hour, Window: CalendarUTC},
		{Name: "weekly", Limit: 1, Period: 7 * 24 * time.Hour, Window: CalendarUTC},
		{Name: "max", Limit: 1, Period: 31 * 24 * time.Hour},
	} {
		if err := p.Validate(); err != nil {
			t.Errorf("%s refused: %v", p.Name, err)
		}
	}
}

func TestIntervalAndTolerance(t *testing.T) {
	p := AnalysisCreate
	if p.Interval() != 2*time.Minute || p.Tolerance() != 58*time.Minute {
		t.Fatalf("T=%v τ=%v", p.Interval(), p.Tolerance())
	}
}

func TestWindowEndIsNextUTCMidnight(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	for _, tc := range []struct{ now, want time.Time }{
		{t0, time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 14, 23, 59, 59, 999999999, time.UTC), time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)},
		// 00:30 in Paris is 23:30 UTC the day before: the UTC day counts.
		{time.Date(2026, 3, 15, 0, 30, 0, 0, paris), time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)},
	} {
		if got := AnonymousDaily.WindowEnd(tc.now); !got.Equal(tc.want) {
			t.Errorf("WindowEnd(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}

func TestRollingDecision(t *testing.T) {
	p := Policy{Name: "x", Limit: 5, Period: time.Hour} // T = 12 min, τ = 48 min
	// First request of a fresh key: TAT = now + T.
	d := RollingDecision(p, t0, t0.Add(12*time.Minute), true)
	if !d.Allowed || d.Limit != 5 || d.Remaining != 4 || d.Reset != 12*time.Minute || d.RetryAfter != 0 {
		t.Errorf("first: %+v", d)
	}
	// Fifth: TAT = now + 60 min, nothing left.
	d = RollingDecision(p, t0, t0.Add(time.Hour), true)
	if d.Remaining != 0 || d.Reset != time.Hour {
		t.Errorf("fifth: %+v", d)
	}
	// Refused at TAT = now + 60 min: the next passes when TAT − τ = now + 12 min.
	d = RollingDecision(p, t0, t0.Add(time.Hour), false)
	if d.Allowed || d.Remaining != 0 || d.RetryAfter != 12*time.Minute || d.Reset != time.Hour {
		t.Errorf("refused: %+v", d)
	}
	// Partly recovered: TAT 30 min ahead after the request → ⌊(48+12−30)/12⌋ = 2 left.
	d = RollingDecision(p, t0, t0.Add(30*time.Minute), true)
	if d.Remaining != 2 {
		t.Errorf("partly recovered: %+v", d)
	}
	// A TAT in the past (clock skew between processes) reads as a whole budget.
	d = RollingDecision(p, t0, t0.Add(-time.Minute), true)
	if d.Remaining != 5 || d.Reset != 0 {
		t.Errorf("past TAT: %+v", d)
	}
}

func TestCalendarDecision(t *testing.T) {
	end := AnonymousDaily.WindowEnd(t0)
	d := CalendarDecision(AnonymousDaily, t0, 1, end, true)
	wantReset := end.Sub(t0) // 8 h 50 min 34 s
	if !d.Allowed || d.Limit != 1 || d.Remaining != 0 || d.Reset != wantReset || d.RetryAfter != 0 {
		t.Errorf("allowed: %+v", d)
	}
	d = CalendarDecision(AnonymousDaily, t0, 1, end, false)
	if d.Allowed || d.RetryAfter != wantReset || d.RetryAfterValue() != "31834" || d.ResetValue() != "31834" {
		t.Errorf("refused: %+v %s", d, d.RetryAfterValue())
	}
	q := Policy{Name: "q", Limit: 3, Period: 24 * time.Hour, Window: CalendarUTC}
	if d := CalendarDecision(q, t0, 1, end, true); d.Remaining != 2 {
		t.Errorf("remaining = %d, want 2", d.Remaining)
	}
}

func TestHeaderValues(t *testing.T) {
	d := Decision{Allowed: true, Limit: 60, Remaining: 59, Reset: 1500 * time.Millisecond}
	if d.LimitValue() != "60" || d.RemainingValue() != "59" || d.ResetValue() != "2" || d.RetryAfterValue() != "" {
		t.Errorf("allowed: %s %s %s %q", d.LimitValue(), d.RemainingValue(), d.ResetValue(), d.RetryAfterValue())
	}
	d = Decision{Limit: 60, Reset: 2 * time.Second, RetryAfter: time.Second}
	if d.ResetValue() != "2" || d.RetryAfterValue() != "1" {
		t.Errorf("whole seconds: reset %s retry %s", d.ResetValue(), d.RetryAfterValue())
	}
	d = Decision{Limit: 60, RetryAfter: time.Nanosecond}
	if d.RetryAfterValue() != "1" {
		t.Errorf("a nanosecond rounds up: %s", d.RetryAfterValue())
	}
	d = Decision{Limit: 60} // refused with no wait left: still at least 1
	if d.RetryAfterValue() != "1" || d.ResetValue() != "0" {
		t.Errorf("floor: retry %s reset %s", d.RetryAfterValue(), d.ResetValue())
	}
}

func TestTighter(t *testing.T) {
	ok5 := Decision{Allowed: true, Remaining: 5, Reset: time.Minute}
	ok2 := Decision{Allowed: true, Remaining: 2, Reset: time.Minute}
	ok2later := Decision{Allowed: true, Remaining: 2, Reset: time.Hour}
	no1 := Decision{RetryAfter: time.Second}
	no9 := Decision{RetryAfter: 9 * time.Second}
	for _, tc := range []struct{ a, b, want Decision }{
		{ok5, ok2, ok2}, {ok2, ok5, ok2},
		{ok2, ok2later, ok2later}, {ok2later, ok2, ok2later},
		{ok2, no1, no1}, {no1, ok2, no1},
		{no1, no9, no9}, {no9, no1, no9},
	} {
		if got := Tighter(tc.a, tc.b); got != tc.want {
			t.Errorf("Tighter(%+v, %+v) = %+v, want %+v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRefusalsAndRefundable(t *testing.T) {
	if !errors.Is(Refusal(General), ErrExceeded) || !errors.Is(Refusal(AnonymousDaily), ErrQuotaSpent) {
		t.Error("refusal by window")
	}
	if apperr.KindOf(ErrQuotaSpent) != apperr.RateLimited || apperr.CodeOf(ErrExceeded) != apperr.CodeRateLimited ||
		apperr.KindOf(ErrUnavailable) != apperr.Unavailable {
		t.Error("kinds")
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{apperr.New(apperr.Unavailable, "lead.scraper-unavailable", ""), true},
		{apperr.New(apperr.RateLimited, "ai.rate-limited", ""), true},
		{errors.New("plain: internal"), true},
		{apperr.New(apperr.Invalid, "lead.username-invalid", ""), false},
		{apperr.New(apperr.NotFound, "resource.not-found", ""), false},
	} {
		if got := Refundable(tc.err); got != tc.want {
			t.Errorf("Refundable(%v) = %v", tc.err, got)
		}
	}
	if UserKey("u") != "user:u" || IPKey("1.2.3.4") != "ip:1.2.3.4" {
		t.Error("keys")
	}
	if !strings.Contains(Rolling.String()+CalendarUTC.String()+Window(7).String(), "window(7)") {
		t.Error("window names")
	}
}
