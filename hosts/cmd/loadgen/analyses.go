package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/oslira/oslira/adapters/jwt"
)

// analyst is a bench account able to submit analyses: its token, account, business profile.
type analyst struct {
	token, account, profile string
}

// call sends a JSON request with a bearer token and returns the status and body.
func call(ctx context.Context, method, url, token string, body any, headers ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// provisionAnalyst creates an account through the API as a client would: its first request
// (GET /v1/me) provisions it, an operator grants it credits (POST /v1/admin/accounts/{id}/credits,
// at most 100,000 a grant), and it creates a business profile without an ICP (so every found
// profile is scored by the model, never bypassed as a mismatch).
func provisionAnalyst(ctx context.Context, base, secret string, credits int) (analyst, error) {
	id := uuid.NewString()
	tok, err := jwt.MintHS256(secret, jwt.MintClaims{UserID: id, Email: "analyst-" + id + "@example.com", TTL: 2 * time.Hour})
	if err != nil {
		return analyst{}, err
	}
	status, body, err := call(ctx, http.MethodGet, base+"/v1/me", tok, nil)
	var me struct {
		Account struct {
			ID string `json:"id"`
		} `json:"account"`
	}
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &me) != nil {
		return analyst{}, fmt.Errorf("provision via /v1/me: %d %s %v", status, body, err)
	}
	admin, err := jwt.MintHS256(secret, jwt.MintClaims{UserID: uuid.NewString(), Email: "ops@example.com", Admin: true, TTL: time.Hour})
	if err != nil {
		return analyst{}, err
	}
	for left := credits; left > 0; left -= 100_000 {
		grant := map[string]any{"credits": min(left, 100_000), "reason": "load benchmark"}
		status, body, err := call(ctx, http.MethodPost, base+"/v1/admin/accounts/"+me.Account.ID+"/credits", admin, grant,
			"Idempotency-Key", uuid.NewString())
		if err != nil || status != http.StatusCreated {
			return analyst{}, fmt.Errorf("grant credits: %d %s %v", status, body, err)
		}
	}
	profile := map[string]any{"business_name": "Bench Coffee Roasters", "target_audience": "independent cafés",
		"selling_points": []string{"single-origin beans"}}
	status, body, err = call(ctx, http.MethodPost, base+"/v1/business-profiles", tok, profile, "Idempotency-Key", uuid.NewString())
	var created struct {
		ID string `json:"id"`
	}
	if err != nil || status != http.StatusCreated || json.Unmarshal(body, &created) != nil {
		return analyst{}, fmt.Errorf("create business profile: %d %s %v", status, body, err)
	}
	return analyst{token: tok, account: me.Account.ID, profile: created.ID}, nil
}

// submitTarget is POST /v1/analyses of a light analysis, each request a handle never used before
// (prefix.000001, prefix.000002, …: a repeated handle still in flight would be a 409).
func submitTarget(base string, a analyst, prefix string) target {
	var n atomic.Int64
	return target{name: "oslira POST /v1/analyses (JWT + account + transaction: debit, analysis row, workflow enqueue)", want: http.StatusAccepted,
		request: func(int) (*http.Request, error) {
			body := fmt.Sprintf(`{"username":"%s.%06d","business_profile_id":"%s","type":"light"}`, prefix, n.Add(1), a.profile)
			req, err := http.NewRequest(http.MethodPost, base+"/v1/analyses", strings.NewReader(body))
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+a.token)
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}}
}

// runSubmitBench measures POST /v1/analyses on an HTTP-only process (`oslira http`: no worker
// in the process competing for the cores; the runs stay queued) against dsn: open loop at rate,
// then closed loop, and prints them beside the floor's closed-loop throughput.
func runSubmitBench(ctx context.Context, f benchFlags, dsn, secret string, floor result) ([2]result, error) {
	addr := freeAddr()
	api, err := start(ctx, f.oslira, []string{"http"}, benchEnv(dsn, addr, secret))
	if err != nil {
		return [2]result{}, err
	}
	defer stopProcess(api)
	base := "http://" + addr
	if err := waitHealthy(ctx, base+"/health/ready", 60*time.Second); err != nil {
		return [2]result{}, fmt.Errorf("oslira http: %w", err)
	}
	// Enough credits for the warm-up and both phases at a generous throughput.
	a, err := provisionAnalyst(ctx, base, secret, 200_000)
	if err != nil {
		return [2]result{}, err
	}
	t := submitTarget(base, a, "bench")
	closedLoop(ctx, t, 1, f.workers, f.warmup)
	var out [2]result
	out[0] = openLoop(ctx, t, 1, f.submitRate, f.conns, f.duration)
	out[1] = closedLoop(ctx, t, 1, f.workers, f.duration)
	fmt.Println(t.name)
	for _, r := range out {
		printResult(r)
	}
	fmt.Printf("  closed-loop throughput vs the balance floor (a single-row read, no transaction): %.0f / %.0f req/s = %.0f%%\n",
		out[1].throughput(), floor.throughput(), 100*out[1].throughput()/floor.throughput())
	fmt.Printf("  p99 at %d req/s: %s (target ≤ 25ms)\n\n", f.submitRate, ms(out[0].pct(0.99)))
	return out, nil
}

// benchEnv is the environment of an oslira process under test: development, the bench database
// and secret, and no rate limits (they would refuse a load test's traffic from one user).
func benchEnv(dsn, addr, secret string, extra ...string) []string {
	return append([]string{
		"APP_ENV=development", "DATABASE_URL=" + dsn, "HTTP_ADDR=" + addr,
		"SUPABASE_JWT_SECRET=" + secret, "LOG_LEVEL=info", "RATE_LIMITS_DISABLED=true",
	}, extra...)
}
