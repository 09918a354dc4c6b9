package jwt

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"
)

// keySet is the cached JWKS: keyfunc over a jwkset HTTP storage, plus a record of how the
// fetches went, which jwkset does not expose. The record decides between "unknown key" (401)
// and "keys unavailable" (503) and feeds the health check.
type keySet struct {
	kf    keyfunc.Keyfunc
	state *fetchState
}

// newKeySet fetches the JWKS once (bounded by cfg.FetchTimeout; a failure is recorded and
// logged, not returned) and starts the periodic refresh, which runs until ctx is cancelled.
func newKeySet(ctx context.Context, cfg Config, client *http.Client, log *slog.Logger) (*keySet, error) {
	state := &fetchState{log: log}
	httpStore, err := jwkset.NewStorageFromHTTP(cfg.JWKSURL, jwkset.HTTPClientStorageOptions{
		Client:                    client,
		Ctx:                       ctx,
		HTTPTimeout:               cfg.FetchTimeout,
		NoErrorReturnFirstHTTPReq: true,
		RefreshErrorHandler:       state.failed,
		RefreshInterval:           cfg.RefreshInterval,
		Storage:                   &recordingStorage{Storage: jwkset.NewMemoryStorage(), state: state},
	})
	if err != nil {
		return nil, fmt.Errorf("jwks storage: %w", err)
	}
	// RefreshUnknownKID: one fetch per floor, burst 1. RateLimitWaitMax bounds both the wait for
	// the limiter and the fetch itself: a request whose wait would exceed it fails at once
	// instead of queueing (golang.org/x/time/rate refuses reservations beyond the deadline).
	store, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{cfg.JWKSURL: httpStore},
		RateLimitWaitMax:  cfg.FetchTimeout,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(cfg.RefreshFloor), 1),
	})
	if err != nil {
		return nil, fmt.Errorf("jwks client: %w", err)
	}
	kf, err := keyfunc.New(keyfunc.Options{
		Ctx:     ctx,
		Storage: store,
		// Keys marked for encryption never verify signatures; keys without "use" may.
		UseWhitelist: []jwkset.USE{jwkset.UseSig, ""},
	})
	if err != nil {
		return nil, fmt.Errorf("keyfunc: %w", err)
	}
	return &keySet{kf: kf, state: state}, nil
}

// recordingStorage notes every successful refresh: jwkset calls KeyReplaceAll exactly once per
// fetched and decoded key set, and never on failure.
type recordingStorage struct {
	jwkset.Storage
	state *fetchState
}

func (s *recordingStorage) KeyReplaceAll(ctx context.Context, given []jwkset.JWK) error {
	if err := s.Storage.KeyReplaceAll(ctx, given); err != nil {
		return err
	}
	s.state.succeeded(len(given))
	return nil
}

// fetchState remembers the outcome of the latest JWKS fetch.
type fetchState struct {
	log *slog.Logger

	mu       sync.Mutex
	loadedAt time.Time // last successful fetch; zero until the first
	keys     int       // keys in the last successful fetch
	failedAt time.Time // last failed fetch
	lastErr  error     // nil when the latest fetch succeeded
}

// fetchStatus is a snapshot of fetchState.
type fetchStatus struct {
	loadedAt time.Time
	keys     int
	failedAt time.Time
	lastErr  error
}

func (s *fetchState) succeeded(keys int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loadedAt, s.keys, s.lastErr = time.Now(), keys, nil
}

// failed is jwkset's RefreshErrorHandler: called for the start-up fetch, the periodic refresh
// and refreshes triggered by unknown kids.
func (s *fetchState) failed(ctx context.Context, err error) {
	s.mu.Lock()
	s.failedAt, s.lastErr = time.Now(), err
	s.mu.Unlock()
	s.log.WarnContext(ctx, "jwks fetch failed; cached keys (if any) stay in use", slog.String("error", err.Error()))
}

func (s *fetchState) status() fetchStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fetchStatus{loadedAt: s.loadedAt, keys: s.keys, failedAt: s.failedAt, lastErr: s.lastErr}
}

// usable reports whether the latest fetch succeeded. When it did not, a key missing from the
// cache may exist upstream, so "unknown key" would be a guess: Verify says "unavailable".
func (st fetchStatus) usable() bool { return !st.loadedAt.IsZero() && st.lastErr == nil }
