package httpclient

import (
	"net/url"
	"strings"
)

// redacted replaces the value of a credential-looking query parameter in logs.
const redacted = "REDACTED"

// sensitiveKeyParts are substrings of query keys whose values are never logged (token=, api_key=,
// client_secret=, signature=, password=, auth=…).
var sensitiveKeyParts = []string{"token", "key", "secret", "password", "auth", "sig", "credential", "session"}

// SafeURL renders u for logs and errors: scheme, host, path, and the query with the values of
// credential-looking keys replaced by REDACTED; user information and fragment are dropped.
func SafeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			c.RawQuery = redacted
		} else {
			for k := range q {
				if sensitiveKey(k) {
					q[k] = []string{redacted}
				}
			}
			c.RawQuery = q.Encode()
		}
	}
	return c.String()
}

func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, p := range sensitiveKeyParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}
