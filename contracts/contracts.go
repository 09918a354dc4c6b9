// Package contracts embeds the language-neutral contracts of the API (error codes now; the
// OpenAPI document and JSON Schemas as they are written) so the binary can serve them and tests
// can check the code against them.
package contracts

import _ "embed"

// ErrorsMarkdown is contracts/errors.md: the catalogue of stable error codes.
//
//go:embed errors.md
var ErrorsMarkdown string
