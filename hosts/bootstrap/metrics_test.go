package bootstrap

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/metrics"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/hosts/httpapi"
)

// freeAddr returns a loopback address nothing listens on (it was free a moment ago).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func get(t *testing.T, url string) (int, string, error) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// TestMetricsModuleOnMetricsAddr: with METRICS_ADDR the module serves the registry there (the
// observer's events and the database pool in it) from start to stop, and the API's config says
// /metrics is not the API's; the graph's middleware is the outer metrics one at Order 10.
func TestMetricsModuleOnMetricsAddr(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	var (
		web httpapi.Config
		obs dbos.Observer
		m   *metrics.Metrics
		mw  []httpapi.Middleware
	)
	type group struct {
		fx.In
		Middleware []httpapi.Middleware `group:"http.middleware"`
	}
	app := fxtest.New(t,
		fx.Supply(testProcess(t, map[string]string{"APP_ENV": "test", "METRICS_ADDR": addr})),
		Module, FxLogger,
		fx.Provide(func() *pgxpool.Pool { return pgtest.Pool(t) }),
		Metrics,
		fx.Populate(&web, &obs, &m),
		fx.Invoke(func(g group) { mw = g.Middleware }),
	)
	app.RequireStart()
	if web.MetricsAddr != addr {
		t.Errorf("httpapi.Config.MetricsAddr = %q, want %q (the API would serve /metrics too)", web.MetricsAddr, addr)
	}
	if obs != dbos.Observer(m) {
		t.Error("the dbos.Observer is not the process's metrics")
	}
	if len(mw) != 1 || mw[0].Name != "metrics" || mw[0].Inner || mw[0].Order != httpapi.MetricsOrder {
		t.Errorf("middleware group = %+v, want one outer \"metrics\" at Order %d", mw, httpapi.MetricsOrder)
	}
	obs.RunFinished("analysis.v1", "succeeded")
	code, body, err := get(t, "http://"+addr+"/metrics")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /metrics on METRICS_ADDR: %d %v", code, err)
	}
	for _, want := range []string{
		"\n" + `workflow_runs_finished_total{definition="analysis.v1",state="succeeded"} 1`,
		"\ndb_pool_max_conns ", "\ngo_goroutines ",
		"\nhttp_requests_in_flight ", // the middleware was built: its instruments are registered
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if code, _, _ := get(t, "http://"+addr+"/other"); code != http.StatusNotFound {
		t.Errorf("the metrics listener answers /other with %d, want 404", code)
	}
	app.RequireStop()
	if _, _, err := get(t, "http://"+addr+"/metrics"); err == nil {
		t.Error("the metrics listener still answers after stop")
	}
}

// TestMetricsModuleWithoutAddrServesNothingOfItsOwn: without METRICS_ADDR the module opens no
// listener; the endpoint is the API's (httpapi.Metrics in the graph).
func TestMetricsModuleWithoutAddr(t *testing.T) {
	t.Parallel()
	var ep *httpapi.Metrics
	var web httpapi.Config
	app := fxtest.New(t,
		fx.Supply(testProcess(t, map[string]string{"APP_ENV": "test"})),
		Module, FxLogger,
		fx.Provide(func() *pgxpool.Pool { return pgtest.Pool(t) }),
		Metrics,
		fx.Populate(&ep, &web),
	)
	app.RequireStart()
	defer app.RequireStop()
	if web.MetricsAddr != "" || ep == nil || ep.Handler == nil {
		t.Fatalf("MetricsAddr %q, endpoint %v", web.MetricsAddr, ep)
	}
}

func TestLoadMetricsAddr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"", true}, {"127.0.0.1:9090", true}, {":9090", true},
		{"9090", false}, {":8080", false}, // the default HTTP_ADDR
	} {
		_, err := Load(mapLookup(map[string]string{"APP_ENV": "test", "METRICS_ADDR": tc.value}))
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), "METRICS_ADDR")) {
			t.Errorf("METRICS_ADDR=%q: %v", tc.value, err)
		}
	}
}
