package account

import (
	"time"

	"github.com/oslira/oslira/core/credit"
)

// SignupBonus is what a new account starts with, granted as a ledger entry (never a bare balance).
var SignupBonus = credit.MustAmount(25)

// MemberRole is a user's role inside one account.
type MemberRole string

// Member roles, in decreasing power.
const (
	RoleOwner  MemberRole = "owner"
	RoleAdmin  MemberRole = "admin"
	RoleMember MemberRole = "member"
)

// NewUser is what a verified token tells us about a user who may not exist yet.
type NewUser struct {
	UserID      string
	Email       string
	FullName    string
	AvatarURL   string
	SignupBonus credit.Amount
}

// Membership links a user to the account it acts for.
type Membership struct {
	UserID      string
	AccountID   string
	Email       string // the user's e-mail, when the store read it (Owner)
	Role        MemberRole
	UserIsAdmin bool // users.is_admin: an operator flag kept in the database
	Suspended   bool // the account is suspended: every request is refused
	Created     bool // this call created the account
}

// Profile is the caller's view of themselves (GET /v1/me).
type Profile struct {
	UserID              string
	Email               string
	FullName            string
	AccountID           string
	AccountName         string
	Role                MemberRole
	Balance             credit.Amount
	Plan                string
	OnboardingCompleted bool
	CreatedAt           time.Time // when the account was created
}
