// Package sentry is the observe.Reporter on Sentry (sentry-go): CRITICAL errors, and panics in
// HTTP handlers (sentrygin), sent with the environment, the release and the request's tags, and
// scrubbed before they leave the process (scrub.go). Without a DSN it is disabled: Report does
// nothing and no middleware is installed.
//
// It keeps its own client and hub (never sentry-go's global one), so tests and several
// reporters in one process do not share state.
package sentry
