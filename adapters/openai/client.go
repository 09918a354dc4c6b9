package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/observe"
)

// Name is the provider's name in cache keys and ai_usage.
const Name = "openai"

// maxBody bounds a response body read into memory.
const maxBody = 4 << 20

// Client is the OpenAI ai.Provider. Safe for concurrent use.
type Client struct {
	cfg  Config
	http *httpclient.Client
}

var _ ai.Provider = (*Client)(nil)

// New builds a client.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg.HTTP.RetryAfter = retryAfter
	cfg.HTTP.Final = final
	hc, err := httpclient.New(cfg.HTTP)
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, http: hc}, nil
}

// Name implements ai.Provider.
func (c *Client) Name() string { return Name }

// HealthCheck reports the client's circuit breaker (non-critical; sends nothing).
func (c *Client) HealthCheck() observe.HealthChecker { return c.http.HealthCheck() }

// chatRequest is the Chat Completions body.
type chatRequest struct {
	Model               string         `json:"model"`
	Messages            []message      `json:"messages"`
	ResponseFormat      responseFormat `json:"response_format"`
	MaxCompletionTokens int            `json:"max_completion_tokens,omitempty"`
	MaxTokens           int            `json:"max_tokens,omitempty"`
	ReasoningEffort     string         `json:"reasoning_effort,omitempty"`
	Temperature         *float64       `json:"temperature,omitempty"`
	Store               bool           `json:"store"`
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type responseFormat struct {
	Type       string     `json:"type"`
	JSONSchema jsonSchema `json:"json_schema"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Strict bool            `json:"strict"`
	Schema json.RawMessage `json:"schema"`
}

// chatResponse is the part of a completion we read.
type chatResponse struct {
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		PromptTokens        int64 `json:"prompt_tokens"`
		CompletionTokens    int64 `json:"completion_tokens"`
		PromptTokensDetails struct {
			CachedTokens int64 `json:"cached_tokens"`
		} `json:"prompt_tokens_details"`
	} `json:"usage"`
}

// errorBody is OpenAI's error envelope.
type errorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// reasoningModel reports whether model takes max_completion_tokens and reasoning_effort and
// refuses a non-default temperature: the GPT-5 family and the o-series.
func reasoningModel(model string) bool {
	m := strings.ToLower(model)
	for _, p := range []string{"gpt-5", "o1", "o3", "o4"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// Complete implements ai.Provider.
func (c *Client) Complete(ctx context.Context, call ai.Call) (ai.Completion, error) {
	body := chatRequest{
		Model: call.Model,
		Messages: []message{
			{Role: "system", Content: call.System},
			{Role: "user", Content: call.User},
		},
		ResponseFormat: responseFormat{Type: "json_schema", JSONSchema: jsonSchema{Name: call.Schema.Name, Strict: true, Schema: call.Schema.JSON}},
	}
	if call.System == "" {
		body.Messages = body.Messages[1:]
	}
	if reasoningModel(call.Model) {
		body.MaxCompletionTokens = call.MaxTokens
		effort := call.Effort
		if effort == ai.EffortDefault {
			effort = c.cfg.ReasoningEffort
		}
		body.ReasoningEffort = string(effort)
	} else {
		body.MaxTokens = call.MaxTokens
		t := c.cfg.Temperature
		body.Temperature = &t
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return ai.Completion{}, ai.ErrRejected.WithCause(fmt.Errorf("openai: encode request: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/chat/completions", bytes.NewReader(payload))
	if err != nil {
		return ai.Completion{}, ai.ErrRejected.WithCause(fmt.Errorf("openai: build request: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	req.Header.Set("Content-Type", "application/json")
	setGatewayHeaders(req.Header, c.cfg.Gateway, call)

	resp, err := c.http.Do(req)
	if err != nil {
		return ai.Completion{}, transportError(ctx, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return ai.Completion{}, transportError(ctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		return ai.Completion{}, statusError(resp, raw)
	}
	var out chatResponse
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Choices) == 0 {
		return ai.Completion{}, ai.ErrUnavailable.WithCause(fmt.Errorf("openai: unreadable completion (%d bytes)", len(raw)))
	}
	choice := out.Choices[0]
	comp := ai.Completion{
		Model: out.Model,
		Usage: ai.Usage{
			Input:  out.Usage.PromptTokens,
			Output: out.Usage.CompletionTokens,
			Cached: out.Usage.PromptTokensDetails.CachedTokens,
		},
		Truncated: choice.FinishReason == "length",
		CacheHit:  strings.EqualFold(resp.Header.Get("cf-aig-cache-status"), "HIT"),
	}
	if choice.Message.Refusal != nil && *choice.Message.Refusal != "" {
		comp.Refusal = *choice.Message.Refusal
	}
	if choice.Message.Content != nil {
		comp.JSON = []byte(*choice.Message.Content)
	}
	return comp, nil
}

// setGatewayHeaders adds the Cloudflare AI Gateway headers g asks for.
func setGatewayHeaders(h http.Header, g Gateway, call ai.Call) {
	if g.Token != "" {
		h.Set("cf-aig-authorization", "Bearer "+g.Token)
	}
	if g.SkipCache {
		h.Set("cf-aig-skip-cache", "true")
	} else if g.CacheTTL > 0 {
		h.Set("cf-aig-cache-ttl", strconv.Itoa(int(g.CacheTTL/time.Second)))
	}
	if g.Metadata {
		meta, _ := json.Marshal(map[string]string{"purpose": call.Purpose, "account": call.AccountID})
		h.Set("cf-aig-metadata", string(meta))
	}
}

// transportError maps a call that got no response: the caller's own cancellation stays its
// error; everything else (connection failures, timeouts, an open breaker) is Unavailable.
func transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return ai.ErrUnavailable.WithCause(fmt.Errorf("openai: %w", err))
}

// statusError maps an error response.
func statusError(resp *http.Response, raw []byte) error {
	var eb errorBody
	_ = json.Unmarshal(raw, &eb)
	code := ""
	if eb.Error.Code != nil {
		code = *eb.Error.Code
	}
	cause := fmt.Errorf("openai: %d %s %s: %s", resp.StatusCode, eb.Error.Type, code, eb.Error.Message)
	wait, _ := retryAfter(resp)
	switch {
	case isQuota(eb):
		return ai.ErrQuotaExhausted.WithCause(cause)
	case resp.StatusCode == http.StatusTooManyRequests:
		return ai.WithRetryAfter(ai.ErrRateLimited.WithCause(cause), wait)
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusConflict, resp.StatusCode >= 500:
		return ai.WithRetryAfter(ai.ErrUnavailable.WithCause(cause), wait)
	default:
		return ai.ErrRejected.WithCause(cause)
	}
}

func isQuota(eb errorBody) bool {
	return eb.Error.Type == "insufficient_quota" || (eb.Error.Code != nil && *eb.Error.Code == "insufficient_quota")
}

// final tells httpclient not to retry a 429 insufficient_quota (money, not time, fixes it) or a
// response carrying x-should-retry: false.
func final(status int, h http.Header, body []byte) bool {
	if strings.EqualFold(h.Get("x-should-retry"), "false") {
		return true
	}
	if status != http.StatusTooManyRequests {
		return false
	}
	var eb errorBody
	return json.Unmarshal(body, &eb) == nil && isQuota(eb)
}

// retryAfter is OpenAI's wait hint: retry-after-ms, else Retry-After, else (on a 429) the
// longer of x-ratelimit-reset-requests and x-ratelimit-reset-tokens (duration strings such as
// "1s", "6m0s", "12ms").
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	if ms, err := strconv.ParseFloat(resp.Header.Get("retry-after-ms"), 64); err == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	if d, ok := httpclient.RetryAfterHeader(resp); ok {
		return d, true
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	var longest time.Duration
	found := false
	for _, h := range []string{"x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"} {
		if d, err := time.ParseDuration(resp.Header.Get(h)); err == nil && d >= 0 {
			longest, found = max(longest, d), true
		}
	}
	return longest, found
}
