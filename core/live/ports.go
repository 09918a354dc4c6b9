package live

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/livemock/ports_mock.go -package=livemock

import (
	"context"
	"time"

	"github.com/oslira/oslira/core/tenant"
)

// Replayer reads a caller's stored events (adapters/postgres, user scope: row-level security
// limits it to the principal's accounts, and the query filters by f.AccountID too).
type Replayer interface {
	// Replay returns up to limit events matching f with after < ID ≤ upTo, in ID order.
	Replay(ctx context.Context, p tenant.Principal, f Filter, after, upTo int64, limit int) ([]Event, error)
}

// TicketTTL is how long a WebSocket ticket may wait to be redeemed.
const TicketTTL = 30 * time.Second

// Tickets issues and redeems the single-use tickets that authenticate a WebSocket without
// putting an access token in a URL (adapters/postgres: only a hash is stored, so every http
// process can redeem a ticket another one issued).
type Tickets interface {
	// Issue returns a new ticket for p, valid for ttl.
	Issue(ctx context.Context, p tenant.Principal, ttl time.Duration) (string, error)
	// Redeem returns the principal of a ticket and consumes it; an unknown, expired or already
	// redeemed ticket is ErrTicket.
	Redeem(ctx context.Context, ticket string) (tenant.Principal, error)
}
