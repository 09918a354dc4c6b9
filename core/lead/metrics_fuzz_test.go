package lead_test

import (
	"encoding/binary"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/oslira/oslira/core/lead"
)

// FuzzExtractMetrics: any snapshot (non-negative counts, any timestamps, hidden likes, pinned
// posts, any scrape time) gives metrics that encode as JSON (so no NaN or ±Inf), where every
// figure has exactly one of a value and a reason and every score is within 0–100 (days since the last post ≥ 0).
func FuzzExtractMetrics(f *testing.F) {
	f.Add(uint32(10_000), uint32(500), uint16(100), int64(1_764_504_000), []byte("\x01\x90\x00\x14\x00\x10\x00\x00\x02\x2c\x00\x00\x00\x12"))
	f.Add(uint32(0), uint32(0), uint16(0), int64(0), []byte{})
	f.Add(uint32(1), uint32(0), uint16(0), int64(-1), []byte("\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, followers, following uint32, postsCount uint16, scraped int64, data []byte) {
		p := lead.ProfileSnapshot{FollowersCount: int64(followers), FollowingCount: int64(following), PostsCount: int64(postsCount)}
		if scraped != 0 {
			p.ScrapedAt = time.Unix(scraped%(1<<40), 0).UTC()
		}
		types := []lead.PostType{lead.PostPhoto, lead.PostVideo, lead.PostCarousel, ""}
		for len(data) >= 7 && len(p.RecentPosts) < 50 {
			flags := data[0]
			po := lead.Post{Type: types[flags&3], Likes: int64(binary.BigEndian.Uint16(data[1:])) << (flags >> 5),
				Comments: int64(binary.BigEndian.Uint16(data[3:])), LikesHidden: flags&4 != 0, Pinned: flags&8 != 0}
			if flags&16 == 0 {
				po.Timestamp = time.Unix(int64(binary.BigEndian.Uint16(data[5:]))*3600+1_700_000_000, 0).UTC()
			}
			if flags&2 != 0 {
				po.ProductType = "clips"
				po.Hashtags = []string{string(data[1:2])}
			}
			p.RecentPosts = append(p.RecentPosts, po)
			data = data[7:]
		}
		m := lead.ExtractMetrics(p)
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("metrics do not encode: %v\n%+v", err, m)
		}
		v := reflect.ValueOf(m)
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			fv := v.Field(i)
			if fv.Kind() != reflect.Struct || !fv.FieldByName("Reason").IsValid() {
				continue
			}
			ptr, reason := fv.FieldByName("Value"), fv.FieldByName("Reason").String()
			if ptr.IsNil() == (reason == "") {
				t.Fatalf("%s: value nil %v, reason %q", name, ptr.IsNil(), reason)
			}
			if !ptr.IsNil() && ptr.Elem().Kind() == reflect.Int && (ptr.Elem().Int() < 0 ||
				ptr.Elem().Int() > 100 && name != "DaysSinceLastPost") {
				t.Fatalf("%s = %d: a score outside 0–100 or negative days", name, ptr.Elem().Int())
			}
		}
		if r := m.FakeFollowerRisk; r.Known() && (r.Value.Score < 0 || r.Value.Score > 95) {
			t.Fatalf("risk %d", r.Value.Score)
		}
	})
}
