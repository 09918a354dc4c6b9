package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/adapters/jsonschema"
	"github.com/oslira/oslira/adapters/openai"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
)

// newFake serves the fake on a test server and returns its /v1 URL and the log it writes.
func newFake(t *testing.T, key string) (string, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(&server{key: key, log: slog.New(slog.NewJSONHandler(&log, nil)), now: func() time.Time { return at }})
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", &log
}

func aiSchema(t *testing.T, name string) ai.Schema {
	t.Helper()
	doc, ok := contracts.AISchemas()[name]
	if !ok {
		t.Fatalf("no schema %s", name)
	}
	return ai.Schema{Name: name, JSON: doc}
}

// TestTheOpenAIAdapterGetsSchemaConformingAnswers drives the fake with the application's own
// OpenAI adapter, for a GPT-5 model (max_completion_tokens, reasoning_effort) and an older one
// (max_tokens, temperature): each answer is valid JSON of the requested schema, with usage and
// the model echoed, as the gateway records them in ai_usage.
func TestTheOpenAIAdapterGetsSchemaConformingAnswers(t *testing.T) {
	t.Parallel()
	url, log := newFake(t, "sk-local")
	client, err := openai.New(openai.Config{BaseURL: url, APIKey: "sk-local", HTTP: httpclient.Config{NoRetries: true}})
	if err != nil {
		t.Fatal(err)
	}
	v := jsonschema.New()
	for _, tc := range []struct{ model, schema string }{
		{"gpt-5-mini", "business_one_liner"},
		{"gpt-5", "light_analysis"},
		{"gpt-4o-mini", "business_summary"},
	} {
		schema := aiSchema(t, tc.schema)
		comp, err := client.Complete(t.Context(), ai.Call{Purpose: "test", Model: tc.model,
			System: "You write JSON.", User: "Describe Acme Strength.", Schema: schema, MaxTokens: 500})
		if err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		if err := v.Validate(schema, comp.JSON); err != nil {
			t.Errorf("%s/%s: %s: %v", tc.model, tc.schema, comp.JSON, err)
		}
		if comp.Model != tc.model || comp.Usage.Input <= 0 || comp.Usage.Output <= 0 || comp.Truncated || comp.Refusal != "" {
			t.Errorf("%s: completion %+v", tc.model, comp)
		}
	}
	var one struct {
		OneLiner string `json:"one_liner"`
	}
	comp, err := client.Complete(t.Context(), ai.Call{Purpose: "test", Model: "gpt-5-mini", User: "x",
		Schema: aiSchema(t, "business_one_liner"), MaxTokens: 100})
	if err != nil || json.Unmarshal(comp.JSON, &one) != nil || one.OneLiner != "Fake OpenAI answer (gpt-5-mini) for one_liner." {
		t.Errorf("one-liner = %s, %v", comp.JSON, err)
	}
	if n := strings.Count(log.String(), `"status":200`); n != 4 {
		t.Errorf("%d logged successes, want 4:\n%s", n, log.String())
	}
	if strings.Contains(log.String(), "sk-local") {
		t.Error("the log contains the API key")
	}
}

