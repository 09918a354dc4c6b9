package apifytest

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Item is one dataset item of apify/instagram-profile-scraper, with the field names and JSON
// types of the actor's output: a profile, or (Error set) the error item it writes for a profile
// it could not read. Counts Apify may send as null are pointers.
type Item struct {
	InputURL             string  `json:"inputUrl"`
	ID                   string  `json:"id,omitempty"`
	Username             string  `json:"username,omitempty"`
	URL                  string  `json:"url"`
	FullName             string  `json:"fullName,omitempty"`
	Biography            string  `json:"biography,omitempty"`
	ExternalURL          *string `json:"externalUrl,omitempty"`
	ExternalURLs         []Link  `json:"externalUrls,omitempty"`
	FollowersCount       *int64  `json:"followersCount,omitempty"`
	FollowsCount         *int64  `json:"followsCount,omitempty"`
	PostsCount           *int64  `json:"postsCount,omitempty"`
	HighlightReelCount   *int64  `json:"highlightReelCount,omitempty"`
	IGTVVideoCount       *int64  `json:"igtvVideoCount,omitempty"`
	HasChannel           bool    `json:"hasChannel,omitempty"`
	IsBusinessAccount    bool    `json:"isBusinessAccount,omitempty"`
	BusinessCategoryName *string `json:"businessCategoryName,omitempty"`
	Private              bool    `json:"private,omitempty"`
	Verified             bool    `json:"verified,omitempty"`
	ProfilePicURL        string  `json:"profilePicUrl,omitempty"`
	ProfilePicURLHD      string  `json:"profilePicUrlHD,omitempty"`
	LatestPosts          []Post  `json:"latestPosts,omitempty"`

	RequestErrorMessages []string `json:"requestErrorMessages,omitempty"`
	Error                string   `json:"error,omitempty"`
	ErrorDescription     string   `json:"errorDescription,omitempty"`
}

// Link is one entry of a profile's externalUrls.
type Link struct {
	Title    string `json:"title"`
	URL      string `json:"url"`
	LinkType string `json:"link_type"`
}

// Post is one of a profile's latestPosts.
type Post struct {
	ID                 string   `json:"id"`
	Type               string   `json:"type"` // Image, Video or Sidecar
	ShortCode          string   `json:"shortCode"`
	URL                string   `json:"url"`
	Caption            string   `json:"caption"`
	Hashtags           []string `json:"hashtags"`
	Mentions           []string `json:"mentions"`
	CommentsCount      int64    `json:"commentsCount"`
	LikesCount         int64    `json:"likesCount"`
	VideoViewCount     *int64   `json:"videoViewCount"`
	Timestamp          string   `json:"timestamp"` // ISO 8601 UTC with milliseconds
	ProductType        *string  `json:"productType"`
	OwnerUsername      string   `json:"ownerUsername"`
	IsPinned           bool     `json:"isPinned"`
	IsCommentsDisabled bool     `json:"isCommentsDisabled"`
}

// niche is the theme of a generated profile: its business category, bio and hashtags.
type niche struct {
	category, bio string
	tags          []string
}

var niches = []niche{
	{"Personal Trainer", "20-minute strength sessions for busy founders. Coaching worldwide.", []string{"fitness", "workout", "strength", "health"}},
	{"Coffee Shop", "Small-batch roastery and espresso bar. Beans shipped weekly.", []string{"coffee", "espresso", "latteart", "cafe"}},
	{"Clothing (Brand)", "Slow fashion made to last. New drop every month.", []string{"fashion", "style", "ootd", "sustainablefashion"}},
	{"Travel Company", "Small-group trips off the beaten path. Book a call below.", []string{"travel", "wanderlust", "adventure", "travelgram"}},
	{"Software Company", "The CRM for tiny teams. Free 14-day trial.", []string{"startup", "saas", "tech", "productivity"}},
	{"Restaurant", "Seasonal plates and natural wine. Reservations in bio.", []string{"food", "foodie", "restaurant", "chef"}},
	{"Beauty, Cosmetic & Personal Care", "Clean skincare for sensitive skin. Dermatologist tested.", []string{"skincare", "beauty", "selfcare", "makeup"}},
	{"Photographer", "Wedding and brand photographer. Available for travel.", []string{"photography", "wedding", "portrait", "brandphotography"}},
	{"Marketing Agency", "We grow DTC brands on social. Case studies below.", []string{"marketing", "branding", "socialmedia", "growth"}},
	{"Pet Supplies", "Natural treats and toys for happy dogs.", []string{"dogs", "petsofinstagram", "dogtreats", "puppy"}},
	{"Digital Creator", "Sharing what I learn about money and habits.", []string{"personalfinance", "habits", "motivation", "money"}},
	{"Bakery", "Sourdough, croissants and cakes to order.", []string{"bakery", "sourdough", "pastry", "baking"}},
}

// seed derives the generator's random stream from the username alone, so the same username
// always gets the same profile (for the same reference time).
func seed(username string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(username))
	s := h.Sum64()
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// logUniform draws from [lo, hi) evenly on a log scale, as follower counts are spread.
func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo)))
}

