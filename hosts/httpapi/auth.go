package httpapi

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// authRealm is the realm of every WWW-Authenticate challenge.
const authRealm = "oslira"

// principalKey is the gin context key of the verified caller.
const principalKey = "oslira.principal"

// authenticate admits a request only with a valid bearer token of an active account:
//
//	Authorization: Bearer <jwt> → TokenVerifier.Verify → account.Service.Resolve (provisioning the
//	account on the first request) → tenant.Principal in the gin context (see principal) and the
//	user and account ids in the request context, so every log line of the request carries them.
//
// Refusals are problem+json through the error renderer: 401 with an auth.* code and a
// WWW-Authenticate challenge (RFC 6750 §3: error="invalid_token" only when a token was presented;
// a validly signed token whose e-mail, name or avatar URL is out of bounds is auth.token-claims),
// 403 for a suspended account or a Supabase anonymous sign-in (auth.anonymous: Resolve refuses it
// before provisioning, so nothing is stored), 503 when the signing keys or the database cannot be
// reached.
// Responses behind it are personal, so they are marked Cache-Control: no-store.
func (a *API) authenticate(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	token, presented := bearerToken(c.GetHeader("Authorization"))
	if !presented {
		refuse(c, identity.ErrTokenMissing, false)
		return
	}
	claims, err := a.verifier.Verify(c.Request.Context(), token)
	if err != nil {
		refuse(c, err, true)
		return
	}
	p, err := a.accounts.Resolve(c.Request.Context(), claims)
	if err != nil {
		refuse(c, err, false)
		return
	}
	c.Set(principalKey, p)
	c.Request = c.Request.WithContext(logctx.WithUser(c.Request.Context(), p.UserID, p.AccountID))
	c.Next()
}

// requireOperator admits only Oslira operators; it runs after authenticate.
func requireOperator(c *gin.Context) {
	if !principal(c).IsOperator() {
		_ = c.Error(identity.ErrOperatorOnly)
		c.Abort()
		return
	}
	c.Next()
}

// principal returns the caller verified by authenticate. Handlers on the authenticated group may
// rely on it; on any other route it is the zero Principal (no user, no account, no roles), which
// every use case refuses.
func principal(c *gin.Context) tenant.Principal {
	p, _ := c.Get(principalKey)
	pr, _ := p.(tenant.Principal)
	return pr
}

// bearerToken extracts the token of an "Authorization: Bearer <token>" header. The scheme is
// case-insensitive (RFC 9110 §11.1). presented is false when there is no header, another scheme
// or an empty token: the request carries no bearer credentials at all.
func bearerToken(header string) (token string, presented bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(rest)
	return token, token != ""
}

// refuse attaches err for the error renderer and stops the chain. An Unauthenticated error gets
// the challenge; rejected says whether a token was presented and turned down.
func refuse(c *gin.Context, err error, rejected bool) {
	if apperr.KindOf(err) == apperr.Unauthenticated {
		c.Header("WWW-Authenticate", challenge(err, rejected))
	}
	_ = c.Error(err)
	c.Abort()
}

// challenge builds the RFC 6750 WWW-Authenticate value. The description is the error's
// client-safe message, reduced to the characters a quoted-string may hold without escapes.
func challenge(err error, rejected bool) string {
	v := `Bearer realm="` + authRealm + `"`
	if !rejected {
		return v
	}
	msg := "the access token was rejected"
	if e, ok := apperr.As(err); ok && e.Message != "" {
		msg = e.Message
	}
	return v + `, error="invalid_token", error_description="` + quotable(msg) + `"`
}

// quotable keeps the printable ASCII characters of s other than '"' and '\' (RFC 6750 §3 limits
// error_description to %x20-21 / %x23-5B / %x5D-7E).
func quotable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if ch := s[i]; ch >= 0x20 && ch <= 0x7e && ch != '"' && ch != '\\' {
			b.WriteByte(ch)
		}
	}
	return b.String()
}
