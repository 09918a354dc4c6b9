package anthropic

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
const Name = "anthropic"

const maxBody = 4 << 20

// Client is the Anthropic ai.Provider. Safe for concurrent use.
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

type messagesRequest struct {
	Model       string     `json:"model"`
	MaxTokens   int        `json:"max_tokens"`
	System      string     `json:"system,omitempty"`
	Messages    []message  `json:"messages"`
	Tools       []tool     `json:"tools"`
	ToolChoice  toolChoice `json:"tool_choice"`
	Temperature float64    `json:"temperature"`
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type toolChoice struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type messagesResponse struct {
	Model   string `json:"model"`
	Content []struct {
		Type  string          `json:"type"`
		Text  string          `json:"text"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	} `json:"content"`
	StopReason string `json:"stop_reason"`
	Usage      struct {
		InputTokens              int64 `json:"input_tokens"`
		OutputTokens             int64 `json:"output_tokens"`
		CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
		CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	} `json:"usage"`
}

type errorBody struct {
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// Complete implements ai.Provider.
func (c *Client) Complete(ctx context.Context, call ai.Call) (ai.Completion, error) {
	body := messagesRequest{
		Model: call.Model, MaxTokens: call.MaxTokens, System: call.System,
		Messages: []message{{Role: "user", Content: call.User}},
		Tools: []tool{{Name: call.Schema.Name, InputSchema: call.Schema.JSON,
			Description: "Record the answer. Always answer by calling this tool with every field filled."}},
		ToolChoice:  toolChoice{Type: "tool", Name: call.Schema.Name},
		Temperature: c.cfg.Temperature,
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return ai.Completion{}, ai.ErrRejected.WithCause(fmt.Errorf("anthropic: encode request: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/v1/messages", bytes.NewReader(payload))
	if err != nil {
		return ai.Completion{}, ai.ErrRejected.WithCause(fmt.Errorf("anthropic: build request: %w", err))
	}
	req.Header.Set("x-api-key", c.cfg.APIKey)
	req.Header.Set("anthropic-version", APIVersion)
	req.Header.Set("content-type", "application/json")
	setGatewayHeaders(req.Header, c.cfg.Gateway, call)

	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ai.Completion{}, ctx.Err()
		}
		return ai.Completion{}, ai.ErrUnavailable.WithCause(fmt.Errorf("anthropic: %w", err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return ai.Completion{}, ctx.Err()
		}
		return ai.Completion{}, ai.ErrUnavailable.WithCause(fmt.Errorf("anthropic: read response: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		return ai.Completion{}, statusError(resp, raw)
	}
	var out messagesResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return ai.Completion{}, ai.ErrUnavailable.WithCause(fmt.Errorf("anthropic: unreadable message (%d bytes)", len(raw)))
	}
	u := out.Usage
	comp := ai.Completion{
		Model: out.Model,
		Usage: ai.Usage{
			Input:      u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens,
			Output:     u.OutputTokens,
			Cached:     u.CacheReadInputTokens,
			CacheWrite: u.CacheCreationInputTokens,
		},
		Truncated: out.StopReason == "max_tokens",
		CacheHit:  strings.EqualFold(resp.Header.Get("cf-aig-cache-status"), "HIT"),
	}
	var text []string
	for _, block := range out.Content {
		switch {
		case block.Type == "tool_use" && block.Name == call.Schema.Name:
			comp.JSON = block.Input
		case block.Type == "text":
			text = append(text, block.Text)
		}
	}
	if comp.JSON == nil {
		// The model ignored the tool: its text goes to the gateway, which retries what is not JSON.
		comp.JSON = []byte(strings.Join(text, ""))
		if out.StopReason == "refusal" {
			comp.Refusal = strings.Join(text, "")
			if comp.Refusal == "" {
				comp.Refusal = "refusal"
			}
		}
	}
	return comp, nil
}

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

// statusError maps an error response.
func statusError(resp *http.Response, raw []byte) error {
	var eb errorBody
	_ = json.Unmarshal(raw, &eb)
	cause := fmt.Errorf("anthropic: %d %s: %s", resp.StatusCode, eb.Error.Type, eb.Error.Message)
	wait, _ := httpclient.RetryAfterHeader(resp)
	switch {
	case resp.StatusCode == http.StatusPaymentRequired || eb.Error.Type == "billing_error":
		return ai.ErrQuotaExhausted.WithCause(cause)
	case resp.StatusCode == http.StatusTooManyRequests:
		return ai.WithRetryAfter(ai.ErrRateLimited.WithCause(cause), wait)
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusConflict, resp.StatusCode >= 500:
		return ai.WithRetryAfter(ai.ErrUnavailable.WithCause(cause), wait)
	default:
		return ai.ErrRejected.WithCause(cause)
	}
}
