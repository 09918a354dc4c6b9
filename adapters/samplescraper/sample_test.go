package samplescraper_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/samplescraper"
	"github.com/oslira/oslira/core/lead"
)

func TestBundledSet(t *testing.T) {
	now := time.Date(2027, 6, 1, 8, 0, 0, 0, time.UTC)
	s, err := samplescraper.New(func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	names := s.Usernames()
	if len(names) != 12 {
		t.Fatalf("%d bundled profiles, want a dozen: %v", len(names), names)
	}
	var private, withPosts int
	for _, u := range names {
		r, err := s.Scrape(t.Context(), "@"+u)
		if err != nil || r.Provider != "sample" || r.CostMicros != 0 || r.Profile == nil || r.Profile.Username != u {
			t.Fatalf("%s: %+v, %v", u, r, err)
		}
		p := r.Profile
		if p.FollowersCount <= 0 || p.PostsCount <= 0 || p.FullName == "" || !p.ScrapedAt.Equal(now) {
			t.Fatalf("%s: incomplete profile %+v", u, p)
		}
		switch r.Outcome {
		case lead.Private:
			private++
			if len(p.RecentPosts) != 0 {
				t.Fatalf("%s: a private profile with posts", u)
			}
		case lead.Found:
			if len(p.RecentPosts) < 3 {
				t.Fatalf("%s: %d posts", u, len(p.RecentPosts))
			}
			withPosts++
			newest := p.RecentPosts[0].Timestamp
			if age := now.Sub(newest); age < time.Hour || age > 4*24*time.Hour {
				t.Fatalf("%s: newest post %v old; posts are served relative to now", u, age)
			}
			for i := 1; i < len(p.RecentPosts); i++ {
				if !p.RecentPosts[i].Timestamp.Before(p.RecentPosts[i-1].Timestamp) {
					t.Fatalf("%s: posts not newest first", u)
				}
			}
		default:
			t.Fatalf("%s: outcome %s", u, r.Outcome)
		}
	}
	if private < 1 || withPosts < 10 {
		t.Fatalf("%d private and %d public profiles with posts", private, withPosts)
	}
	for _, ghost := range []string{"no_such_profile", "deleted.account", "anyone.else"} {
		if r, err := s.Scrape(t.Context(), ghost); err != nil || r.Outcome != lead.NotFound || r.Profile != nil {
			t.Fatalf("%s: %+v, %v", ghost, r, err)
		}
	}
	if _, err := s.Scrape(t.Context(), " "); !errors.Is(err, lead.ErrInvalidUsername) {
		t.Fatalf("blank: %v", err)
	}
}

func TestAnswersAreIndependentCopies(t *testing.T) {
	now := func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }
	s, _ := samplescraper.New(now)
	a, _ := s.Scrape(t.Context(), "lumen.coffee")
	a.Profile.RecentPosts[0].Hashtags[0] = "mutated"
	a.Profile.FollowersCount = -1
	b, _ := s.Scrape(t.Context(), "lumen.coffee")
	if b.Profile.RecentPosts[0].Hashtags[0] == "mutated" || b.Profile.FollowersCount == -1 {
		t.Fatal("a caller's change leaked into the bundled set")
	}
	c, _ := s.Scrape(t.Context(), "LUMEN.COFFEE")
	if !reflect.DeepEqual(b, c) {
		t.Fatal("same clock, same handle: answers differ")
	}
	if _, err := samplescraper.New(nil); err != nil {
		t.Fatal(err)
	}
}
