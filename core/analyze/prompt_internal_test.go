package analyze

import (
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/lead"
)

// The prompt renders missing figures with their reason, hidden likes, undated posts, at most
// five hashtags and captions cut to the type's limit; it is the same for the same snapshot.
func TestDescribeProfileEdgeCases(t *testing.T) {
	p := lead.ProfileSnapshot{Username: "ana", FollowersCount: 0, ScrapedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		RecentPosts: []lead.Post{
			{Type: lead.PostVideo, LikesHidden: true, Comments: 3, Caption: strings.Repeat("word ", 100),
				Hashtags: []string{"a", "b", "c", "d", "e", "f", "g"}},
		}}
	m := lead.ExtractMetrics(p)
	got := describeProfile(p, m, lightPosts)
	for _, want := range []string{
		"Engagement rate: unknown (likes hidden)", "1. video, undated, hidden likes, 3 comments: word word",
		"Top hashtags: #a #b #c #d #e\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, got)
		}
	}
	line := got[strings.Index(got, "1. video"):]
	caption := strings.TrimSuffix(line[strings.Index(line, ": ")+2:], "\n")
	if n := len([]rune(caption)); n != lightPosts.caption || !strings.HasSuffix(caption, "…") {
		t.Errorf("caption of %d characters: %q", n, caption)
	}
	if strings.Contains(got, "Name:") || strings.Contains(got, "Link:") {
		t.Errorf("empty fields rendered:\n%s", got)
	}
	if again := describeProfile(p, lead.ExtractMetrics(p), lightPosts); again != got {
		t.Error("the prompt is not deterministic")
	}
}
