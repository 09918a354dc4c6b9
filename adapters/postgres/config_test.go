package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

const password = "s3cr3t-Pa55"

func TestConfigWithDefaults(t *testing.T) {
	t.Parallel()
	got := postgres.Config{URL: "postgres://h/db"}.WithDefaults()
	want := postgres.Config{URL: "postgres://h/db", MaxConns: 10, ConnectTimeout: 5 * time.Second, ApplicationName: "oslira"}
	if got != want {
		t.Fatalf("WithDefaults = %+v, want %+v", got, want)
	}
	kept := postgres.Config{URL: "u", MaxConns: 3, MinConns: 1, ConnectTimeout: time.Second, ApplicationName: "x"}
	if kept.WithDefaults() != kept {
		t.Fatalf("WithDefaults changed set fields: %+v", kept.WithDefaults())
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	valid := "postgres://app:" + password + "@db.internal:5432/oslira?sslmode=require"
	cases := []struct {
		name  string
		cfg   postgres.Config
		field string // "" means valid
	}{
		{"valid", postgres.Config{URL: valid}, ""},
		{"postgresql scheme", postgres.Config{URL: "postgresql://db/oslira"}, ""},
		{"missing URL", postgres.Config{}, "URL"},
		{"wrong scheme", postgres.Config{URL: "mysql://app:" + password + "@db/oslira"}, "URL"},
		{"unparsable", postgres.Config{URL: "postgres://app:" + password + "@db:port/x\x7f"}, "URL"},
		{"no host", postgres.Config{URL: "postgres:///oslira"}, "URL"},
		{"negative max", postgres.Config{URL: valid, MaxConns: -1}, "MaxConns"},
		{"negative min", postgres.Config{URL: valid, MinConns: -1}, "MinConns"},
		{"min above max", postgres.Config{URL: valid, MaxConns: 2, MinConns: 3}, "MinConns"},
		{"negative timeout", postgres.Config{URL: valid, ConnectTimeout: -time.Second}, "ConnectTimeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want an error naming %s", tc.field)
			}
			if !strings.Contains(err.Error(), tc.field+":") {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}

func TestNewPoolErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	for _, url := range []string{
		"postgres://app:" + password + "@127.0.0.1:1/oslira?connect_timeout=2", // nothing listens
		"postgres://app:" + password + "@127.0.0.1:5432/oslira?sslmode=bogus",  // rejected by pgx
	} {
		pool, err := postgres.NewPool(t.Context(), postgres.Config{URL: url, ConnectTimeout: 2 * time.Second})
		if err == nil {
			pool.Close()
			t.Fatalf("NewPool(%s) succeeded", strings.ReplaceAll(url, password, "xxxxx"))
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("error reveals the password: %v", err)
		}
	}
}

func TestNewPoolConnects(t *testing.T) {
	t.Parallel()
	cfg := pgtest.Pool(t).Config().ConnConfig
	url := "postgres://" + cfg.User + "@" + cfg.Host + ":" + strconv.Itoa(int(cfg.Port)) + "/" + cfg.Database + "?sslmode=disable"
	pool, err := postgres.NewPool(t.Context(), postgres.Config{URL: url, MaxConns: 2, ApplicationName: "oslira-pool-test"})
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	defer pool.Close()
	var app string
	if err := pool.QueryRow(context.Background(), "select current_setting('application_name')").Scan(&app); err != nil {
		t.Fatal(err)
	}
	if app != "oslira-pool-test" || pool.Config().MaxConns != 2 {
		t.Errorf("application_name %q, MaxConns %d", app, pool.Config().MaxConns)
	}
}
