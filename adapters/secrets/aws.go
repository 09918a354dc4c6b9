package secrets

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/singleflight"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/secret"
)

// GetSecretValueAPI is the one Secrets Manager operation the provider uses. *secretsmanager.Client
// implements it; tests build a real client pointed at a local fake.
type GetSecretValueAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput,
		optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

const (
	// fetchTimeout bounds one shared fetch, SDK retries included. It is independent of the
	// callers' contexts: each caller stops waiting at its own deadline, the fetch goes on for the
	// others and fills the cache.
	fetchTimeout = 30 * time.Second
	// maxStaleRetry is how long a stale value is served after a failed refresh before the next
	// attempt (capped by the TTL).
	maxStaleRetry = 30 * time.Second
)

// entry is one cached value and the moment it must be refreshed.
type entry struct {
	value   string
	expires time.Time
}

// AWSProvider reads secrets from AWS Secrets Manager at Oslira/<env>/<NAME>, caching each value
// for the configured TTL. See the package documentation for values, errors and refresh failures.
// It is safe for concurrent use.
type AWSProvider struct {
	api        GetSecretValueAPI
	prefix     string
	ttl        time.Duration
	staleRetry time.Duration
	now        func() time.Time
	flight     singleflight.Group

	mu      sync.Mutex
	cache   map[string]entry
	lastAt  time.Time // last call to Secrets Manager
	lastErr error     // its outcome
}

var _ secret.Provider = (*AWSProvider)(nil)

// NewAWS builds the SDK client from the default credential chain (environment, shared config,
// instance or task role) in cfg.Region, with cfg.Endpoint as BaseEndpoint when set. cfg.Source is
// not consulted; cfg is validated as if it were "aws". No network call is made here.
func NewAWS(ctx context.Context, cfg Config) (*AWSProvider, error) {
	cfg.Source = SourceAWS
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(cfg.Region))
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	client := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return NewAWSWithClient(client, cfg, time.Now), nil
}

// NewAWSWithClient wraps an existing client. cfg.Env and cfg.TTL are used (a non-positive TTL means
// DefaultTTL); now is the clock for cache expiry (nil means time.Now).
func NewAWSWithClient(api GetSecretValueAPI, cfg Config, now func() time.Time) *AWSProvider {
	cfg = cfg.withDefaults()
	if now == nil {
		now = time.Now
	}
	return &AWSProvider{
		api:        api,
		prefix:     "Oslira/" + cfg.Env + "/",
		ttl:        cfg.TTL,
		staleRetry: min(cfg.TTL, maxStaleRetry),
		now:        now,
		cache:      make(map[string]entry),
	}
}

// Get returns the value of the secret called name, from the cache when it is fresh. Concurrent
// misses for one name share a single GetSecretValue call. When ctx ends first, Get returns an
// Unavailable error wrapping ctx.Err() while the shared call carries on for the others.
func (p *AWSProvider) Get(ctx context.Context, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if v, ok := p.cached(name); ok {
		return v, nil
	}
	shared := context.WithoutCancel(ctx)
	ch := p.flight.DoChan(name, func() (any, error) { return p.refresh(shared, name) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", unavailable(name, ctx.Err())
	}
}

// LastFetch reports when the provider last called Secrets Manager and that call's outcome as Get
// returned it (nil on success). The time is zero before the first call. Cache hits do not count.
func (p *AWSProvider) LastFetch() (time.Time, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastAt, p.lastErr
}

// cached returns the value of name while it is fresh.
func (p *AWSProvider) cached(name string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.cache[name]
	if !ok || !p.now().Before(e.expires) {
		return "", false
	}
	return e.value, true
}

// refresh runs inside the single flight for name: it fetches, records the outcome and updates
// the cache, serving the stale value when the store is unavailable (see the package doc).
func (p *AWSProvider) refresh(ctx context.Context, name string) (string, error) {
	// A flight that ended between our cache miss and joining this one may have filled the cache.
	if v, ok := p.cached(name); ok {
		return v, nil
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	value, err := p.fetch(ctx, name)

	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.lastAt, p.lastErr = now, err
	switch {
	case err == nil:
		p.cache[name] = entry{value: value, expires: now.Add(p.ttl)}
		return value, nil
	case apperr.KindOf(err) == apperr.Unavailable:
		if old, ok := p.cache[name]; ok {
			old.expires = now.Add(p.staleRetry)
			p.cache[name] = old
			return old.value, nil
		}
	default:
		delete(p.cache, name)
	}
	return "", err
}

// fetch makes one GetSecretValue call (with the SDK's retries) and decodes the value.
func (p *AWSProvider) fetch(ctx context.Context, name string) (string, error) {
	out, err := p.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(p.prefix + name)})
	if err != nil {
		return "", classify(name, err)
	}
	if out.SecretString == nil {
		return "", apperr.New(apperr.Internal, apperr.CodeInternal,
			fmt.Sprintf("secret %s has no string value (binary secrets are not supported)", name))
	}
	value, err := decodeValue(name, *out.SecretString)
	if err != nil {
		return "", err
	}
	if value == "" {
		return "", notFound(name, "is empty", nil)
	}
	return value, nil
}
