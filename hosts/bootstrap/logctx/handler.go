package logctx

import (
	"context"
	"log/slog"

	"github.com/oslira/oslira/core/apperr"
)

// Attribute keys added to records by Handler.
const (
	KeyRequestID = "request_id"
	KeyUserID    = "user_id"
	KeyAccountID = "account_id"
)

// LevelCritical is the slog level of apperr.LevelCritical: above Error, rendered as "CRITICAL" by
// ReplaceLevelName.
const LevelCritical = slog.LevelError + 4

// Level maps an error's severity (from apperr.Kind.Level) to a slog level.
func Level(l apperr.Level) slog.Level {
	switch l {
	case apperr.LevelInfo:
		return slog.LevelInfo
	case apperr.LevelWarn:
		return slog.LevelWarn
	case apperr.LevelError:
		return slog.LevelError
	default:
		return LevelCritical
	}
}

// ReplaceLevelName is a slog.HandlerOptions.ReplaceAttr function that names LevelCritical
// "CRITICAL" instead of slog's default "ERROR+4".
func ReplaceLevelName(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.LevelKey {
		if lvl, ok := a.Value.Any().(slog.Level); ok && lvl >= LevelCritical {
			return slog.String(slog.LevelKey, "CRITICAL")
		}
	}
	return a
}

// Handler wraps another slog.Handler and adds the request id, user id and account id found in
// the record's context, so any line logged with a request's context can be traced back to it.
type Handler struct {
	next slog.Handler
}

// NewHandler wraps next.
func NewHandler(next slog.Handler) *Handler { return &Handler{next: next} }

// Enabled reports whether the wrapped handler handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the context's ids to r and passes it on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			r.AddAttrs(slog.String(KeyRequestID, id))
		}
		if userID, accountID := User(ctx); userID != "" || accountID != "" {
			if userID != "" {
				r.AddAttrs(slog.String(KeyUserID, userID))
			}
			if accountID != "" {
				r.AddAttrs(slog.String(KeyAccountID, accountID))
			}
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a Handler whose wrapped handler has the attributes.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(attrs)}
}

// WithGroup returns a Handler whose wrapped handler opens the group. Context ids are then added
// inside the group, which is acceptable: groups are not used for request-scoped loggers here.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}
