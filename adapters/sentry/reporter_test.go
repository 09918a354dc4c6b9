package sentry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/sentry"
	"github.com/oslira/oslira/adapters/sentry/sentrytest"
	"github.com/oslira/oslira/core/apperr"
)

const (
	apiKey = "sk_live_51VerySecretStripeKey"
	email  = "jane.doe@example.com"
	jwt    = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
)

func TestReportSendsEventWithTagsEnvironmentAndRelease(t *testing.T) {
	t.Parallel()
	fake := sentrytest.New(t)
	r, err := sentry.New(sentry.Config{DSN: fake.DSN(), Environment: "staging", Release: "v1.2.3", Secrets: []string{apiKey}})
	if err != nil {
		t.Fatal(err)
	}
	cause := fmt.Errorf("stripe said %s for %s with Bearer %s", apiKey, email, jwt)
	r.Report(context.Background(), apperr.Wrap(cause, apperr.Internal, "analysis.failed", ""),
		map[string]string{"request_id": "req-7", "route": "/v1/x", "account_id": "acct-1", "note": "mail " + email})
	if !r.Flush(5 * time.Second) {
		t.Fatal("flush timed out")
	}
	evs := fake.Events()
	if len(evs) != 1 {
		t.Fatalf("got %d events (items %v), want 1", len(evs), fake.ItemTypes())
	}
	ev := evs[0]
	for k, want := range map[string]any{"level": "fatal", "environment": "staging", "release": "v1.2.3"} {
		if ev.Data[k] != want {
			t.Errorf("%s = %v, want %v", k, ev.Data[k], want)
		}
	}
	tags := ev.Tags()
	for k, want := range map[string]string{"request_id": "req-7", "route": "/v1/x", "account_id": "acct-1", "code": "analysis.failed", "kind": "internal"} {
		if tags[k] != want {
			t.Errorf("tag %s = %q, want %q", k, tags[k], want)
		}
	}
	if u, _ := ev.Data["user"].(map[string]any); u["id"] != "acct-1" || len(u) != 1 {
		t.Errorf("user = %v, want the account id alone", ev.Data["user"])
	}
	if !strings.Contains(string(ev.Raw), "stripe said [redacted] for [redacted] with Bearer [redacted]") {
		t.Errorf("the exception text is missing or unscrubbed: %s", ev.Raw)
	}
	payload := fake.Payload()
	for _, secret := range []string{apiKey, email, jwt} {
		if strings.Contains(payload, secret) {
			t.Errorf("payload contains %q", secret)
		}
	}
	if !strings.Contains(fake.Auth(0), "sentry_key=testkey") {
		t.Errorf("X-Sentry-Auth = %q", fake.Auth(0))
	}
}

func TestDisabledWithoutDSN(t *testing.T) {
	t.Parallel()
	r, err := sentry.New(sentry.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Enabled() || r.Middleware() != nil {
		t.Error("a reporter without a DSN is enabled or has a middleware")
	}
	r.Report(context.Background(), errors.New("x"), nil) // must not panic
	r.TagPanic(context.Background(), nil)
	if !r.Flush(time.Millisecond) {
		t.Error("a disabled reporter's flush failed")
	}
	var zero *sentry.Reporter
	if zero.Enabled() {
		t.Error("nil reporter enabled")
	}
}

func TestMalformedDSNIsAnError(t *testing.T) {
	t.Parallel()
	if _, err := sentry.New(sentry.Config{DSN: "not a dsn"}); err == nil {
		t.Error("a malformed DSN was accepted")
	}
	if s := (sentry.Config{DSN: "http://secretkey@host/1", Environment: "production"}).String(); strings.Contains(s, "secretkey") {
		t.Errorf("Config.String leaks the DSN: %s", s)
	}
}
