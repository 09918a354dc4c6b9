package account

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

// Service resolves verified claims into a Principal, provisioning the account on first sight.
//
// Resolutions are cached per user for a short time (CacheTTL) because every authenticated
// request needs one and the answer changes only when an operator suspends an account or changes
// is_admin; the TTL bounds how long such a change takes to apply.
type Service struct {
	store Store
	now   func() time.Time
	ttl   time.Duration

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	m       Membership
	expires time.Time
}

// CacheTTL is how long a resolved membership is reused.
const CacheTTL = 30 * time.Second

// maxCached bounds the cache; when full it is cleared (cheap, and refilled on demand).
const maxCached = 10_000

// NewService builds the service. now may be nil (time.Now).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now, ttl: CacheTTL, cache: map[string]cached{}}
}

// Resolve returns the principal for verified claims, creating the account on the first request.
// Operators are users whose token says app_metadata.role = "admin" or whose users.is_admin is set.
// A suspended account is refused with identity.ErrAccountSuspended. A Supabase anonymous sign-in
// (c.IsAnonymous) is refused with identity.ErrAnonymous before the store is asked anything:
// anonymous callers are not customers — no user row, no account, no signup bonus.
func (s *Service) Resolve(ctx context.Context, c identity.Claims) (tenant.Principal, error) {
	if c.IsAnonymous {
		return tenant.Principal{}, identity.ErrAnonymous
	}
	m, ok := s.lookup(c.UserID)
	if !ok {
		var err error
		m, err = s.store.Ensure(ctx, NewUser{
			UserID:      c.UserID,
			Email:       strings.ToLower(strings.TrimSpace(c.Email)),
			FullName:    strings.TrimSpace(c.FullName),
			AvatarURL:   c.AvatarURL,
			SignupBonus: SignupBonus,
		})
		if err != nil {
			return tenant.Principal{}, err
		}
		s.remember(c.UserID, m)
	}
	if m.Suspended {
		return tenant.Principal{}, identity.ErrAccountSuspended
	}
	roles := []tenant.Role{tenant.RoleUser}
	if c.Operator || m.UserIsAdmin {
		roles = append(roles, tenant.RoleOperator)
	}
	return tenant.Principal{UserID: m.UserID, AccountID: m.AccountID, Email: c.Email, Roles: roles}, nil
}

// ActAsOwner returns the principal of an account's owner, for operator tools that act on an
// account's behalf (oslira analyze --account): the user role only, and the same refusal of a
// suspended account as Resolve. An id that is not a UUID, or no account's, is ErrNoAccount.
func (s *Service) ActAsOwner(ctx context.Context, accountID string) (tenant.Principal, error) {
	id, ok := tenant.ParseUUID(accountID)
	if !ok {
		return tenant.Principal{}, ErrNoAccount
	}
	m, err := s.store.Owner(ctx, id)
	if err != nil {
		return tenant.Principal{}, err
	}
	if m.Suspended {
		return tenant.Principal{}, identity.ErrAccountSuspended
	}
	return tenant.Principal{UserID: m.UserID, AccountID: m.AccountID, Email: m.Email, Roles: []tenant.Role{tenant.RoleUser}}, nil
}

// Profile returns the caller's own profile.
func (s *Service) Profile(ctx context.Context, p tenant.Principal) (Profile, error) {
	if p.AccountID == "" {
		return Profile{}, ErrNotFound
	}
	return s.store.Profile(ctx, p)
}

// Forget drops a cached resolution, for callers that just changed a membership.
func (s *Service) Forget(userID string) {
	s.mu.Lock()
	delete(s.cache, userID)
	s.mu.Unlock()
}

func (s *Service) lookup(userID string) (Membership, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[userID]
	if !ok || !s.now().Before(c.expires) {
		return Membership{}, false
	}
	return c.m, true
}

func (s *Service) remember(userID string, m Membership) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) >= maxCached {
		clear(s.cache)
	}
	m.Created = false
	s.cache[userID] = cached{m: m, expires: s.now().Add(s.ttl)}
}
