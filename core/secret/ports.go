// Package secret names the secrets the application needs and the port that fetches them.
//
// Secrets are looked up by a short NAME (for example OPENAI_API_KEY). Adapters decide where the
// name lives: AWS Secrets Manager under Oslira/<env>/<NAME>, or a process environment variable in
// development. Values are never logged, wrapped into errors or reported.
package secret

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/secretmock/ports_mock.go -package=secretmock

import "context"

// Provider fetches one secret value by name.
//
// Get returns ErrNotFound (apperr.NotFound) when the secret does not exist, an apperr.Unavailable
// error when the backing store cannot be reached or throttles after retries, and an error of kind
// Internal for anything else. No returned error contains the secret's value. Implementations are
// safe for concurrent use and may cache.
type Provider interface {
	Get(ctx context.Context, name string) (string, error)
}
