// Package contracts embeds the language-neutral contracts of the API — the OpenAPI document, the
// error catalogue and the JSON Schemas of every AI answer — so the binary can serve them and
// tests can check the code against them.
package contracts

import (
	"embed"
	"io/fs"
	"strings"
)

// ErrorsMarkdown is contracts/errors.md: the catalogue of stable error codes.
//
//go:embed errors.md
var ErrorsMarkdown string

// OpenAPIYAML is contracts/openapi.yaml (OpenAPI 3.0.3): every route, its responses and codes.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

// aiSchemas is contracts/ai: one JSON Schema per AI answer, named <name>.schema.json.
//
//go:embed ai/*.schema.json
var aiSchemas embed.FS

// AISchemas returns the JSON Schemas of the AI answers by name (the file name without
// ".schema.json": "light_analysis", "business_one_liner", …; core/ai names them). They are
// written for OpenAI's strict structured outputs — every object closed (additionalProperties
// false) with every property required — and are sent to the providers as they are and used to
// validate their answers. The map is a fresh copy on every call.
func AISchemas() map[string][]byte {
	out := map[string][]byte{}
	entries, _ := fs.ReadDir(aiSchemas, "ai") // embedded: cannot fail
	for _, e := range entries {
		b, _ := fs.ReadFile(aiSchemas, "ai/"+e.Name())
		out[strings.TrimSuffix(e.Name(), ".schema.json")] = b
	}
	return out
}