// TestTheWireFormat checks the raw answer: OpenAI's chat.completion object.
func TestTheWireFormat(t *testing.T) {
	t.Parallel()
	url, _ := newFake(t, "")
	body := `{"model": "gpt-5-mini", "messages": [{"role": "user", "content": "hello there"}], "max_completion_tokens": 50,
		"response_format": {"type": "json_schema", "json_schema": {"name": "x", "strict": true,
		"schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"], "additionalProperties": false}}}}`
	resp, raw := post(t, url+"/chat/completions", "Bearer anything", body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" ||
		!strings.HasPrefix(resp.Header.Get("x-request-id"), "req_fake") {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, raw)
	}
	var got struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		Model   string `json:"model"`
		Choices []struct {
			Index   int `json:"index"`
			Message struct {
				Role    string  `json:"role"`
				Content string  `json:"content"`
				Refusal *string `json:"refusal"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage usage `json:"usage"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || !strings.HasPrefix(got.ID, "chatcmpl-") || got.Created != 1796385600 ||
		got.Model != "gpt-5-mini" || len(got.Choices) != 1 || got.Choices[0].Message.Role != "assistant" ||
		got.Choices[0].Message.Content != `{"ok":true}` || got.Choices[0].Message.Refusal != nil ||
		got.Choices[0].FinishReason != "stop" || got.Usage.CompletionTokens != 3 ||
		got.Usage.TotalTokens != got.Usage.PromptTokens+got.Usage.CompletionTokens {
		t.Errorf("completion %s", raw)
	}
}

func post(t *testing.T, url, auth, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// TestRefusalsUseOpenAIsErrorEnvelope: what the real API refuses, the fake refuses with the same
// status and envelope, so a client mistake shows up locally.
func TestRefusalsUseOpenAIsErrorEnvelope(t *testing.T) {
	t.Parallel()
	url, log := newFake(t, "sk-right")
	schema := `"response_format": {"type": "json_schema", "json_schema": {"name": "x", "strict": true, "schema": {"type": "object", "properties": {}}}}`
	msgs := `"messages": [{"role": "user", "content": "hi"}]`
	for _, tc := range []struct {
		name, method, path, auth, body string
		status                         int
		code, param                    string
	}{
		{"no key", "POST", "/chat/completions", "", "{}", 401, "", ""},
		{"wrong key", "POST", "/chat/completions", "Bearer sk-wrong", "{}", 401, "invalid_api_key", ""},
		{"another route", "POST", "/responses", "Bearer sk-right", "{}", 404, "unknown_url", ""},
		{"GET", "GET", "/chat/completions", "Bearer sk-right", "", 405, "method_not_allowed", ""},
		{"malformed JSON", "POST", "/chat/completions", "Bearer sk-right", "{", 400, "", ""},
		{"no model", "POST", "/chat/completions", "Bearer sk-right", `{` + msgs + `, ` + schema + `}`, 400, "", "model"},
		{"no messages", "POST", "/chat/completions", "Bearer sk-right", `{"model": "gpt-5", ` + schema + `}`, 400, "", "messages"},
		{"no response format", "POST", "/chat/completions", "Bearer sk-right", `{"model": "gpt-5", ` + msgs + `}`, 400, "", "response_format"},
		{"json_object format", "POST", "/chat/completions", "Bearer sk-right",
			`{"model": "gpt-5", ` + msgs + `, "response_format": {"type": "json_object"}}`, 400, "", "response_format"},
		{"no schema", "POST", "/chat/completions", "Bearer sk-right",
			`{"model": "gpt-5", ` + msgs + `, "response_format": {"type": "json_schema", "json_schema": {"name": "x"}}}`, 400, "", "response_format.json_schema.schema"},
		{"schema not an object", "POST", "/chat/completions", "Bearer sk-right",
			`{"model": "gpt-5", ` + msgs + `, "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": [1]}}}`, 400, "invalid_json_schema", "response_format"},
		{"unsatisfiable schema", "POST", "/chat/completions", "Bearer sk-right",
			`{"model": "gpt-5", ` + msgs + `, "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "set"}}}}`, 400, "invalid_json_schema", "response_format"},
		{"max_tokens on GPT-5", "POST", "/chat/completions", "Bearer sk-right",
			`{"model": "gpt-5-mini", "max_tokens": 10, ` + msgs + `, ` + schema + `}`, 400, "unsupported_parameter", "max_tokens"},
		{"temperature on o3", "POST", "/chat/completions", "Bearer sk-right",
			`{"model": "o3-mini", "temperature": 0, ` + msgs + `, ` + schema + `}`, 400, "unsupported_value", "temperature"},
		{"reasoning_effort on GPT-4o", "POST", "/chat/completions", "Bearer sk-right",
			`{"model": "gpt-4o", "reasoning_effort": "low", ` + msgs + `, ` + schema + `}`, 400, "unsupported_parameter", "reasoning_effort"},
		{"body too large", "POST", "/chat/completions", "Bearer sk-right", strings.Repeat(" ", maxRequest+1), 400, "", ""},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tc.method, url+tc.path, strings.NewReader(tc.body))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		var env struct {
			Error struct {
				Message string  `json:"message"`
				Type    string  `json:"type"`
				Param   *string `json:"param"`
				Code    *string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			t.Errorf("%s: not an error envelope: %s", tc.name, raw)
			continue
		}
		code, param := "", ""
		if env.Error.Code != nil {
			code = *env.Error.Code
		}
		if env.Error.Param != nil {
			param = *env.Error.Param
		}
		if resp.StatusCode != tc.status || env.Error.Type != "invalid_request_error" || env.Error.Message == "" ||
			code != tc.code || param != tc.param {
			t.Errorf("%s: %d %s, want %d code %q param %q", tc.name, resp.StatusCode, raw, tc.status, tc.code, tc.param)
		}
	}
	if strings.Contains(log.String(), "sk-right") || strings.Contains(log.String(), "sk-wrong") {
		t.Error("the log contains an API key")
	}
}

// TestTheAdapterMapsTheFakesRefusals: a refused request is an ai error the gateway understands
// (a 401 is final, not a fallback-worthy outage).
func TestTheAdapterMapsTheFakesRefusals(t *testing.T) {
	t.Parallel()
	url, _ := newFake(t, "sk-right")
	client, err := openai.New(openai.Config{BaseURL: url, APIKey: "sk-wrong", HTTP: httpclient.Config{NoRetries: true}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Complete(t.Context(), ai.Call{Purpose: "test", Model: "gpt-5-mini", User: "x",
		Schema: aiSchema(t, "business_one_liner"), MaxTokens: 10})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong key: %v", err)
	}
}
