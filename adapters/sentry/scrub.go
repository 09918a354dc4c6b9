package sentry

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	sdk "github.com/getsentry/sentry-go"
)

// redacted replaces what scrubbing removes.
const redacted = "[redacted]"

// minSecretLen is the shortest configured secret value that is redacted from event text.
const minSecretLen = 8

// keptHeaders are the only request headers an event keeps: an allow-list, so a new credential
// header (Authorization, Cookie, Stripe-Signature, X-Api-Key, Sec-WebSocket-Protocol with a
// ticket…) is dropped without anyone remembering to list it.
var keptHeaders = []string{"Accept", "Content-Type", "Content-Length", "User-Agent", "X-Request-Id", "Host"}

// secretParam reports whether a query parameter carries a credential: its name contains token,
// ticket, key, secret, signature, password, code or auth.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"token", "ticket", "key", "secret", "signature", "password", "code", "auth"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

var (
	emailRe  = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	bearerRe = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9\-._~+/]+=*`)
	jwtRe    = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*`)
	// credentialParamRe finds name=value pairs of credential-looking names inside free text
	// (an error quoting a URL).
	credentialParamRe = regexp.MustCompile(`(?i)([?&;\s](?:[a-z_]*(?:token|ticket|key|secret|signature|password|code|auth)[a-z_]*))=([^&\s"']+)`)
)

// scrubber removes from an event what must not reach Sentry: credentials in headers, bodies,
// cookies and query values, e-mail addresses (the user is an account id), bearer tokens and
// JWTs, and the configured secret values, wherever they appear in text.
type scrubber struct {
	secrets []string
}

func newScrubber(secrets []string) *scrubber {
	var s scrubber
	for _, v := range secrets {
		if len(v) >= minSecretLen {
			s.secrets = append(s.secrets, v)
		}
	}
	// Longest first, so a secret containing another is redacted whole.
	slices.SortFunc(s.secrets, func(a, b string) int { return len(b) - len(a) })
	return &s
}

// text scrubs free text.
func (s *scrubber) text(v string) string {
	if v == "" {
		return v
	}
	for _, secret := range s.secrets {
		v = strings.ReplaceAll(v, secret, redacted)
	}
	v = bearerRe.ReplaceAllString(v, "Bearer "+redacted)
	v = jwtRe.ReplaceAllString(v, redacted)
	v = credentialParamRe.ReplaceAllString(v, "$1="+redacted)
	return emailRe.ReplaceAllString(v, redacted)
}

// query keeps a query string's parameter names and redacts the values of credential-looking
// ones (and scrubs the rest as text).
func (s *scrubber) query(raw string) string {
	if raw == "" {
		return ""
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return redacted
	}
	for k, vs := range vals {
		for i := range vs {
			if secretParam(k) {
				vs[i] = redacted
			} else {
				vs[i] = s.text(vs[i])
			}
		}
	}
	return vals.Encode()
}

// event scrubs ev in place.
func (s *scrubber) event(ev *sdk.Event) {
	if r := ev.Request; r != nil {
		r.Data = ""
		r.Cookies = ""
		r.Env = nil
		r.QueryString = s.query(r.QueryString)
		if u, err := url.Parse(r.URL); err == nil {
			u.RawQuery = s.query(u.RawQuery)
			u.User = nil
			r.URL = s.text(u.String())
		} else {
			r.URL = redacted
		}
		kept := map[string]string{}
		for k, v := range r.Headers {
			for _, h := range keptHeaders {
				if strings.EqualFold(k, h) {
					kept[h] = s.text(v)
				}
			}
		}
		r.Headers = kept
	}
	ev.User = sdk.User{ID: ev.User.ID} // the account id only: no e-mail, IP, name
	ev.Message = s.text(ev.Message)
	ev.Transaction = s.text(ev.Transaction)
	ev.ServerName = ""
	ev.Breadcrumbs = nil
	for i := range ev.Exception {
		ev.Exception[i].Value = s.text(ev.Exception[i].Value)
	}
	for k, v := range ev.Tags {
		ev.Tags[k] = s.text(v)
	}
	for i := range ev.Threads {
		ev.Threads[i].Name = s.text(ev.Threads[i].Name)
	}
}
