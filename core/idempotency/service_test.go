package idempotency_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/idempotencymock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/idempotency"
)

var key = idempotency.Key{Scope: "user:u1", Route: "POST /things", Key: "k-1"}

func newService(t *testing.T) (*idempotency.Service, *idempotencymock.MockStore, time.Time) {
	t.Helper()
	store := idempotencymock.NewMockStore(gomock.NewController(t))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return idempotency.NewService(store, func() time.Time { return now }), store, now
}

func TestBeginClaimsWithLeaseAndTTL(t *testing.T) {
	t.Parallel()
	svc, store, now := newService(t)
	store.EXPECT().Claim(gomock.Any(), key, gomock.Any()).DoAndReturn(
		func(_ context.Context, _ idempotency.Key, c idempotency.Claim) (bool, *idempotency.Record, error) {
			if c.Fingerprint != "fp" || c.Token == "" || !c.Now.Equal(now) ||
				!c.LockedUntil.Equal(now.Add(idempotency.Lease)) || !c.ExpiresAt.Equal(now.Add(24*time.Hour)) {
				t.Errorf("claim = %+v", c)
			}
			return true, nil, nil
		})
	b, err := svc.Begin(t.Context(), key, "fp")
	if err != nil || b.Token == "" || b.Replay != nil {
		t.Fatalf("Begin = %+v, %v", b, err)
	}
}

func TestBeginDecidesFromTheStoredRecord(t *testing.T) {
	t.Parallel()
	stored := &idempotency.Response{Status: 201, Body: []byte(`{"id":1}`)}
	cases := []struct {
		name    string
		rec     *idempotency.Record
		want    error
		replays bool
	}{
		{"same request finished: replay", &idempotency.Record{Fingerprint: "fp", Response: stored}, nil, true},
		{"same request in flight", &idempotency.Record{Fingerprint: "fp"}, idempotency.ErrInFlight, false},
		{"other request finished", &idempotency.Record{Fingerprint: "other", Response: stored}, idempotency.ErrMismatch, false},
		{"other request in flight", &idempotency.Record{Fingerprint: "other"}, idempotency.ErrMismatch, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, store, _ := newService(t)
			store.EXPECT().Claim(gomock.Any(), key, gomock.Any()).Return(false, tc.rec, nil)
			b, err := svc.Begin(t.Context(), key, "fp")
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.replays != (b.Replay == stored) || b.Token != "" {
				t.Errorf("Begin = %+v", b)
			}
		})
	}
}

func TestBeginRetriesWhenTheRecordVanishes(t *testing.T) {
	t.Parallel()
	svc, store, _ := newService(t)
	gomock.InOrder(
		store.EXPECT().Claim(gomock.Any(), key, gomock.Any()).Return(false, nil, nil),
		store.EXPECT().Claim(gomock.Any(), key, gomock.Any()).Return(true, nil, nil),
	)
	if b, err := svc.Begin(t.Context(), key, "fp"); err != nil || b.Token == "" {
		t.Fatalf("Begin = %+v, %v", b, err)
	}

	svc, store, _ = newService(t)
	store.EXPECT().Claim(gomock.Any(), key, gomock.Any()).Return(false, nil, nil).Times(3)
	if _, err := svc.Begin(t.Context(), key, "fp"); apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("after 3 vanishing records: %v, want Unavailable", err)
	}
}

func TestValidateKey(t *testing.T) {
	t.Parallel()
	for k, ok := range map[string]bool{
		"0c6a4e1f-2b3d-4c5e-8f90-123456789abc": true,
		strings.Repeat("k", 200):               true,
		"":                                     false,
		strings.Repeat("k", 201):               false,
		"has space":                            false,
		"tab\tkey":                             false,
		"é":                                    false,
		"del\x7fkey":                           false, // DEL is the first non-printable above the range
		"!~":                                   true,  // the lowest and the highest printable characters
	} {
		err := idempotency.ValidateKey(k)
		if (err == nil) != ok {
			t.Errorf("ValidateKey(%q) = %v", k, err)
		}
		if err != nil {
			if e, _ := apperr.As(err); len(e.Fields) != 1 || e.Fields[0].Field != "Idempotency-Key" {
				t.Errorf("field errors = %+v", e.Fields)
			}
		}
	}
	svc, _, _ := newService(t) // an invalid key never reaches the store
	if _, err := svc.Begin(t.Context(), idempotency.Key{Scope: "s", Route: "r"}, "fp"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("Begin with an empty key: %v", err)
	}
}

func TestCompleteStoresSuccessOnlyAndReleasesTheRest(t *testing.T) {
	t.Parallel()
	for status, stores := range map[int]bool{199: false, 200: true, 201: true, 299: true, 300: false, 400: false, 409: false, 422: false, 500: false, 503: false} {
		svc, store, _ := newService(t)
		resp := idempotency.Response{Status: status}
		if stores {
			store.EXPECT().Complete(gomock.Any(), key, "tok", resp).Return(true, nil)
		} else {
			store.EXPECT().Release(gomock.Any(), key, "tok").Return(nil)
		}
		if err := svc.Complete(t.Context(), key, "tok", resp); err != nil {
			t.Errorf("%d: %v", status, err)
		}
	}
}
