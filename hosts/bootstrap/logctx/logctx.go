// Package logctx carries per-request facts (request id, user, account) in a context.Context and
// adds them to every log record written with that context.
//
// It is deliberately tiny and imports nothing from the hosts so that every host package (httpapi,
// worker, cron) can use it without creating an import cycle with hosts/bootstrap, which composes them.
package logctx

import "context"

type ctxKey int

const (
	requestIDKey ctxKey = iota
	userKey
)

type user struct{ userID, accountID string }

// WithRequestID returns a copy of ctx that carries the request id. An empty id leaves ctx as is.
func WithRequestID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id carried by ctx, or "" when there is none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithUser returns a copy of ctx that carries the authenticated user and the account the request
// acts for (either may be empty, for example before the account is resolved).
func WithUser(ctx context.Context, userID, accountID string) context.Context {
	if userID == "" && accountID == "" {
		return ctx
	}
	return context.WithValue(ctx, userKey, user{userID: userID, accountID: accountID})
}

// User returns the user and account ids carried by ctx, or empty strings.
func User(ctx context.Context) (userID, accountID string) {
	u, _ := ctx.Value(userKey).(user)
	return u.userID, u.accountID
}
