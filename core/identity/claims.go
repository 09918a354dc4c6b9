package identity

import "time"

// Claims are the facts a verified token states about its bearer. UserID is the token's subject,
// already validated as a lower-case UUID. Operator is true when the server-controlled
// app_metadata.role is "admin" (user_metadata is user-editable and never trusted).
//
// IsAnonymous is the token's is_anonymous claim: Supabase Auth's anonymous sign-in (one request,
// no e-mail, no password) issues a token for a real auth.users row with it set. Such a caller is
// not a customer: account.Service.Resolve refuses it (ErrAnonymous) before anything is stored.
//
// Email, FullName and AvatarURL are stored at provisioning; a TokenVerifier returns them only
// within the bounds CheckStored enforces.
type Claims struct {
	UserID      string
	Email       string
	FullName    string
	AvatarURL   string
	Operator    bool
	IsAnonymous bool
	ExpiresAt   time.Time
}
