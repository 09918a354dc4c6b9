package lead

import "time"

// ProfileSnapshot is one Instagram profile as a scraper saw it at ScrapedAt: the fields
// the analysis uses. It is a plain value with JSON tags so it can be
// stored (the profile cache keeps it as JSON) and handed between workflow steps unchanged.
//
// Counts are never negative: a provider's placeholder for a hidden value (Instagram hides like
// counts on some posts) is reported through the Post's LikesHidden flag with Likes 0, so metric
// code never averages a -1.
type ProfileSnapshot struct {
	// Username is the handle, lowercased, without "@".
	Username string `json:"username"`
	// ID is the provider's numeric profile id as a string ("" when unknown).
	ID        string `json:"id,omitempty"`
	FullName  string `json:"full_name"`
	Biography string `json:"biography"`
	// FollowersCount and FollowingCount are the follower and followed-account counts.
	FollowersCount int64 `json:"followers_count"`
	FollowingCount int64 `json:"following_count"`
	// PostsCount is the profile's total number of posts (not len(RecentPosts)).
	PostsCount int64 `json:"posts_count"`
	Verified   bool  `json:"verified"`
	// BusinessAccount is Instagram's business/creator flag; BusinessCategory its category name
	// ("Shopping & retail"), "" when none.
	BusinessAccount  bool   `json:"business_account"`
	BusinessCategory string `json:"business_category,omitempty"`
	Private          bool   `json:"private"`
	// ExternalURL is the bio link ("" when none); ExternalURLs every link the profile lists.
	ExternalURL   string   `json:"external_url,omitempty"`
	ExternalURLs  []string `json:"external_urls,omitempty"`
	ProfilePicURL string   `json:"profile_pic_url,omitempty"`
	// HighlightReelCount, IGTVVideoCount and HasChannel are secondary activity signals.
	HighlightReelCount int64 `json:"highlight_reel_count"`
	IGTVVideoCount     int64 `json:"igtv_video_count"`
	HasChannel         bool  `json:"has_channel"`
	// RecentPosts are the latest posts the provider returned (up to 12 for Apify's profile
	// scraper), newest first; empty for a private profile.
	RecentPosts []Post `json:"recent_posts"`
	// ScrapedAt is when the provider fetched the profile (not when a cache served it).
	ScrapedAt time.Time `json:"scraped_at"`
}

// DisplayName is the full name, or the username when the profile has none.
func (p ProfileSnapshot) DisplayName() string {
	if p.FullName != "" {
		return p.FullName
	}
	return p.Username
}

// PostType is the media type of a post.
type PostType string

// The post types. Apify's "Image", "Video" and "Sidecar" map to photo, video and carousel.
const (
	PostPhoto    PostType = "photo"
	PostVideo    PostType = "video"
	PostCarousel PostType = "carousel"
)

// Post is one of a profile's recent posts.
type Post struct {
	ID        string   `json:"id,omitempty"`
	ShortCode string   `json:"short_code,omitempty"`
	URL       string   `json:"url,omitempty"`
	Type      PostType `json:"type"`
	// ProductType is Instagram's product type: "clips" marks a Reel, "igtv" an IGTV video,
	// "feed" or "" a regular post.
	ProductType string `json:"product_type,omitempty"`
	Caption     string `json:"caption"`
	// Hashtags are without "#", Mentions without "@", as the provider extracted them.
	Hashtags []string `json:"hashtags"`
	Mentions []string `json:"mentions"`
	// Likes is the like count; 0 with LikesHidden when the owner hides it.
	Likes       int64 `json:"likes"`
	LikesHidden bool  `json:"likes_hidden,omitempty"`
	Comments    int64 `json:"comments"`
	// VideoViews is the view count of a video post, 0 for other posts or when unknown.
	VideoViews int64 `json:"video_views"`
	// Timestamp is when the post was published (UTC); zero when the provider did not say.
	Timestamp        time.Time `json:"timestamp"`
	LocationName     string    `json:"location_name,omitempty"`
	Alt              string    `json:"alt,omitempty"`
	CommentsDisabled bool      `json:"comments_disabled,omitempty"`
	Pinned           bool      `json:"pinned,omitempty"`
}

// IsReel reports whether the post is a Reel (product type "clips").
func (p Post) IsReel() bool { return p.ProductType == "clips" }
