package bootstrap

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/hosts/bootstrap/logctx"
	"github.com/oslira/oslira/hosts/httpapi"
)

// BenchmarkAccessLog is what the access log line costs a request through the real middleware
// chain, written to a pipe (as stdout is in production and in make bench): the logger before
// logctx.JSONHandler (slog.JSONHandler with ReplaceAttr, wrapped to add the context ids,
// unbuffered) and the process logger now (JSONHandler through a LineBuffer), each at info (one
// line per request) and at warn (none). The difference info − warn is the line's cost.
func BenchmarkAccessLog(b *testing.B) {
	old := func(w io.Writer, level slog.Level) *slog.Logger {
		h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: logctx.ReplaceLevelName})
		return slog.New(logctx.NewHandler(h))
	}
	current := func(w io.Writer, level slog.Level) *slog.Logger {
		return NewLogger(logctx.NewLineBuffer(w, 100*time.Millisecond), level)
	}
	for _, c := range []struct {
		name  string
		build func(io.Writer, slog.Level) *slog.Logger
	}{{"before", old}, {"now", current}} {
		for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
			b.Run(c.name+"/"+level.String(), func(b *testing.B) {
				r, w, err := os.Pipe()
				if err != nil {
					b.Fatal(err)
				}
				go func() { _, _ = io.Copy(io.Discard, r) }()
				defer w.Close()
				spec, err := httpapi.LoadContract()
				if err != nil {
					b.Fatal(err)
				}
				cfg := httpapi.Config{Version: "bench"}.WithDefaults()
				log := c.build(w, level).With("process", "serve")
				e := httpapi.NewHandlerWith(cfg, log, httpapi.NewHealth(nil, "bench"),
					httpapi.NewAPI(nil, nil, nil, httpapi.Billing{}), spec, nil, nil).(*gin.Engine)
				e.GET("/t/balance", func(c *gin.Context) {
					c.Request = c.Request.WithContext(logctx.WithUser(c.Request.Context(),
						"1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed", "2b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"))
					c.JSON(http.StatusOK, gin.H{"balance": 25})
				})
				req := httptest.NewRequest(http.MethodGet, "/t/balance", nil)
				b.ReportAllocs()
				for b.Loop() {
					e.ServeHTTP(httptest.NewRecorder(), req)
				}
			})
		}
	}
}
