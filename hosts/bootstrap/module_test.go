package bootstrap

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/hosts/httpapi"
)

func testProcess(t *testing.T, env map[string]string) Process {
	t.Helper()
	cfg, err := Load(mapLookup(env))
	if err != nil {
		t.Fatal(err)
	}
	return Process{Config: cfg, Lookup: mapLookup(env), Logger: NewLogger(io.Discard, cfg.LogLevel)}
}

func TestModuleProvidesAdapterConfigs(t *testing.T) {
	t.Parallel()
	env := prodEnv()
	env["FOO_API_KEY"] = "k"
	var (
		pg     postgres.Config
		sec    secrets.Config
		web    httpapi.Config
		lookup secrets.LookupFunc
	)
	app := fxtest.New(t,
		fx.Supply(testProcess(t, env)),
		Module,
		FxLogger,
		ResolveDatabase, // a no-op in production: no database is contacted
		fx.Populate(&pg, &sec, &web, &lookup),
	)
	app.RequireStart().RequireStop()
	if pg.URL != env["DATABASE_URL"] || sec.Source != "aws" || sec.Env != "production" || web.Addr != ":8080" {
		t.Errorf("configs: %+v %+v %+v", pg, sec, web)
	}
	if v, ok := lookup("FOO_API_KEY"); !ok || v != "k" {
		t.Error("the environment lookup is not in the graph")
	}
}

// TestResolveDatabaseUsesDatabaseURL checks the development path with DATABASE_URL set: the URL is
// kept (after localdb has checked that it answers) and nothing is provisioned.
func TestResolveDatabaseUsesDatabaseURL(t *testing.T) {
	t.Parallel()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no test database (CI is set): %v", err)
		}
		t.Skip("no test database; set TEST_DATABASE_URL")
	}
	_ = conn.Close(ctx)

	var pg postgres.Config
	app := fxtest.New(t,
		fx.Supply(testProcess(t, map[string]string{"APP_ENV": "test", "DATABASE_URL": url, "DATA_DIR": t.TempDir()})),
		Module,
		ResolveDatabase,
		fx.Populate(&pg),
	)
	app.RequireStart().RequireStop()
	if pg.URL != url {
		t.Errorf("URL changed to %q", pg.URL)
	}
}

func TestResolveDatabaseFailsForUnreachableURL(t *testing.T) {
	t.Parallel()
	env := map[string]string{"APP_ENV": "development", "DATABASE_URL": "postgres://u:pw-123456@127.0.0.1:1/x?sslmode=disable"}
	err := fx.New(
		fx.NopLogger,
		fx.Supply(testProcess(t, env)),
		Module,
		ResolveDatabase,
		fx.Invoke(func(postgres.Config) {}),
	).Err()
	if err == nil {
		t.Fatal("unreachable DATABASE_URL accepted")
	}
	if strings.Contains(err.Error(), "pw-123456") {
		t.Errorf("error leaks the password: %v", err)
	}
}
