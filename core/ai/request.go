package ai

import (
	"fmt"
	"regexp"
)

// Tier is the class of model a call needs; configuration maps each tier to a model per provider
// (for example small = gpt-5-mini / claude-haiku-4-5, strong = gpt-5 / claude-sonnet-4-5).
type Tier string

// The tiers.
const (
	// TierSmall is a cheap, fast model: light analyses, niche detection, business context.
	TierSmall Tier = "small"
	// TierStrong is the best model the deployment pays for: deep and xray analyses.
	TierStrong Tier = "strong"
)

// Valid reports whether t is one of the tiers.
func (t Tier) Valid() bool { return t == TierSmall || t == TierStrong }

// Effort is the reasoning effort asked of reasoning models (OpenAI's reasoning_effort); other
// models ignore it. Empty means the provider adapter's default.
type Effort string

// The efforts.
const (
	EffortDefault Effort = ""
	EffortLow     Effort = "low"
	EffortMedium  Effort = "medium"
	EffortHigh    Effort = "high"
)

// Valid reports whether e is one of the efforts.
func (e Effort) Valid() bool {
	return e == EffortDefault || e == EffortLow || e == EffortMedium || e == EffortHigh
}

// Schema is the JSON Schema an answer must satisfy: its name (sent to providers as the
// response format's or the forced tool's name) and the schema document. Schemas are written for
// OpenAI's strict mode: every object has additionalProperties false and lists every property as
// required. The product's schemas live in contracts/ai/<name>.schema.json (see the Schema…
// names); a Request may carry only the name and let the Gateway resolve the document.
type Schema struct {
	Name string
	JSON []byte
}

// schemaName is what OpenAI accepts as a json_schema name and Anthropic as a tool name.
var schemaName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// purposeName keeps purposes short and greppable: they are a column and a metrics label.
var purposeName = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// MaxTokensLimit is the largest output budget a Request may ask for.
const MaxTokensLimit = 64000

// Request is one model call.
type Request struct {
	// Purpose names what the call is for ("light_analysis", "business_context", …): a label in
	// ai_usage and metrics, lowercase, at most 64 characters.
	Purpose string
	// Tier selects the model (see Tier).
	Tier Tier
	// System and User are the prompts. User is required. Neither may contain anything that
	// changes on every call (a timestamp, a request id): both are part of the cache key.
	System string
	User   string
	// Schema is the answer's JSON Schema. When JSON is empty the Gateway resolves Name from its
	// configured schemas (contracts/ai).
	Schema Schema
	// AccountID is the account the call is billed to; "" for system work and anonymous
	// analyses.
	AccountID string
	// MaxTokens is the output budget; 0 means the Gateway's default for the tier. A malformed
	// answer is retried once with a budget larger by the Gateway's RetryBudgetFactor.
	MaxTokens int
	// Effort is the reasoning effort for reasoning models (default: the adapter's).
	Effort Effort
	// Facts are the structured inputs the prompts were written from (profile metrics, the
	// business and its ICP). Real providers read only the prompts; the offline analyzer fills
	// the schema from Facts. Not part of the cache key: the prompts must already say it all.
	Facts *Facts
}

// validate checks what does not depend on the Gateway's configuration.
func (r Request) validate() error {
	switch {
	case !purposeName.MatchString(r.Purpose):
		return invalid("purpose", "must be 1–64 characters: lowercase letters, digits, '_', '.', '-', starting with a letter")
	case !r.Tier.Valid():
		return invalid("tier", fmt.Sprintf("must be %q or %q", TierSmall, TierStrong))
	case r.User == "":
		return invalid("user", "the user prompt is required")
	case !schemaName.MatchString(r.Schema.Name):
		return invalid("schema", "the schema name must be 1–64 letters, digits, '_' or '-'")
	case r.MaxTokens < 0 || r.MaxTokens > MaxTokensLimit:
		return invalid("max_tokens", fmt.Sprintf("must be between 0 and %d", MaxTokensLimit))
	case !r.Effort.Valid():
		return invalid("effort", "must be low, medium, high or empty")
	}
	return nil
}

func invalid(field, message string) error {
	return ErrInvalidRequest.WithMessage("invalid model request: " + field + " " + message)
}