// ProfileItem is the public profile generated for username as the actor would return it when
// scraped at now: a deterministic function of the username (and of now, for post timestamps,
// which lie before it). Followers range from 100 to ~3 million on a log scale, the engagement rate
// from 0.3 % to 9 %, posting cadence from twice a day to every ten days, with up to 12 latest
// posts (likes, comments, captions with the niche's hashtags) — so metrics and scores differ
// from one username to the next.
func ProfileItem(username string, now time.Time) Item {
	r := seed(username)
	n := niches[r.IntN(len(niches))]
	followers := int64(logUniform(r, 100, 3_000_000))
	follows := int64(logUniform(r, 50, 5_000))
	postsCount := int64(logUniform(r, 12, 4_000))
	rate := logUniform(r, 0.003, 0.09)
	cadence := time.Duration(logUniform(r, 12, 240) * float64(time.Hour))
	business := r.Float64() < 0.6
	verified := followers > 200_000 && r.Float64() < 0.3
	highlights, igtv := int64(r.IntN(20)), int64(r.IntN(3))

	it := Item{
		InputURL: "https://www.instagram.com/" + username, ID: fmt.Sprintf("%d", 1_000_000_000+r.Int64N(60_000_000_000)),
		Username: username, URL: "https://www.instagram.com/" + username, FullName: displayName(username),
		Biography:      n.bio + " #" + n.tags[0],
		FollowersCount: &followers, FollowsCount: &follows, PostsCount: &postsCount,
		HighlightReelCount: &highlights, IGTVVideoCount: &igtv, HasChannel: r.Float64() < 0.1,
		IsBusinessAccount: business, Verified: verified,
		ProfilePicURL:   "https://cdn.example.invalid/" + username + "/s150.jpg",
		ProfilePicURLHD: "https://cdn.example.invalid/" + username + "/s320.jpg",
		LatestPosts:     []Post{},
	}
	if business {
		it.BusinessCategoryName = &n.category
	}
	if r.Float64() < 0.7 {
		site := "https://" + strings.NewReplacer(".", "", "_", "").Replace(username) + ".example.com"
		it.ExternalURL = &site
		it.ExternalURLs = []Link{{Title: "Website", URL: site, LinkType: "external"}}
	}
	at := now.UTC().Add(-time.Duration(r.Float64() * float64(cadence)))
	for i := range min(12, int(postsCount)) {
		it.LatestPosts = append(it.LatestPosts, post(r, username, n, i, followers, rate, at))
		at = at.Add(-time.Duration((0.5 + r.Float64()) * float64(cadence)))
	}
	return it
}

// post is the i-th latest post of a profile, published at `at`.
func post(r *rand.Rand, username string, n niche, i int, followers int64, rate float64, at time.Time) Post {
	likes := int64(float64(followers) * rate * (0.6 + 0.8*r.Float64()))
	comments := int64(float64(likes) * (0.01 + 0.05*r.Float64()))
	tags := []string{n.tags[r.IntN(len(n.tags))], n.tags[r.IntN(len(n.tags))]}
	if tags[0] == tags[1] {
		tags = tags[:1]
	}
	code := fmt.Sprintf("C%010X", r.Uint64()&0xFFFFFFFFFF)
	p := Post{
		ID: fmt.Sprintf("33%017d", r.Int64N(1e17)), Type: "Image", ShortCode: code,
		URL:      "https://www.instagram.com/p/" + code + "/",
		Caption:  fmt.Sprintf("%s (post %d) #%s", captions[r.IntN(len(captions))], i+1, strings.Join(tags, " #")),
		Hashtags: tags, Mentions: []string{},
		CommentsCount: comments, LikesCount: likes,
		Timestamp:     at.Truncate(time.Second).Format("2006-01-02T15:04:05.000Z"),
		OwnerUsername: username, IsPinned: i == 0 && r.Float64() < 0.2,
	}
	switch k := r.IntN(10); {
	case k < 3:
		views := likes * int64(8+r.IntN(20))
		clips := "clips"
		p.Type, p.VideoViewCount, p.ProductType = "Video", &views, &clips
	case k < 5:
		p.Type = "Sidecar"
	}
	return p
}

var captions = []string{
	"New this week", "Behind the scenes", "Our favourite so far", "You asked, we listened",
	"Three tips to start", "A quiet morning", "Meet the team", "Limited run, link in bio",
}

// displayName turns "acme.studio_2" into "Acme Studio 2".
func displayName(username string) string {
	words := strings.FieldsFunc(username, func(r rune) bool { return r == '.' || r == '_' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// PrivateItem is the item the actor returns for a private profile: the header, no posts.
func PrivateItem(username string, now time.Time) Item {
	it := ProfileItem(username, now)
	it.Private, it.LatestPosts = true, nil
	return it
}

// NotFoundItem is the error item the actor writes for a profile it cannot read (the run still
// succeeds).
func NotFoundItem(username string) Item {
	u := "https://www.instagram.com/" + username
	return Item{InputURL: u, URL: u, RequestErrorMessages: []string{}, Error: "no_items",
		ErrorDescription: "Empty or private data for provided input"}
}
