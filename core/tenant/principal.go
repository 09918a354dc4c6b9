package tenant

// Role is what a principal may do beyond its own account's data.
type Role string

// Roles. RoleOperator is an Oslira staff member (app_metadata.role = "admin" or users.is_admin).
const (
	RoleUser     Role = "user"
	RoleOperator Role = "operator"
)

// Principal is a verified caller. UserID comes from the token's subject; AccountID is the account
// the request acts for and is empty until the account has been provisioned or resolved.
type Principal struct {
	UserID    string
	AccountID string
	Email     string
	Roles     []Role
}

// Has reports whether the principal holds role r.
func (p Principal) Has(r Role) bool {
	for _, have := range p.Roles {
		if have == r {
			return true
		}
	}
	return false
}

// IsOperator reports whether the principal is Oslira staff.
func (p Principal) IsOperator() bool { return p.Has(RoleOperator) }
