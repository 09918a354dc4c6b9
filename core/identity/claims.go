package identity

import "time"

// Claims are the facts a verified token states about its bearer. UserID is the token's subject,
// already validated as a lower-case UUID. Operator is true when the server-controlled
// app_metadata.role is "admin" (user_metadata is user-editable and never trusted).
type Claims struct {
	UserID    string
	Email     string
	FullName  string
	AvatarURL string
	Operator  bool
	ExpiresAt time.Time
}
