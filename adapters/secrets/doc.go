// Package secrets implements core/secret.Provider twice: on AWS Secrets Manager for deployed
// environments and on environment variables for development.
//
// # Naming
//
// A secret called NAME lives in Secrets Manager at Oslira/<Env>/<NAME>; in development it is the
// environment variable NAME. Names are 1–128 characters of [A-Za-z0-9_-].
//
// # Values
//
// A SecretString is either the value itself or a JSON object whose "apiKey" member is the value.
// A JSON object without a string "apiKey" is a configuration mistake (Internal). An empty value
// counts as not found, in both providers, so that "set but blank" fails start-up the same way as
// "not set".
//
// # Caching
//
// The AWS provider caches each value for Config.TTL (5 minutes by default, so a rotation takes
// effect within 5 minutes) and collapses concurrent misses for one name into a single
// GetSecretValue call (singleflight). Only values are cached; "not found" and errors are not.
//
// # Refresh failures (decision)
//
// When a cached value has expired and the refresh fails because Secrets Manager is unavailable
// (throttling, 5xx, network, timeout — after the SDK's own retries), Get keeps serving the last
// good value and tries again after min(TTL, 30s). This is what AWS's caching library does: a
// Secrets Manager blip must not take down every call that needs an API key, and a rotated key
// normally stays valid for a while. It is not silent: the failure is recorded and the "secrets"
// health check reports it. When the store answers instead — the secret was deleted, access was
// revoked, the value became malformed — the cached value is dropped and the error is returned,
// because that answer is a deliberate change that a stale value would hide.
//
// # Errors
//
// Get returns secret.ErrNotFound (errors.Is works) for ResourceNotFoundException and empty values,
// secret.ErrUnavailable (kind Unavailable) for failures the SDK classifies as retryable or
// throttling, for network failures and for timeouts, and an apperr.Internal error naming the AWS
// error code for everything else (AccessDeniedException, DecryptionFailure, …).
// Errors name the secret but never contain its value.
package secrets
