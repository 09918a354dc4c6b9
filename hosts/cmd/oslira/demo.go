package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

// The embedded default's demo: a user, its account (with the signup bonus), a business profile
// and a token, so that a fresh `make run` can analyse a sample handle with one paste.
const (
	demoEmail        = "demo@oslira.local"
	demoName         = "Demo User"
	demoBusinessName = "Oslira Demo Agency"
	// demoHandle is a bundled sample profile (adapters/samplescraper) that fits the demo ICP.
	demoHandle = "lumen.coffee"
	// demoTokenTTL: long enough for an afternoon of trying the API.
	demoTokenTTL = 12 * time.Hour
	demoTimeout  = 30 * time.Second
)

// demoDeps are what seeding needs from the serve graph (populated by serve in development).
type demoDeps struct {
	Accounts   *account.Service
	Businesses *business.Service
	JWT        jwt.Config
}

// demo is what the walk-through prints.
type demo struct {
	Token     string
	ProfileID string
	Credits   int64
}

// demoContext is the demo business: a small agency selling to cafés, studios and local
// brands, with an ICP that the sample profiles partly meet (so scores differ) and that the
// private and the very large sample profiles miss.
func demoContext() business.Context {
	maxFollowers := int64(300_000)
	return business.Context{
		BusinessName:   demoBusinessName,
		OneLiner:       "Instagram growth and content for independent cafés, studios and local brands.",
		TargetAudience: "owners of independent cafés, fitness and beauty studios and local lifestyle brands",
		Tone:           business.ToneFriendly,
		SellingPoints:  []string{"content calendars that fill tables", "reels production in one afternoon a month"},
		OutreachGoals:  []string{"book a 20-minute discovery call"},
		ICP: business.ICP{
			MinFollowers:  1_000,
			MaxFollowers:  &maxFollowers,
			ContentThemes: []string{"coffee", "fitness", "skincare", "food"},
		},
	}
}

// seedDemo makes sure the demo user has an account and the demo business profile (idempotent:
// a restart reuses both), and mints a token for the user with the development secret.
func seedDemo(ctx context.Context, d demoDeps) (demo, error) {
	ctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	if d.JWT.HS256Secret == "" {
		return demo{}, fmt.Errorf("no development JWT secret (SUPABASE_URL set?): no demo token")
	}
	userID := devUserID(demoEmail)
	now := time.Now()
	p, err := d.Accounts.Resolve(ctx, identity.Claims{UserID: userID, Email: demoEmail, FullName: demoName, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		return demo{}, fmt.Errorf("demo account: %w", err)
	}
	profileID, err := demoProfile(ctx, d.Businesses, p)
	if err != nil {
		return demo{}, err
	}
	prof, err := d.Accounts.Profile(ctx, p)
	if err != nil {
		return demo{}, fmt.Errorf("demo account: %w", err)
	}
	token, err := jwt.MintHS256(d.JWT.HS256Secret, jwt.MintClaims{
		UserID: userID, Email: demoEmail, FullName: demoName, TTL: demoTokenTTL, Issuer: d.JWT.Issuer, Now: now,
	})
	if err != nil {
		return demo{}, err
	}
	return demo{Token: token, ProfileID: profileID, Credits: prof.Balance.Int64()}, nil
}

// demoProfile returns the id of the demo business profile, creating it the first time.
func demoProfile(ctx context.Context, businesses *business.Service, p tenant.Principal) (string, error) {
	page, err := businesses.List(ctx, p, "", business.MaxPageSize)
	if err != nil {
		return "", fmt.Errorf("demo business profile: %w", err)
	}
	for _, prof := range page.Profiles {
		if prof.BusinessName == demoBusinessName {
			return prof.ID, nil
		}
	}
	prof, err := businesses.Create(ctx, p, demoContext())
	if err != nil {
		return "", fmt.Errorf("demo business profile: %w", err)
	}
	return prof.ID, nil
}

// printDemo prints the walk-through: the token, a submit and a poll.
func printDemo(w io.Writer, url string, d demo) {
	printf(w, "\nDemo account %s (%d credits) with business profile %q is ready. Paste:\n\n", demoEmail, d.Credits, demoBusinessName)
	printf(w, "  export TOKEN=%s\n", d.Token)
	printf(w, "  curl -s -X POST %s/v1/analyses -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n", url)
	printf(w, "    -d '{\"username\":\"%s\",\"business_profile_id\":\"%s\",\"type\":\"light\"}'\n", demoHandle, d.ProfileID)
	printf(w, "  curl -s %s/v1/analyses/<id from the answer> -H \"Authorization: Bearer $TOKEN\"   # poll until status is completed\n\n", url)
	printf(w, "Scraping uses the bundled sample profiles and scoring the offline analyzer until API keys are set (README).\n")
}
