package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

func TestMapErrorOnRealErrors(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	user := pgtest.InsertUser(t, pool)
	account := pgtest.InsertAccount(t, pool, user)
	const missing = "00000000-0000-4000-8000-000000000000"

	exec := func(sql string, args ...any) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := pool.Exec(ctx, sql, args...)
			return err
		}
	}
	raise := func(state string) func(context.Context) error {
		return exec(fmt.Sprintf("do $$ begin raise exception 'probe' using errcode = '%s'; end $$", state))
	}
	cases := []struct {
		name string
		run  func(ctx context.Context) error
		kind apperr.Kind
		code string
		// secrets must not appear in the client-facing message
		secrets []string
	}{
		{"no rows", func(ctx context.Context) error {
			var id string
			return pool.QueryRow(ctx, "select id from public.users where id = $1", missing).Scan(&id)
		}, apperr.NotFound, apperr.CodeNotFound, nil},
		{"unique violation", exec("insert into public.account_members (account_id, user_id) values ($1, $2)", account, user),
			apperr.Conflict, apperr.CodeConflict, []string{account, "account_members_account_user_key", "insert"}},
		{"foreign key violation", exec("insert into public.accounts (owner_id, name) values ($1, 'x')", missing),
			apperr.Invalid, apperr.CodeInvalidRequest, []string{missing, "fk_accounts_owner"}},
		{"check violation", exec("insert into public.account_members (account_id, user_id, role) values ($1, $2, 'boss')", account, user),
			apperr.Invalid, apperr.CodeInvalidRequest, []string{"boss", "account_members_role_check"}},
		{"not null violation", exec("insert into public.accounts (owner_id, name) values ($1, null)", user),
			apperr.Invalid, apperr.CodeInvalidRequest, []string{"owner_id"}},
		{"invalid text representation", exec("select 'not-a-uuid'::uuid"),
			apperr.Invalid, apperr.CodeInvalidRequest, []string{"not-a-uuid"}},
		{"insufficient credits (app.apply_credit)", raise("OC402"), apperr.PaymentRequired, credit.CodeInsufficient, nil},
		{"no balance row (app.apply_credit)", raise("OC404"), apperr.NotFound, apperr.CodeNotFound, nil},
		{"invalid parameter value", raise("22023"), apperr.Invalid, apperr.CodeInvalidRequest, nil},
		{"serialization failure", raise("40001"), apperr.Unavailable, apperr.CodeUnavailable, nil},
		{"deadlock", raise("40P01"), apperr.Unavailable, apperr.CodeUnavailable, nil},
		{"admin shutdown", raise("57P01"), apperr.Unavailable, apperr.CodeUnavailable, nil},
		{"other SQL error", exec("select * from public.no_such_table"), apperr.Internal, apperr.CodeInternal, []string{"no_such_table"}},
		{"cancelled context", func(ctx context.Context) error {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return exec("select 1")(ctx)
		}, apperr.Unavailable, apperr.CodeUnavailable, nil},
		{"deadline during query", func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			return exec("select pg_sleep(5)")(ctx)
		}, apperr.Unavailable, apperr.CodeTimeout, nil},
		{"statement timeout", func(ctx context.Context) error {
			return postgres.NewDB(pool).AdminScope(ctx, func(ctx context.Context, q postgres.Querier) error {
				if _, err := q.Exec(ctx, "set local statement_timeout = '20ms'"); err != nil {
					return err
				}
				_, err := q.Exec(ctx, "select pg_sleep(5)")
				return err
			})
		}, apperr.Unavailable, apperr.CodeTimeout, nil},
		{"connection refused", func(ctx context.Context) error {
			// A port that was free a moment ago; port 1 is not reliably closed (some sandboxes
			// accept connections on it and then never answer, which is a timeout).
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			addr := l.Addr().String()
			_ = l.Close()
			cfg, err := pgxpool.ParseConfig("postgres://postgres@" + addr + "/postgres?connect_timeout=2")
			if err != nil {
				return err
			}
			p, err := pgxpool.NewWithConfig(ctx, cfg)
			if err != nil {
				return err
			}
			defer p.Close()
			return p.Ping(ctx)
		}, apperr.Unavailable, apperr.CodeUnavailable, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := tc.run(t.Context())
			if raw == nil {
				t.Fatal("the probe did not fail")
			}
			err := postgres.MapError(raw)
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("MapError(%v) = %T, want *apperr.Error", raw, err)
			}
			if e.Kind != tc.kind || e.Code != tc.code {
				t.Errorf("MapError(%v) = %v/%s, want %v/%s", raw, e.Kind, e.Code, tc.kind, tc.code)
			}
			if !errors.Is(err, raw) {
				t.Error("the mapped error does not wrap the original")
			}
			for _, s := range append(tc.secrets, "SQL", "select", "public.") {
				if strings.Contains(strings.ToLower(e.Message), strings.ToLower(s)) {
					t.Errorf("client message %q reveals %q", e.Message, s)
				}
			}
		})
	}
}

func TestMapErrorPassThrough(t *testing.T) {
	t.Parallel()
	if postgres.MapError(nil) != nil {
		t.Error("MapError(nil) != nil")
	}
	sentinel := apperr.New(apperr.PaymentRequired, "credits.insufficient", "not enough credits")
	if got := postgres.MapError(sentinel); got != sentinel { //nolint:errorlint // the very same value must come back
		t.Errorf("MapError(apperr) = %v, want it unchanged", got)
	}
	wrapped := fmt.Errorf("debit: %w", sentinel)
	if got := postgres.MapError(wrapped); got != wrapped { //nolint:errorlint // the very same value must come back
		t.Errorf("MapError(wrapped apperr) = %v, want it unchanged", got)
	}
	if got := apperr.KindOf(postgres.MapError(fmt.Errorf("get: %w", pgx.ErrNoRows))); got != apperr.NotFound {
		t.Errorf("wrapped ErrNoRows -> %v, want NotFound", got)
	}
	if got := apperr.KindOf(postgres.MapError(&pgconn.PgError{Code: "08006"})); got != apperr.Unavailable {
		t.Errorf("class 08 -> %v, want Unavailable", got)
	}
	if err := postgres.MapError(&pgconn.PgError{Code: "OC402"}); !errors.Is(err, credit.ErrInsufficient) {
		t.Errorf("OC402 -> %v, want credit.ErrInsufficient", err)
	}
	if got := apperr.KindOf(postgres.MapError(errors.New("plain"))); got != apperr.Internal {
		t.Errorf("plain error -> %v, want Internal", got)
	}
}
