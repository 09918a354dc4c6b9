package apify

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/oslira/oslira/core/lead"
)

// item is one dataset item of the profile scraper: a profile, or an error
// item ({"error": "no_items", "errorDescription": …}). Absent and null fields decode as zero.
type item struct {
	ID                   string `json:"id"`
	Username             string `json:"username"`
	FullName             string `json:"fullName"`
	Biography            string `json:"biography"`
	ExternalURL          string `json:"externalUrl"`
	ExternalURLs         []link `json:"externalUrls"`
	FollowersCount       *int64 `json:"followersCount"`
	FollowsCount         *int64 `json:"followsCount"`
	PostsCount           *int64 `json:"postsCount"`
	HighlightReelCount   *int64 `json:"highlightReelCount"`
	IGTVVideoCount       *int64 `json:"igtvVideoCount"`
	HasChannel           bool   `json:"hasChannel"`
	IsBusinessAccount    bool   `json:"isBusinessAccount"`
	BusinessCategoryName string `json:"businessCategoryName"`
	Private              bool   `json:"private"`
	Verified             bool   `json:"verified"`
	ProfilePicURL        string `json:"profilePicUrl"`
	ProfilePicURLHD      string `json:"profilePicUrlHD"`
	LatestPosts          []post `json:"latestPosts"`
	Error                string `json:"error"`
	ErrorDescription     string `json:"errorDescription"`
}

type link struct {
	URL string `json:"url"`
}

type post struct {
	ID                 string   `json:"id"`
	Type               string   `json:"type"`
	ShortCode          string   `json:"shortCode"`
	URL                string   `json:"url"`
	Caption            string   `json:"caption"`
	Hashtags           []string `json:"hashtags"`
	Mentions           []string `json:"mentions"`
	CommentsCount      *int64   `json:"commentsCount"`
	LikesCount         *int64   `json:"likesCount"`
	VideoViewCount     *int64   `json:"videoViewCount"`
	Timestamp          string   `json:"timestamp"`
	ProductType        string   `json:"productType"`
	Alt                string   `json:"alt"`
	IsPinned           bool     `json:"isPinned"`
	IsCommentsDisabled bool     `json:"isCommentsDisabled"`
	LocationName       string   `json:"locationName"`
}

// isProfile reports whether the item describes a profile rather than an error.
func (it item) isProfile() bool { return it.Error == "" && it.Username != "" }

// decodeItems decodes a dataset (a JSON array) and picks the answer for username: the profile
// item with that username (any case), else the first profile item; ok is false when the dataset
// holds no profile item (empty, or error items only), which is "not found". profiles counts the
// profile items, which is what a pay-per-result run is billed for.
func decodeItems(body []byte, username string) (it item, ok bool, profiles int, err error) {
	var items []item
	if err := json.Unmarshal(body, &items); err != nil {
		return item{}, false, 0, err
	}
	for _, cand := range items {
		if !cand.isProfile() {
			continue
		}
		profiles++
		if !ok || strings.EqualFold(cand.Username, username) && !strings.EqualFold(it.Username, username) {
			it, ok = cand, true
		}
	}
	return it, ok, profiles, nil
}

// snapshot maps a profile item to the core snapshot, fetched at `at`.
func (it item) snapshot(at time.Time) *lead.ProfileSnapshot {
	p := &lead.ProfileSnapshot{
		Username:           strings.ToLower(it.Username),
		ID:                 it.ID,
		FullName:           it.FullName,
		Biography:          it.Biography,
		FollowersCount:     count(it.FollowersCount),
		FollowingCount:     count(it.FollowsCount),
		PostsCount:         count(it.PostsCount),
		Verified:           it.Verified,
		BusinessAccount:    it.IsBusinessAccount || it.BusinessCategoryName != "",
		BusinessCategory:   it.BusinessCategoryName,
		Private:            it.Private,
		ExternalURL:        it.ExternalURL,
		ProfilePicURL:      it.ProfilePicURLHD,
		HighlightReelCount: count(it.HighlightReelCount),
		IGTVVideoCount:     count(it.IGTVVideoCount),
		HasChannel:         it.HasChannel,
		RecentPosts:        []lead.Post{},
		ScrapedAt:          at,
	}
	if p.ProfilePicURL == "" {
		p.ProfilePicURL = it.ProfilePicURL
	}
	for _, l := range it.ExternalURLs {
		if l.URL != "" {
			p.ExternalURLs = append(p.ExternalURLs, l.URL)
		}
	}
	if p.ExternalURL == "" && len(p.ExternalURLs) > 0 {
		p.ExternalURL = p.ExternalURLs[0]
	}
	if it.Private {
		return p // a private profile's posts are not visible; any sent are ignored
	}
	for _, po := range it.LatestPosts {
		p.RecentPosts = append(p.RecentPosts, po.toCore())
	}
	return p
}

func (po post) toCore() lead.Post {
	p := lead.Post{
		ID: po.ID, ShortCode: po.ShortCode, URL: po.URL, Type: postType(po.Type), ProductType: po.ProductType,
		Caption: po.Caption, Hashtags: nonNil(po.Hashtags), Mentions: nonNil(po.Mentions),
		Comments: count(po.CommentsCount), VideoViews: count(po.VideoViewCount),
		LocationName: po.LocationName, Alt: po.Alt, CommentsDisabled: po.IsCommentsDisabled, Pinned: po.IsPinned,
	}
	if po.LikesCount == nil || *po.LikesCount < 0 {
		p.LikesHidden = true // null or a placeholder (-1): the owner hides like counts
	} else {
		p.Likes = *po.LikesCount
	}
	if t, err := time.Parse(time.RFC3339, po.Timestamp); err == nil {
		p.Timestamp = t.UTC()
	}
	return p
}

func postType(t string) lead.PostType {
	switch t {
	case "Video":
		return lead.PostVideo
	case "Sidecar":
		return lead.PostCarousel
	default:
		return lead.PostPhoto
	}
}

// count turns an absent, null or negative count into 0.
func count(n *int64) int64 {
	if n == nil || *n < 0 {
		return 0
	}
	return *n
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
