package httpapi

import (
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/identity"
)

// API holds what the /v1 handlers call: the token verifier port and the core services. Handlers
// are thin — parse the request, call one use case with the principal and plain values, write JSON;
// every rule lives in core.
type API struct {
	verifier identity.TokenVerifier
	accounts *account.Service
	credits  *credit.Service
}

// NewAPI returns the handlers over their dependencies.
func NewAPI(verifier identity.TokenVerifier, accounts *account.Service, credits *credit.Service) *API {
	return &API{verifier: verifier, accounts: accounts, credits: credits}
}
