package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/live"
	"github.com/oslira/oslira/core/tenant"
)

// ticketBytes is a ticket's entropy: 256 bits, 43 base64url characters.
const ticketBytes = 32

// TicketStore issues and redeems the WebSocket tickets (live.Tickets) over table
// event_tickets (migration 00017), as the login role: the table is system-only. Only the
// ticket's SHA-256 is stored, so every http process can redeem what another issued and a
// reader of the table cannot.
type TicketStore struct {
	db *DB
}

var _ live.Tickets = (*TicketStore)(nil)

// NewTicketStore returns a TicketStore over db.
func NewTicketStore(db *DB) *TicketStore { return &TicketStore{db: db} }

const sqlIssueTicket = `insert into public.event_tickets (hash, user_id, account_id, expires_at)
values ($1, $2, $3, clock_timestamp() + make_interval(secs => $4::float8))`

// sqlRedeemTicket consumes a live ticket: of concurrent redemptions, the first to lock the row
// deletes it and the others find nothing.
const sqlRedeemTicket = `delete from public.event_tickets
where hash = $1 and expires_at > clock_timestamp()
returning user_id::text, account_id::text`

// Issue implements live.Tickets: a ticket for p's user and account, valid for ttl by the
// database's clock. p needs a user and an account.
func (s *TicketStore) Issue(ctx context.Context, p tenant.Principal, ttl time.Duration) (string, error) {
	userID, okU := tenant.ParseUUID(p.UserID)
	accountID, okA := tenant.ParseUUID(p.AccountID)
	if !okU || !okA {
		return "", errNoUser
	}
	if ttl <= 0 {
		return "", fmt.Errorf("issue ticket: ttl %v is not positive", ttl)
	}
	raw := make([]byte, ticketBytes)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails (it crashes the program instead)
	ticket := base64.RawURLEncoding.EncodeToString(raw)
	if _, err := s.db.Pool().Exec(ctx, sqlIssueTicket, ticketHash(ticket), userID, accountID, ttl.Seconds()); err != nil {
		return "", MapError(fmt.Errorf("issue ticket: %w", err))
	}
	return ticket, nil
}

// Redeem implements live.Tickets: the ticket's principal as a user of its account; an unknown,
// expired or already redeemed ticket is live.ErrTicket.
func (s *TicketStore) Redeem(ctx context.Context, ticket string) (tenant.Principal, error) {
	if len(ticket) != base64.RawURLEncoding.EncodedLen(ticketBytes) {
		return tenant.Principal{}, live.ErrTicket
	}
	var p tenant.Principal
	err := s.db.Pool().QueryRow(ctx, sqlRedeemTicket, ticketHash(ticket)).Scan(&p.UserID, &p.AccountID)
	if errors.Is(err, pgx.ErrNoRows) {
		return tenant.Principal{}, live.ErrTicket
	}
	if err != nil {
		return tenant.Principal{}, MapError(fmt.Errorf("redeem ticket: %w", err))
	}
	p.Roles = []tenant.Role{tenant.RoleUser}
	return p, nil
}

func ticketHash(ticket string) []byte {
	h := sha256.Sum256([]byte(ticket))
	return h[:]
}
