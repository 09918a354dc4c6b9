// Package contracts embeds the language-neutral contracts of the API — the OpenAPI document and
// the error catalogue (JSON Schemas follow) — so the binary can serve them and tests can check
// the code against them.
package contracts

import _ "embed"

// ErrorsMarkdown is contracts/errors.md: the catalogue of stable error codes.
//
//go:embed errors.md
var ErrorsMarkdown string

// OpenAPIYAML is contracts/openapi.yaml (OpenAPI 3.0.3): every route, its responses and codes.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte
