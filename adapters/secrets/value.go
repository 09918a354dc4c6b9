package secrets

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oslira/oslira/core/apperr"
)

// apiKeyField is the member of a JSON secret that holds the value.
const apiKeyField = "apiKey"

// decodeValue turns a SecretString into the secret's value: the "apiKey" member when the string
// is a JSON object, else the string itself. Errors name the secret and never quote the input or a
// JSON decoder message (which could echo part of it).
func decodeValue(name, s string) (string, error) {
	trimmed := strings.TrimSpace(s)
	if !strings.HasPrefix(trimmed, "{") {
		return s, nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(trimmed), &obj) != nil {
		return s, nil // not JSON after all: a plain value that happens to start with '{'
	}
	raw, ok := obj[apiKeyField]
	if !ok {
		return "", apperr.New(apperr.Internal, apperr.CodeInternal,
			fmt.Sprintf("secret %s is a JSON object without %q", name, apiKeyField))
	}
	var key string
	if json.Unmarshal(raw, &key) != nil {
		return "", apperr.New(apperr.Internal, apperr.CodeInternal,
			fmt.Sprintf("secret %s: %q is not a JSON string", name, apiKeyField))
	}
	return key, nil
}
