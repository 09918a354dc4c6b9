package postgres

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// NewPool validates cfg, opens a pool and pings the server once, so a wrong URL or a server that is
// down fails start-up instead of the first request. ctx bounds only the ping; the pool keeps no
// reference to it. Errors never contain the password.
func NewPool(ctx context.Context, cfg Config) (*pgxpool.Pool, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	secrets := passwords(cfg.URL)
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, redact(fmt.Errorf("parse database URL: %w", err), secrets)
	}
	secrets = append(secrets, pc.ConnConfig.Password)
	pc.MaxConns = cfg.MaxConns
	pc.MinConns = cfg.MinConns
	pc.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	pc.ConnConfig.RuntimeParams["application_name"] = cfg.ApplicationName

	pool, err := pgxpool.NewWithConfig(context.WithoutCancel(ctx), pc)
	if err != nil {
		return nil, redact(fmt.Errorf("open pool: %w", err), secrets)
	}
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, redact(fmt.Errorf("ping database: %w", err), secrets)
	}
	return pool, nil
}

// passwords returns the password of a URL in its raw and decoded forms, for redaction.
func passwords(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return nil
	}
	var out []string
	if pw, ok := u.User.Password(); ok {
		out = append(out, pw, url.QueryEscape(pw), url.PathEscape(pw))
	}
	if pw := u.Query().Get("password"); pw != "" {
		out = append(out, pw, url.QueryEscape(pw))
	}
	return out
}

// redactedError hides secrets in the message but keeps the chain, so errors.Is/As (and MapError)
// still classify it.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact replaces every non-empty secret in err's message with "xxxxx".
func redact(err error, secrets []string) error {
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return &redactedError{msg: msg, err: err}
}
