package bootstrap

import (
	"io"
	"log/slog"

	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// NewLogger returns the process logger: JSON lines on w (stdout in the binary) at the given
// minimum level, each record carrying the request id, user id and account id of the context it
// was logged with (see logctx). Levels above Error are written as "CRITICAL".
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	json := slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: logctx.ReplaceLevelName,
	})
	return slog.New(logctx.NewHandler(json))
}
