// Package fakeserve is the serving loop the local fake APIs (cmd/fakeopenai, cmd/fakeapify)
// share: serve on a listener until the context ends, then shut down gracefully.
package fakeserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout bounds the graceful stop.
const ShutdownTimeout = 5 * time.Second

// Serve runs srv on ln until ctx ends or serving fails, then shuts srv down within
// ShutdownTimeout and prints "<name>: stopped" on stdout. It returns the command's exit status:
// 0 after a clean stop, 1 when serving or the shutdown failed (the reason is printed on stderr).
func Serve(ctx context.Context, name string, srv *http.Server, ln net.Listener, stdout, stderr io.Writer) int {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		_, _ = fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_, _ = fmt.Fprintf(stderr, "%s: shutdown: %v\n", name, err)
		return 1
	}
	_, _ = fmt.Fprintf(stdout, "%s: stopped\n", name)
	return 0
}
