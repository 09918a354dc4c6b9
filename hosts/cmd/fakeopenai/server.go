package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// maxRequest bounds a request body (prompts and a schema).
const maxRequest = 4 << 20

// server answers OpenAI's Chat Completions API (POST /v1/chat/completions) the way the real one
// does for a strict json_schema response format: a chat.completion whose message content is a
// JSON document conforming to the request's schema, with usage. Errors use OpenAI's envelope.
// It checks what the real API refuses and a client could get wrong: the bearer token (any
// non-empty one, or exactly key when set), the body, a json_schema response format, and the
// parameters each model family takes (GPT-5 and o-series: max_completion_tokens and
// reasoning_effort, never max_tokens or a temperature other than 1; older models: no
// reasoning_effort).
type server struct {
	key   string
	log   *slog.Logger
	now   func() time.Time
	calls atomic.Int64
}

// chatRequest is the part of a Chat Completions body the fake reads.
type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Strict bool            `json:"strict"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
	MaxTokens           *int     `json:"max_tokens"`
	MaxCompletionTokens *int     `json:"max_completion_tokens"`
	ReasoningEffort     *string  `json:"reasoning_effort"`
	Temperature         *float64 `json:"temperature"`
}

// apiError is an OpenAI error answer.
type apiError struct {
	status  int
	typ     string
	code    string
	param   string
	message string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	status, model, schema, usage := s.serve(w, r)
	s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status, "model", model,
		"schema", schema, "prompt_tokens", usage.PromptTokens, "completion_tokens", usage.CompletionTokens,
		"took", s.now().Sub(start).String())
}

// usage is the usage object of a completion.
type usage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	TotalTokens         int64 `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) (status int, model, schema string, u usage) {
	if r.URL.Path != "/v1/chat/completions" {
		return s.fail(w, apiError{http.StatusNotFound, "invalid_request_error", "unknown_url", "",
			fmt.Sprintf("Invalid URL (%s %s): this fake serves POST /v1/chat/completions only", r.Method, r.URL.Path)}), "", "", u
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return s.fail(w, apiError{http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed", "",
			"Method " + r.Method + " not allowed: use POST"}), "", "", u
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return s.fail(w, apiError{http.StatusUnauthorized, "invalid_request_error", "", "",
			"You didn't provide an API key (Authorization: Bearer <key>)."}), "", "", u
	}
	if s.key != "" && token != s.key {
		return s.fail(w, apiError{http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "",
			"Incorrect API key provided."}), "", "", u
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	if err != nil || len(raw) > maxRequest {
		return s.fail(w, apiError{http.StatusBadRequest, "invalid_request_error", "", "", "The request body could not be read or is too large."}), "", "", u
	}
	var req chatRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return s.fail(w, apiError{http.StatusBadRequest, "invalid_request_error", "", "",
			"We could not parse the JSON body of your request: " + err.Error()}), "", "", u
	}
	if e, bad := checkRequest(req); bad {
		return s.fail(w, e), req.Model, "", u
	}
	rf := req.ResponseFormat.JSONSchema
	var sch map[string]any
	if err := json.Unmarshal(rf.Schema, &sch); err != nil {
		return s.fail(w, apiError{http.StatusBadRequest, "invalid_request_error", "invalid_json_schema", "response_format",
			"Invalid schema for response_format '" + rf.Name + "': not a JSON object."}), req.Model, rf.Name, u
	}
	doc, err := instance(sch, req.Model)
	if err != nil {
		return s.fail(w, apiError{http.StatusBadRequest, "invalid_request_error", "invalid_json_schema", "response_format",
			"Invalid schema for response_format '" + rf.Name + "': " + err.Error()}), req.Model, rf.Name, u
	}
	content, _ := json.Marshal(doc) // a value decoded from JSON: cannot fail

	promptChars := len(rf.Schema)
	for _, m := range req.Messages {
		promptChars += len(m.Content)
	}
	u.PromptTokens = tokens(promptChars)
	u.CompletionTokens = tokens(len(content))
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	n := s.calls.Add(1)
	body := map[string]any{
		"id":      fmt.Sprintf("chatcmpl-fake%06d", n),
		"object":  "chat.completion",
		"created": s.now().Unix(),
		"model":   req.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": string(content), "refusal": nil},
			"logprobs":      nil,
			"finish_reason": "stop",
		}},
		"usage":              u,
		"system_fingerprint": "fp_fake_" + shortHash(rf.Schema),
	}
	w.Header().Set("x-request-id", fmt.Sprintf("req_fake%06d", n))
	writeJSON(w, http.StatusOK, body)
	return http.StatusOK, req.Model, rf.Name, u
}

// checkRequest refuses what OpenAI refuses before generating anything.
func checkRequest(req chatRequest) (apiError, bool) {
	invalid := func(param, code, msg string) (apiError, bool) {
		return apiError{http.StatusBadRequest, "invalid_request_error", code, param, msg}, true
	}
	switch {
	case req.Model == "":
		return invalid("model", "", "you must provide a model parameter")
	case len(req.Messages) == 0:
		return invalid("messages", "", "[] is too short - 'messages'")
	case req.ResponseFormat == nil || req.ResponseFormat.Type != "json_schema" || req.ResponseFormat.JSONSchema == nil:
		return invalid("response_format", "", "this fake answers only response_format {\"type\": \"json_schema\", \"json_schema\": {...}}")
	case len(req.ResponseFormat.JSONSchema.Schema) == 0:
		return invalid("response_format.json_schema.schema", "", "Missing required parameter: 'response_format.json_schema.schema'.")
	}
	if reasoningModel(req.Model) {
		if req.MaxTokens != nil {
			return invalid("max_tokens", "unsupported_parameter",
				"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.")
		}
		if req.Temperature != nil && *req.Temperature != 1 {
			return invalid("temperature", "unsupported_value",
				"Unsupported value: 'temperature' does not support this value with this model. Only the default (1) value is supported.")
		}
	} else if req.ReasoningEffort != nil {
		return invalid("reasoning_effort", "unsupported_parameter",
			"Unsupported parameter: 'reasoning_effort' is not supported with this model.")
	}
	return apiError{}, false
}

// reasoningModel: the GPT-5 family and the o-series.
func reasoningModel(model string) bool {
	m := strings.ToLower(model)
	for _, p := range []string{"gpt-5", "o1", "o3", "o4"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// tokens estimates a token count from characters (about four per token), at least 1.
func tokens(chars int) int64 { return int64(max(1, (chars+3)/4)) }

func shortHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}

func (s *server) fail(w http.ResponseWriter, e apiError) int {
	var code, param any
	if e.code != "" {
		code = e.code
	}
	if e.param != "" {
		param = e.param
	}
	writeJSON(w, e.status, map[string]any{"error": map[string]any{
		"message": e.message, "type": e.typ, "param": param, "code": code,
	}})
	return e.status
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
