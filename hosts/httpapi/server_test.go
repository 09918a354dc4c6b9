package httpapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/observe"
)

// coreStubs supplies the dependencies of NewAPI for graph tests that never call a /v1 route.
var coreStubs = fx.Provide(
	func() identity.TokenVerifier { return nil },
	func() *account.Service { return account.NewService(nil, nil) },
	func() *credit.Service { return credit.NewService(nil, nil) },
	func() Billing { return Billing{} },
	func() *idempotency.Service { return nil },
	func() *business.Service { return business.NewService(nil, nil) },
)

func TestServerDrainsInFlightRequests(t *testing.T) {
	t.Parallel()
	b := setup(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	b.engine.GET("/slow", func(c *gin.Context) {
		close(entered)
		<-release
		c.String(http.StatusOK, "done")
	})
	srv := NewServer(Config{Addr: "127.0.0.1:0", ShutdownTimeout: time.Minute}, b.engine, newTestLogger(b.logs))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	url := "http://" + srv.Addr().String()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(body)}
	}()
	<-entered

	stopped := make(chan error, 1)
	go func() { stopped <- srv.Stop(context.Background()) }()

	// Once shutdown has begun, new connections are refused while the slow request is still held.
	for {
		conn, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			break
		}
		_ = conn.Close()
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) before the in-flight request finished", err)
	default:
	}

	close(release)
	r := <-got
	if r.err != nil || r.status != http.StatusOK || r.body != "done" {
		t.Fatalf("in-flight request: %+v", r)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func TestServerStopForcesAfterDeadline(t *testing.T) {
	t.Parallel()
	b := setup(t)
	entered := make(chan struct{})
	b.engine.GET("/stuck", func(c *gin.Context) {
		close(entered)
		<-c.Request.Context().Done() // released when Stop closes the connection
	})
	srv := NewServer(Config{Addr: "127.0.0.1:0", ShutdownTimeout: 20 * time.Millisecond}, b.engine, newTestLogger(b.logs))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := http.Get("http://" + srv.Addr().String() + "/stuck")
		if err == nil {
			_ = resp.Body.Close()
		}
	}()
	<-entered
	if err := srv.Stop(context.Background()); err == nil {
		t.Fatal("Stop returned nil although a request outlived the deadline")
	}
}

func TestServerStartFailsOnBadAddress(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	for _, addr := range []string{ln.Addr().String(), "127.0.0.1:99999", "not an address"} {
		srv := NewServer(Config{Addr: addr}, http.NotFoundHandler(), newTestLogger(io.Discard))
		if err := srv.Start(context.Background()); err == nil {
			t.Errorf("Start(%q) succeeded", addr)
			_ = srv.Stop(context.Background())
		}
	}
}

func TestModuleServesHealthFromGroup(t *testing.T) {
	t.Parallel()
	var srv *Server
	app := fxtest.New(t,
		fx.Supply(Config{Addr: "127.0.0.1:0", Version: "fx-test"}, newTestLogger(io.Discard)),
		coreStubs,
		fx.Provide(fx.Annotate(
			func() observe.HealthChecker { return &fakeChecker{name: "database", critical: true} },
			fx.ResultTags(`group:"health"`),
		)),
		Module,
		fx.Populate(&srv),
	)
	app.RequireStart()
	resp, err := http.Get("http://" + srv.Addr().String() + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	report := decodeReportFrom(t, resp)
	if resp.StatusCode != 200 || report.Version != "fx-test" || len(report.Checks) != 1 || report.Checks[0].Name != "database" {
		t.Errorf("status %d report %+v", resp.StatusCode, report)
	}
	app.RequireStop()
}

func TestValidateModule(t *testing.T) {
	t.Parallel()
	if err := fx.ValidateApp(
		fx.Supply(Config{}, newTestLogger(io.Discard)),
		coreStubs,
		Module,
		fx.Invoke(func(*Server) {}),
	); err != nil {
		t.Fatal(err)
	}
}

func decodeReportFrom(t *testing.T, resp *http.Response) HealthReport {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return decodeReport(t, body)
}
