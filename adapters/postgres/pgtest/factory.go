package pgtest

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/oslira/oslira/adapters/postgres"
)

// InsertUser inserts a user with a random id and e-mail address and returns the id.
func InsertUser(t testing.TB, q postgres.Querier) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	var id string
	err := q.QueryRow(t.Context(),
		`insert into public.users (id, email) values (gen_random_uuid(), $1) returning id::text`,
		"user-"+hex.EncodeToString(b)+"@example.test").Scan(&id)
	if err != nil {
		t.Fatalf("pgtest: insert user: %v", err)
	}
	return id
}

// InsertAccount inserts an account owned by ownerID, with ownerID as its "owner" member, and
// returns the account id.
func InsertAccount(t testing.TB, q postgres.Querier, ownerID string) string {
	t.Helper()
	var id string
	err := q.QueryRow(t.Context(), `
		with a as (
			insert into public.accounts (owner_id, name) values ($1, 'Test account') returning id
		)
		insert into public.account_members (account_id, user_id, role)
		select a.id, $1, 'owner' from a
		returning account_id::text`, ownerID).Scan(&id)
	if err != nil {
		t.Fatalf("pgtest: insert account: %v", err)
	}
	return id
}

// AddMember makes userID a member of accountID with role ("owner", "admin" or "member").
func AddMember(t testing.TB, q postgres.Querier, accountID, userID, role string) {
	t.Helper()
	_, err := q.Exec(t.Context(),
		`insert into public.account_members (account_id, user_id, role) values ($1, $2, $3)`,
		accountID, userID, role)
	if err != nil {
		t.Fatalf("pgtest: add member: %v", err)
	}
}

// FundAccount gives accountID a balance row when it has none and, when credits > 0, grants them
// through app.apply_credit as an admin_grant entry with a random reference, so the ledger and
// the balance agree. It returns the balance afterwards.
func FundAccount(t testing.TB, q postgres.Querier, accountID string, credits int64) int64 {
	t.Helper()
	ctx := t.Context()
	_, err := q.Exec(ctx, `insert into public.credit_balances (account_id) values ($1)
		on conflict (account_id) do nothing`, accountID)
	if err != nil {
		t.Fatalf("pgtest: insert balance: %v", err)
	}
	var balance int64
	if credits > 0 {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		err = q.QueryRow(ctx, `select balance_after from app.apply_credit($1, 'admin_grant', $2, $3, 'pgtest', null)`,
			accountID, credits, "pgtest:"+hex.EncodeToString(b)).Scan(&balance)
	} else {
		err = q.QueryRow(ctx, `select balance from public.credit_balances where account_id = $1`, accountID).Scan(&balance)
	}
	if err != nil {
		t.Fatalf("pgtest: fund account: %v", err)
	}
	return balance
}
