package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
)

// TestStopCutsOffARequestAsShutdown: a client that is still sending its body when the drain
// deadline passes is cut off. The request is logged as cut off by shutdown — not as the client's
// 400 request.invalid, which is what reading the closed body turns into — and Stop returns an
// error wrapping ErrCutOffByShutdown after the handler has returned.
func TestStopCutsOffARequestAsShutdown(t *testing.T) {
	t.Parallel()
	b := setup(t)
	entered := make(chan struct{})
	b.engine.POST("/upload", func(c *gin.Context) {
		close(entered)
		if _, err := io.ReadAll(c.Request.Body); err != nil {
			_ = c.Error(apperr.Wrap(err, apperr.Invalid, apperr.CodeInvalidRequest, "The request body could not be read."))
			return
		}
		c.Status(204)
	})
	srv := NewServer(Config{Addr: "127.0.0.1:0", ShutdownTimeout: 100 * time.Millisecond}, b.engine, newTestLogger(b.logs))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	// Half a body: the handler blocks reading the rest.
	if _, err := fmt.Fprint(conn, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":"); err != nil {
		t.Fatal(err)
	}
	<-entered

	err = srv.Stop(context.Background())
	if !errors.Is(err, ErrCutOffByShutdown) || !strings.Contains(err.Error(), "1 request(s)") {
		t.Fatalf("Stop: %v, want ErrCutOffByShutdown for 1 request", err)
	}
	logs := b.logs.String()
	if !strings.Contains(logs, `"msg":"http request cut off by shutdown"`) || !strings.Contains(logs, `"route":"/upload"`) {
		t.Errorf("no cut-off line for the request:\n%s", logs)
	}
	if strings.Contains(logs, "request.invalid") || strings.Contains(logs, `"status":400`) {
		t.Errorf("the cut-off request was logged as a client error:\n%s", logs)
	}
}
