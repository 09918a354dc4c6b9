// Package samplescraper is the offline lead.Scraper of the embedded default and of tests: it
// serves a bundled set of a dozen fictional Instagram profiles (profiles.json, in the
// lead.ProfileSnapshot JSON format) without any network, key or cost. Its answers are labelled
// provider "sample" so they are never mistaken for real data; production configuration never
// uses it (hosts/bootstrap/scraping.go).
//
// The set has businesses and creators from 640 to 1.25 M followers, a private profile
// (quiet.studio, no posts), a profile with hidden like counts, and two handles listed as not
// existing (no_such_profile, deleted.account); any handle outside the set is "not found" too.
// Post times are stored relative to the file's reference time and served relative to now, so a
// profile never looks abandoned as the file ages.
package samplescraper

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/oslira/oslira/core/lead"
)

// ProviderName labels the answers of this scraper.
const ProviderName = "sample"

//go:embed profiles.json
var profilesJSON []byte

type dataset struct {
	ReferenceTime time.Time              `json:"reference_time"`
	NotFound      []string               `json:"not_found"`
	Profiles      []lead.ProfileSnapshot `json:"profiles"`
}

// Scraper serves the bundled profiles. Safe for concurrent use.
type Scraper struct {
	ref      time.Time
	profiles map[string]lead.ProfileSnapshot
	missing  []string
	now      func() time.Time
}

var _ lead.Scraper = (*Scraper)(nil)

// New loads the bundled profiles. now may be nil (time.Now); a fixed clock makes answers
// byte-for-byte reproducible.
func New(now func() time.Time) (*Scraper, error) {
	var d dataset
	if err := json.Unmarshal(profilesJSON, &d); err != nil {
		return nil, fmt.Errorf("samplescraper: bundled profiles: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	s := &Scraper{ref: d.ReferenceTime, profiles: make(map[string]lead.ProfileSnapshot, len(d.Profiles)), missing: d.NotFound, now: now}
	for _, p := range d.Profiles {
		s.profiles[p.Username] = p
	}
	return s, nil
}

// Usernames lists the bundled profiles' handles, sorted.
func (s *Scraper) Usernames() []string {
	names := make([]string, 0, len(s.profiles))
	for u := range s.profiles {
		names = append(names, u)
	}
	sort.Strings(names)
	return names
}

// Scrape implements lead.Scraper: found, private or not found, at no cost; never an error except
// ErrInvalidUsername for an empty handle.
func (s *Scraper) Scrape(_ context.Context, username string) (lead.ScrapeResult, error) {
	u := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(username), "@"))
	if u == "" {
		return lead.ScrapeResult{}, lead.ErrInvalidUsername
	}
	now := s.now().UTC()
	r := lead.ScrapeResult{Outcome: lead.NotFound, Provider: ProviderName, FetchedAt: now}
	p, ok := s.profiles[u]
	if !ok || slices.Contains(s.missing, u) {
		return r, nil
	}
	r.Profile = s.shifted(p, now)
	r.Outcome = lead.Found
	if p.Private {
		r.Outcome = lead.Private
	}
	return r, nil
}

// shifted copies p with its times moved so the reference time is now.
func (s *Scraper) shifted(p lead.ProfileSnapshot, now time.Time) *lead.ProfileSnapshot {
	shift := now.Sub(s.ref)
	p.ScrapedAt = now
	posts := make([]lead.Post, len(p.RecentPosts))
	for i, po := range p.RecentPosts {
		po.Hashtags = slices.Clone(po.Hashtags)
		po.Mentions = slices.Clone(po.Mentions)
		po.Timestamp = po.Timestamp.Add(shift).UTC()
		posts[i] = po
	}
	p.RecentPosts = posts
	p.ExternalURLs = slices.Clone(p.ExternalURLs)
	return &p
}
