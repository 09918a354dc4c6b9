package lead_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/lead"
)

func TestNormalizeUsername(t *testing.T) {
	ok := map[string]string{
		"nasa":                                  "nasa",
		"  @NatGeo ":                            "natgeo",
		"https://www.instagram.com/nat.geo_1/":  "nat.geo_1",
		"instagram.com/NASA":                    "nasa",
		"http://instagram.com/nasa/reels/?hl=x": "nasa",
		strings.Repeat("a", 30):                 strings.Repeat("a", 30),
	}
	for in, want := range ok {
		if got, err := lead.NormalizeUsername(in); err != nil || got != want {
			t.Errorf("%q → %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "@", "   ", "nasa!", "na sa", "ünï", strings.Repeat("a", 31), "https://instagram.com/", "instagram.com/%zz", "http://[::1]instagram.com/x"} {
		if got, err := lead.NormalizeUsername(bad); !errors.Is(err, lead.ErrInvalidUsername) {
			t.Errorf("%q → %q, %v; want ErrInvalidUsername", bad, got, err)
		}
	}
}

func TestOutcomeValid(t *testing.T) {
	for _, o := range []lead.Outcome{lead.Found, lead.NotFound, lead.Private} {
		if !o.Valid() {
			t.Errorf("%s invalid", o)
		}
	}
	if lead.Outcome("error").Valid() || lead.Outcome("").Valid() {
		t.Error("unknown outcome valid")
	}
}

func TestSnapshotHelpersAndJSONRoundTrip(t *testing.T) {
	p := lead.ProfileSnapshot{Username: "nasa", FollowersCount: 10, RecentPosts: []lead.Post{
		{ID: "1", Type: lead.PostVideo, ProductType: "clips", Hashtags: []string{"space"}, Likes: 3, VideoViews: 99, Timestamp: time.Date(2026, 11, 28, 17, 4, 11, 0, time.UTC)},
		{ID: "2", Type: lead.PostPhoto, LikesHidden: true},
	}}
	if p.DisplayName() != "nasa" {
		t.Fatal("display name falls back to the username")
	}
	p.FullName = "NASA"
	if p.DisplayName() != "NASA" {
		t.Fatal("display name is the full name")
	}
	if !p.RecentPosts[0].IsReel() || p.RecentPosts[1].IsReel() {
		t.Fatal("IsReel")
	}
	r := lead.ScrapeResult{Outcome: lead.Found, Profile: &p, Provider: "apify", CostMicros: 2300}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back lead.ScrapeResult
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Fatalf("round trip changed the result:\n%+v\n%+v (%v)", back, r, err)
	}
}
