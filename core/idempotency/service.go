package idempotency

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/oslira/oslira/core/apperr"
)

const (
	// TTL is how long a key is remembered after its first request (Stripe: 24 h).
	TTL = 24 * time.Hour
	// Lease is how long a request holds its key before a retry may take it over: twice the
	// HTTP server's write timeout (30 s), so a live request never loses its key.
	Lease = time.Minute
	// MaxKeyLength is the longest accepted key, in bytes.
	MaxKeyLength = 200
	// HeaderField names the key in field errors: the HTTP header that carries it.
	HeaderField = "Idempotency-Key"
)

// claimAttempts bounds Begin's retries when a record vanishes between claim and read.
const claimAttempts = 3

// Service applies the rules of the package over a Store.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the service over store; now nil means time.Now.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Begun is the outcome of Begin: either Replay (the stored response of an earlier identical
// request; nothing is to run) or Token (this request holds the key; call Complete or Release).
type Begun struct {
	Replay *Response
	Token  string
}

// ValidateKey checks a client's key: 1 to MaxKeyLength bytes of printable ASCII without spaces.
func ValidateKey(key string) error {
	ok := key != "" && len(key) <= MaxKeyLength
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] > ' ' && key[i] < 0x7f
	}
	if !ok {
		return apperr.Validation(apperr.CodeInvalidRequest, "invalid Idempotency-Key",
			apperr.FieldError{Field: HeaderField, Message: "must be 1 to " + strconv.Itoa(MaxKeyLength) +
				" printable ASCII characters without spaces (a UUID is a good key)"})
	}
	return nil
}

// Begin claims k for a request with the given fingerprint, or reports why it may not run:
// ErrMismatch when k was used with another fingerprint, ErrInFlight while k's first request
// runs, a Replay when it finished. k.Key must pass ValidateKey.
func (s *Service) Begin(ctx context.Context, k Key, fingerprint string) (Begun, error) {
	if err := ValidateKey(k.Key); err != nil {
		return Begun{}, err
	}
	token := strconv.FormatUint(rand.Uint64(), 36) + strconv.FormatUint(rand.Uint64(), 36)
	for range claimAttempts {
		now := s.now()
		claimed, rec, err := s.store.Claim(ctx, k, Claim{
			Fingerprint: fingerprint, Token: token, Now: now,
			LockedUntil: now.Add(Lease), ExpiresAt: now.Add(TTL),
		})
		switch {
		case err != nil:
			return Begun{}, err
		case claimed:
			return Begun{Token: token}, nil
		case rec == nil:
			continue // released between the claim and the read: try again
		case rec.Fingerprint != fingerprint:
			return Begun{}, ErrMismatch
		case rec.Response != nil:
			return Begun{Replay: rec.Response}, nil
		default:
			return Begun{}, ErrInFlight
		}
	}
	return Begun{}, apperr.Wrap(fmt.Errorf("idempotency key claimed and released %d times in a row", claimAttempts),
		apperr.Unavailable, apperr.CodeUnavailable, "The request could not be started; retry.")
}

// Complete ends the request holding k with token. A 2xx response is stored for replay; any
// other outcome releases k (nothing was created; a retry runs again). A holder that lost its
// lease to a takeover stores nothing.
func (s *Service) Complete(ctx context.Context, k Key, token string, resp Response) error {
	if resp.Status < 200 || resp.Status > 299 {
		return s.store.Release(ctx, k, token)
	}
	_, err := s.store.Complete(ctx, k, token, resp)
	return err
}

// Release gives k up without a response (the request failed or panicked).
func (s *Service) Release(ctx context.Context, k Key, token string) error {
	return s.store.Release(ctx, k, token)
}
