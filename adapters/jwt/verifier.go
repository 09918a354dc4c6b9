package jwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/core/identity"
)

// Algorithms this adapter can accept. Which of them a Verifier accepts depends on its Config.
const (
	AlgHS256 = "HS256"
	AlgES256 = "ES256"
	AlgRS256 = "RS256"
)

// maxTokenBytes caps the input before any decoding. Supabase tokens are 1–4 KiB even with
// generous metadata.
const maxTokenBytes = 16 << 10

// minRSABits is the smallest RSA modulus accepted (Supabase issues RSA 2048).
const minRSABits = 2048

// Verifier checks Supabase Auth access tokens. It is safe for concurrent use.
type Verifier struct {
	secret  []byte  // HS256 key; nil when HS256 is disabled
	keys    *keySet // JWKS; nil when asymmetric algorithms are disabled
	allowed []string
	parser  *gojwt.Parser
	cancel  context.CancelFunc
	cache   *verifiedCache
	now     func() time.Time
}

var _ identity.TokenVerifier = (*Verifier)(nil)

// New validates cfg and builds a Verifier. client fetches the JWKS; nil means a plain client
// (each fetch is bounded by cfg.FetchTimeout either way).
//
// With a JWKSURL, New fetches the key set once, waiting at most FetchTimeout. If that fails it
// still succeeds (logging a warning): HS256 tokens keep working, and asymmetric tokens get
// identity.ErrKeysUnavailable until a fetch succeeds — the next one is triggered by the first
// asymmetric token (then at most once per RefreshFloor) or by the periodic refresh. A JWKS
// outage at deploy time thus costs availability of one sign-in method, not of the whole API.
//
// ctx bounds start-up only: if it is cancelled while New runs, New fails. The background
// refresh lives until Close.
func New(ctx context.Context, cfg Config, client *http.Client) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	v := &Verifier{cancel: func() {}}
	if cfg.HS256Secret != "" {
		v.secret = []byte(cfg.HS256Secret)
		v.allowed = append(v.allowed, AlgHS256)
	}
	if cfg.JWKSURL != "" {
		if client == nil {
			client = &http.Client{Timeout: cfg.FetchTimeout}
		}
		life, cancel := context.WithCancel(context.WithoutCancel(ctx))
		stop := context.AfterFunc(ctx, cancel)
		keys, err := newKeySet(life, cfg, client, slog.Default().With(slog.String("component", "jwks")))
		if !stop() {
			return nil, fmt.Errorf("jwt: start-up cancelled: %w", ctx.Err())
		}
		if err != nil {
			cancel()
			return nil, fmt.Errorf("jwt: %w", err)
		}
		v.keys, v.cancel = keys, cancel
		v.allowed = append(v.allowed, AlgES256, AlgRS256)
	}
	opts := []gojwt.ParserOption{
		gojwt.WithValidMethods(v.allowed),
		gojwt.WithLeeway(cfg.Leeway),
		gojwt.WithAudience(cfg.Audience),
		gojwt.WithExpirationRequired(),
		gojwt.WithStrictDecoding(),
	}
	if cfg.Issuer != "" {
		opts = append(opts, gojwt.WithIssuer(cfg.Issuer))
	}
	v.cache = newVerifiedCache()
	v.now = time.Now
	opts = append(opts, gojwt.WithTimeFunc(func() time.Time { return v.now() }))
	v.parser = gojwt.NewParser(opts...)
	return v, nil
}

// Close stops the background JWKS refresh. Verify keeps working on the cached keys afterwards.
// Close is idempotent.
func (v *Verifier) Close() { v.cancel() }

// Verify checks token and returns its claims. Every refusal is one of core/identity's sentinels
// (errors.Is works) with the library's error as the cause; neither ever contains the token.
// ctx bounds any JWKS fetch an unknown kid triggers.
func (v *Verifier) Verify(ctx context.Context, token string) (identity.Claims, error) {
	if token == "" {
		return identity.Claims{}, identity.ErrTokenMissing
	}
	if len(token) > maxTokenBytes {
		return identity.Claims{}, identity.ErrTokenMalformed.WithCause(fmt.Errorf("token longer than %d bytes", maxTokenBytes))
	}
	now := v.now()
	if claims, ok := v.cache.get(token, now); ok {
		return claims, nil
	}
	var c tokenClaims
	tok, err := v.parser.ParseWithClaims(token, &c, v.keyFor(ctx))
	if err != nil {
		return identity.Claims{}, v.classify(err, tok, &c)
	}
	claims, err := c.toIdentity()
	if err != nil {
		return identity.Claims{}, err
	}
	v.cache.put(token, claims, now)
	return claims, nil
}

// keyFor picks the key by the algorithm family, never by what else the token asks for: HS256
// gets the shared secret and nothing else, so a token MACed with a public key's bytes (the
// classic RS256→HS256 confusion) is checked against the secret and fails; ES256/RS256 get a
// JWKS public key of the matching type, looked up by kid.
func (v *Verifier) keyFor(ctx context.Context) gojwt.Keyfunc {
	return func(t *gojwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			// RFC 7515 §4.1.11: extensions we do not understand must be refused.
			return nil, identity.ErrTokenMalformed.WithCause(errors.New(`unsupported "crit" header`))
		}
		alg := t.Method.Alg()
		switch alg {
		case AlgHS256:
			if v.secret == nil {
				return nil, identity.ErrTokenAlgorithm.WithCause(errors.New("HS256 is not enabled"))
			}
			return v.secret, nil
		case AlgES256, AlgRS256:
			if v.keys == nil {
				return nil, identity.ErrTokenAlgorithm.WithCause(fmt.Errorf("%s is not enabled", alg))
			}
			return v.publicKey(ctx, t, alg)
		default:
			return nil, identity.ErrTokenAlgorithm.WithCause(fmt.Errorf("algorithm %q is not accepted", alg))
		}
	}
}

// publicKey returns the JWKS key named by the token's kid if its type fits alg.
func (v *Verifier) publicKey(ctx context.Context, t *gojwt.Token, alg string) (any, error) {
	if kid, ok := t.Header["kid"].(string); !ok || kid == "" {
		// Supabase always names the signing key; trying every key would only widen the attack surface.
		return nil, identity.ErrTokenUnknownKey.WithCause(errors.New("asymmetric token without kid"))
	}
	key, err := v.keys.kf.KeyfuncCtx(ctx)(t)
	if err != nil {
		if ctx.Err() != nil || !v.keys.state.status().usable() {
			return nil, identity.ErrKeysUnavailable.WithCause(err)
		}
		return nil, identity.ErrTokenUnknownKey.WithCause(err)
	}
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if alg == AlgES256 && k.Curve == elliptic.P256() {
			return k, nil
		}
	case *rsa.PublicKey:
		if alg == AlgRS256 && k.N.BitLen() >= minRSABits {
			return k, nil
		}
	}
	return nil, identity.ErrTokenAlgorithm.WithCause(fmt.Errorf("key %T does not fit %s", key, alg))
}
