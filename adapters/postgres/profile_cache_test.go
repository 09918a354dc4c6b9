package postgres_test

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/lead"
)

func cacheEntry(username string) lead.ScrapeResult {
	return lead.ScrapeResult{
		Outcome: lead.Found, Provider: "apify", CostMicros: 2300, OriginalCostMicros: 2300,
		FetchedAt: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
		Profile: &lead.ProfileSnapshot{
			Username: username, FullName: "Example", FollowersCount: 48210, FollowingCount: 312, PostsCount: 1187,
			BusinessAccount: true, BusinessCategory: "Shopping & retail", ScrapedAt: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
			RecentPosts: []lead.Post{{ID: "1", Type: lead.PostCarousel, Caption: "New drop #launch", Hashtags: []string{"launch"},
				Likes: 1320, Comments: 41, Timestamp: time.Date(2026, 11, 28, 17, 4, 11, 0, time.UTC)}},
		},
	}
}

// ageEntry moves a row's stored_at into the past, as if it had been written that long ago.
func ageEntry(t *testing.T, db *postgres.DB, username string, age time.Duration) {
	t.Helper()
	if _, err := db.Pool().Exec(t.Context(), `update public.profile_cache set stored_at = now() - $2 * interval '1 second' where username = $1`,
		username, int64(age.Seconds())); err != nil {
		t.Fatal(err)
	}
}

// uniqueHandle is a username no other test uses (test databases may be shared).
func uniqueHandle(prefix string) string { return prefix + "_" + newUUID()[:8] }

func TestProfileCacheRoundTripAndTTL(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	h := uniqueHandle("brand")
	cache := postgres.NewProfileCache(db)
	ctx := t.Context()

	if _, found, err := cache.Get(ctx, h, 24*time.Hour); err != nil || found {
		t.Fatalf("empty cache: found=%v err=%v", found, err)
	}
	want := cacheEntry(h)
	want.Cached = true // Put stores the provider's answer, never the cached flag
	if err := cache.Put(ctx, h, want); err != nil {
		t.Fatal(err)
	}
	got, found, err := cache.Get(ctx, h, 24*time.Hour)
	want.Cached = false
	if err != nil || !found || !reflect.DeepEqual(got, want) {
		t.Fatalf("hit: found=%v err=%v\n got %+v\nwant %+v", found, err, got, want)
	}

	ageEntry(t, db, h, 23*time.Hour)
	if _, found, _ := cache.Get(ctx, h, 24*time.Hour); !found {
		t.Fatal("a 23 h old entry is a miss under a 24 h TTL")
	}
	ageEntry(t, db, h, 25*time.Hour)
	if _, found, _ := cache.Get(ctx, h, 24*time.Hour); found {
		t.Fatal("a 25 h old entry is a hit under a 24 h TTL")
	}
	if _, found, _ := cache.Get(ctx, h, 48*time.Hour); !found {
		t.Fatal("the TTL is the caller's: 48 h serves a 25 h old entry")
	}

	// A new scrape replaces the row and restarts its lifetime.
	next := lead.ScrapeResult{Outcome: lead.Private, Provider: "sample", FetchedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := cache.Put(ctx, h, next); err != nil {
		t.Fatal(err)
	}
	if got, found, _ := cache.Get(ctx, h, 24*time.Hour); !found || got.Outcome != lead.Private || got.Provider != "sample" || got.Profile != nil {
		t.Fatalf("replaced entry: %+v found=%v", got, found)
	}
}

func TestProfileCacheRefusesNonCanonicalKeysAndHidesFromAPIRoles(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	cache := postgres.NewProfileCache(db)
	ctx := t.Context()
	if err := cache.Put(ctx, "NASA_X", cacheEntry(uniqueHandle("nasa"))); err == nil {
		t.Fatal("an upper-case key was stored")
	}
	if err := cache.Put(ctx, uniqueHandle("nasa"), lead.ScrapeResult{Outcome: "error", Provider: "apify"}); err == nil {
		t.Fatal("an unknown outcome was stored")
	}
	if err := cache.Put(ctx, uniqueHandle("nasa"), cacheEntry(uniqueHandle("nasa"))); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "set local role authenticated"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "select count(*) from public.profile_cache"); err == nil {
		t.Fatal("the authenticated role can read the profile cache")
	}
}

// countingScraper is a provider that counts its calls.
type countingScraper struct{ calls atomic.Int32 }

func (s *countingScraper) Scrape(_ context.Context, username string) (lead.ScrapeResult, error) {
	s.calls.Add(1)
	return cacheEntry(username), nil
}

// TestCachedScraperOnPostgres: the core decorator over the real table — the second scrape of a
// handle (in another spelling, as another account would type it) is a free hit.
func TestCachedScraperOnPostgres(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	h := uniqueHandle("brand")
	provider := &countingScraper{}
	s := lead.NewCachedScraper(provider, postgres.NewProfileCache(db))
	first, err := s.Scrape(t.Context(), strings.ToUpper(h))
	if err != nil || first.Cached || first.CostMicros != 2300 {
		t.Fatalf("miss: %+v, %v", first, err)
	}
	second, err := s.Scrape(t.Context(), "https://instagram.com/"+h+"/")
	if err != nil || !second.Cached || second.CostMicros != 0 || second.OriginalCostMicros != 2300 || provider.calls.Load() != 1 {
		t.Fatalf("hit: %+v, %v after %d provider calls", second, err, provider.calls.Load())
	}
	ageEntry(t, db, h, 25*time.Hour)
	if third, err := s.Scrape(t.Context(), h); err != nil || third.Cached || provider.calls.Load() != 2 {
		t.Fatalf("expired: %+v, %v after %d provider calls", third, err, provider.calls.Load())
	}
}
