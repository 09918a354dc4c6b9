// Package localdb finds or starts the PostgreSQL database used when nothing is configured (the
// embedded default of `make run`), in this order:
//
//  1. Options.URL (DATABASE_URL) when set — it must answer;
//  2. a server on 127.0.0.1:5432 reachable as postgres without a password — the database
//     Options.DBName is created there when missing;
//  3. a private cluster under Options.DataDir/pg, made with the installed initdb and started with
//     pg_ctl (trust authentication, listening on 127.0.0.1 at a port chosen once and remembered in
//     DataDir, and on a Unix socket in DataDir); Close stops it again;
//  4. otherwise an error (ErrNoDatabase) whose one paragraph says how to set DATABASE_URL.
//
// It is meant for development and tests, never for staging or production.
package localdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Where Ensure looks for a local server, and its defaults.
const (
	DefaultLocalURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	DefaultDataDir  = ".data"
	DefaultDBName   = "oslira"
)

// Sources of a Database.
const (
	SourceEnv     = "env"     // Options.URL
	SourceLocal   = "local"   // the server on 127.0.0.1:5432
	SourcePrivate = "private" // the private cluster under DataDir
)

// probeTimeout bounds each connection attempt while probing.
const probeTimeout = 3 * time.Second

// Options says where to look. The unexported fields are test hooks.
type Options struct {
	URL     string       // DATABASE_URL if set; used as is
	DataDir string       // default ".data"; holds the private cluster
	DBName  string       // default "oslira"; created on the local or private server when missing
	Logger  *slog.Logger // default: discard

	localURL string // default DefaultLocalURL
	binDir   string // when set, the only directory searched for initdb and pg_ctl
}

func (o Options) withDefaults() Options {
	if o.DataDir == "" {
		o.DataDir = DefaultDataDir
	}
	if o.DBName == "" {
		o.DBName = DefaultDBName
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.localURL == "" {
		o.localURL = DefaultLocalURL
	}
	return o
}

// Database is a usable database.
type Database struct {
	URL    string // postgres:// URL of the database
	Source string // SourceEnv, SourceLocal or SourcePrivate

	cluster *cluster // the private cluster this process started, if any
}

// ErrNoDatabase is matched (errors.Is) by the error Ensure returns when it finds no way to a
// database.
var ErrNoDatabase = errors.New("no PostgreSQL database available")

// noDatabaseError explains, in one paragraph, how to provide a database.
type noDatabaseError struct {
	localURL, dataDir string
}

func (e *noDatabaseError) Error() string {
	return fmt.Sprintf("no PostgreSQL database available: DATABASE_URL is not set, no server "+
		"accepted a connection at %s, and the PostgreSQL server programs (initdb, pg_ctl) needed to "+
		"start a private one under %s were not found on PATH or in /usr/lib/postgresql/*/bin. "+
		"Point DATABASE_URL at a server you can reach, e.g. "+
		"DATABASE_URL='postgres://USER:PASSWORD@HOST:5432/oslira?sslmode=disable' (a role that owns "+
		"the database, so migrations can run), or install PostgreSQL (e.g. `apt-get install "+
		"postgresql`) and start again.", redactURL(e.localURL), e.dataDir)
}

func (e *noDatabaseError) Is(target error) bool { return target == ErrNoDatabase }

// Ensure returns a reachable database, trying the sources in the order of the package
// documentation. The caller must Close the result when done.
func Ensure(ctx context.Context, o Options) (*Database, error) {
	o = o.withDefaults()
	log := o.Logger

	if o.URL != "" {
		conn, err := connect(ctx, o.URL)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL is set but no database answers there: %s", safeReason(err))
		}
		_ = conn.Close(context.WithoutCancel(ctx))
		return &Database{URL: o.URL, Source: SourceEnv}, nil
	}

	dbURL, err := provision(ctx, o.localURL, o.DBName)
	if err == nil {
		log.Info("using the local PostgreSQL server", "url", redactURL(dbURL))
		return &Database{URL: dbURL, Source: SourceLocal}, nil
	}
	log.Debug("no usable local PostgreSQL server", "url", redactURL(o.localURL), "reason", safeReason(err))

	bins, ok := findBinaries(o.binDir)
	if !ok {
		return nil, &noDatabaseError{localURL: o.localURL, dataDir: o.DataDir}
	}
	c, err := startCluster(ctx, o.DataDir, bins, log)
	if err != nil {
		return nil, fmt.Errorf("private PostgreSQL cluster under %s: %w", o.DataDir, err)
	}
	d := &Database{Source: SourcePrivate}
	if c.started {
		d.cluster = c
	}
	if d.URL, err = provision(ctx, c.url(), o.DBName); err != nil {
		_ = d.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("private PostgreSQL cluster under %s: %s", o.DataDir, safeReason(err))
	}
	log.Info("using a private PostgreSQL cluster", "dir", c.dataDir, "url", d.URL, "started", c.started)
	return d, nil
}

// Close stops the private cluster if this Database started it; otherwise it does nothing.
func (d *Database) Close(ctx context.Context) error {
	if d == nil || d.cluster == nil {
		return nil
	}
	c := d.cluster
	d.cluster = nil
	return c.stop(ctx)
}

// connect opens one connection to rawURL within probeTimeout.
func connect(ctx context.Context, rawURL string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, errors.New("the URL cannot be parsed")
	}
	cfg.ConnectTimeout = probeTimeout
	return pgx.ConnectConfig(ctx, cfg)
}

// provision connects to the maintenance URL, creates database name when missing and returns the
// URL of that database.
func provision(ctx context.Context, maintenanceURL, name string) (string, error) {
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
		_, err := conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize())
		var pgErr *pgconn.PgError
		if err != nil && (!errors.As(err, &pgErr) || pgErr.Code != "42P04") { // duplicate_database: lost a race
			return "", err
		}
	}
	u.Path = "/" + name
	return u.String(), nil
}

// safeReason describes err without quoting connection strings or passwords.
func safeReason(err error) string {
	var pgErr *pgconn.PgError
	var connectErr *pgconn.ConnectError
	switch {
	case errors.As(err, &pgErr):
		return fmt.Sprintf("server error %s: %s", pgErr.Code, pgErr.Message)
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &connectErr):
		return "cannot connect: " + rootCause(connectErr)
	default:
		return err.Error()
	}
}

// rootCause is the innermost error's text (for a ConnectError: refused, timeout, no such host).
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
