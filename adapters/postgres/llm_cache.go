package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/ai"
)

// LLMCache is the exact-match language-model response cache (table llm_cache, migration 00013)
// as the login role: the table is system data shared across accounts. It implements
// ai.ResponseCache. Expiry is measured on the database's clock, so every process agrees.
type LLMCache struct {
	db *DB
}

var _ ai.ResponseCache = (*LLMCache)(nil)

// NewLLMCache returns an LLMCache over db.
func NewLLMCache(db *DB) *LLMCache { return &LLMCache{db: db} }

// llmCacheKeyVersion changes when the digest's composition does, so old rows are never misread.
const llmCacheKeyVersion = "oslira-llm-cache-v1"

// LLMCacheDigest is the primary key of k in llm_cache: the hex SHA-256 of its fields, each
// length-prefixed so that no two different keys produce the same byte stream.
func LLMCacheDigest(k ai.CacheKey) string {
	h := sha256.New()
	var n [8]byte
	write := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, f := range []string{llmCacheKeyVersion, k.Provider, k.Model, k.System, k.User, k.Schema.Name} {
		write([]byte(f))
	}
	write(k.Schema.JSON)
	return hex.EncodeToString(h.Sum(nil))
}

const sqlLLMCacheGet = `
select provider, model, response, input_tokens, output_tokens, cached_tokens, cache_write_tokens,
       cost_micros, cost_known, created_at
from public.llm_cache where key = $1 and expires_at > now()`

// Get implements ai.ResponseCache.
func (c *LLMCache) Get(ctx context.Context, key ai.CacheKey) (ai.CachedAnswer, bool, error) {
	var a ai.CachedAnswer
	err := c.db.Pool().QueryRow(ctx, sqlLLMCacheGet, LLMCacheDigest(key)).Scan(&a.Provider, &a.Model, &a.JSON,
		&a.Usage.Input, &a.Usage.Output, &a.Usage.Cached, &a.Usage.CacheWrite, &a.CostMicros, &a.CostKnown, &a.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ai.CachedAnswer{}, false, nil
	}
	if err != nil {
		return ai.CachedAnswer{}, false, MapError(fmt.Errorf("read llm cache: %w", err))
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, true, nil
}

const sqlLLMCachePut = `
insert into public.llm_cache as c (key, provider, model, response, input_tokens, output_tokens, cached_tokens,
  cache_write_tokens, cost_micros, cost_known, created_at, expires_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now() + $11 * interval '1 microsecond')
on conflict (key) do update set
  provider = excluded.provider, model = excluded.model, response = excluded.response,
  input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
  cached_tokens = excluded.cached_tokens, cache_write_tokens = excluded.cache_write_tokens,
  cost_micros = excluded.cost_micros, cost_known = excluded.cost_known,
  created_at = excluded.created_at, expires_at = excluded.expires_at`

// Put implements ai.ResponseCache. a.CreatedAt is ignored: rows are stamped with the database's
// clock. A non-positive ttl stores nothing.
func (c *LLMCache) Put(ctx context.Context, key ai.CacheKey, a ai.CachedAnswer, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	u := a.Usage
	_, err := c.db.Pool().Exec(ctx, sqlLLMCachePut, LLMCacheDigest(key), a.Provider, a.Model, string(a.JSON),
		u.Input, u.Output, u.Cached, u.CacheWrite, max(a.CostMicros, 0), a.CostKnown, ttl.Microseconds())
	if err != nil {
		return MapError(fmt.Errorf("store llm cache: %w", err))
	}
	return nil
}
