package httpapi

import (
	"context"
	"errors"
)

// ErrCutOffByShutdown is the cause of every request context still open when the drain outlasts
// Config.ShutdownTimeout: Server.Stop cancels them with it, then closes their connections. A
// request that fails because of it (typically reading a body the client can no longer send) is
// logged as "http request cut off by shutdown", never as the client's error, and Stop returns
// an error wrapping it.
var ErrCutOffByShutdown = errors.New("request cut off by shutdown: the drain outlasted SHUTDOWN_TIMEOUT")

// CutOffByShutdown reports whether ctx (a request's context) was cut off by a shutdown.
func CutOffByShutdown(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), ErrCutOffByShutdown)
}
