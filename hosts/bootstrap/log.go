package bootstrap

import (
	"io"
	"log/slog"

	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// NewLogger returns the process logger: JSON lines on w (stdout in the binary, through a
// logctx.LineBuffer) at the given minimum level, each record carrying the request id, user id
// and account id of the context it was logged with (see logctx.JSONHandler). Levels above Error
// are written as "CRITICAL". level may be a *slog.LevelVar, so the level can change while the
// process runs (WatchLogLevel).
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(logctx.NewJSONHandler(w, level))
}
