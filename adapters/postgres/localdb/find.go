package localdb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotProvisioned is matched (errors.Is) by Find's error when a server answers but the
// database Options.DBName (or DATABASE_URL's database) does not exist.
var ErrNotProvisioned = errors.New("database does not exist")

// notProvisionedError names the missing database and the server that lacks it.
type notProvisionedError struct{ name, server string }

func (e *notProvisionedError) Error() string {
	return fmt.Sprintf("database %q does not exist on %s", e.name, e.server)
}

func (e *notProvisionedError) Is(target error) bool { return target == ErrNotProvisioned }

// Find is Ensure for read-only use (operator commands): it connects to what exists, in the same
// order, and changes nothing — it creates no database, initialises and starts no private
// cluster. The private cluster is used only while another process keeps it running (its port is
// remembered in DataDir). A missing database is ErrNotProvisioned; no server at all is
// ErrNoDatabase. Close on the result does nothing.
func Find(ctx context.Context, o Options) (*Database, error) {
	o = o.withDefaults()
	if o.URL != "" {
		conn, err := connect(ctx, o.URL)
		if err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
				return nil, fmt.Errorf("DATABASE_URL: %w", &notProvisionedError{name: dbNameOf(o.URL), server: hostOf(o.URL)})
			}
			return nil, fmt.Errorf("DATABASE_URL is set but no database answers there: %s", safeReason(err))
		}
		_ = conn.Close(context.WithoutCancel(ctx))
		return &Database{URL: o.URL, Source: SourceEnv}, nil
	}
	if dbURL, err := existing(ctx, o.localURL, o.DBName); err == nil || errors.Is(err, ErrNotProvisioned) {
		if err != nil {
			return nil, err
		}
		return &Database{URL: dbURL, Source: SourceLocal}, nil
	}
	if port, ok := rememberedPort(o.DataDir); ok {
		c := &cluster{port: port}
		dbURL, err := existing(ctx, c.url(), o.DBName)
		if err == nil {
			return &Database{URL: dbURL, Source: SourcePrivate}, nil
		}
		if errors.Is(err, ErrNotProvisioned) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w: DATABASE_URL is not set, no server accepted a connection at %s, and no private "+
		"cluster under %s is running (only serve, http, worker, cron and migrate start one)",
		ErrNoDatabase, redactURL(o.localURL), o.DataDir)
}

// existing connects to the maintenance URL and returns the URL of database name if it exists.
func existing(ctx context.Context, maintenanceURL, name string) (string, error) {
	u, err := url.Parse(maintenanceURL)
	if err != nil {
		return "", errors.New("the URL cannot be parsed")
	}
	conn, err := connect(ctx, maintenanceURL)
	if err != nil {
		return "", err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	var exists bool
	if err := conn.QueryRow(ctx, "select exists (select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		return "", &notProvisionedError{name: name, server: u.Host}
	}
	u.Path = "/" + name
	return u.String(), nil
}

// rememberedPort reads the private cluster's port from dataDir without choosing one.
func rememberedPort(dataDir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "pg.port"))
	if err != nil {
		return 0, false
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return p, err == nil && p > 0 && p < 65536
}

func dbNameOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return strings.TrimPrefix(u.Path, "/")
	}
	return "?"
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return "?"
}
