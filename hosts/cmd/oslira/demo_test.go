package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	demoTokenLine   = regexp.MustCompile(`export TOKEN=(\S+)`)
	demoProfileLine = regexp.MustCompile(`"business_profile_id":"([0-9a-f-]{36})"`)
)

// checkDemoWalkthrough is the README walk-through by machine (issue 11, item 8): the token and
// the business profile printed by a fresh serve in development submit a light analysis of the
// sample handle; polling it ends completed and scored by the offline analyzer, one credit spent.
func checkDemoWalkthrough(t *testing.T, client *http.Client, base, stdout string) {
	t.Helper()
	tok, prof := demoTokenLine.FindStringSubmatch(stdout), demoProfileLine.FindStringSubmatch(stdout)
	if tok == nil || prof == nil {
		t.Fatalf("no demo token or business profile in serve's output:\n%s", stdout)
	}
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok[1])
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return resp.StatusCode, out
	}
	_, me := call("GET", "/v1/me", "")
	before, _ := me["balance"].(float64)
	code, a := call("POST", "/v1/analyses", `{"username":"`+demoHandle+`","business_profile_id":"`+prof[1]+`","type":"light"}`)
	id, _ := a["id"].(string)
	if code != http.StatusAccepted || id == "" {
		t.Fatalf("submit: %d %v", code, a)
	}
	deadline := time.Now().Add(60 * time.Second)
	for a["status"] != "completed" && a["status"] != "failed" {
		if time.Now().After(deadline) {
			t.Fatalf("analysis never finished: %v", a)
		}
		time.Sleep(100 * time.Millisecond)
		_, a = call("GET", "/v1/analyses/"+id, "")
	}
	score, _ := a["score"].(float64)
	result, _ := a["result"].(map[string]any)
	models, _ := result["models"].(map[string]any)
	if a["status"] != "completed" || a["outcome"] != "scored" || score < 0 || score > 100 || a["tier"] == nil ||
		a["summary"] == "" || len(models) == 0 {
		t.Errorf("demo analysis = %v", a)
	}
	for purpose, model := range models {
		if model != "offline" {
			t.Errorf("%s answered by %v, want the offline analyzer", purpose, model)
		}
	}
	_, me = call("GET", "/v1/me", "")
	if after, _ := me["balance"].(float64); after != before-1 {
		t.Errorf("credits %v → %v, want one spent", before, after)
	}
}
