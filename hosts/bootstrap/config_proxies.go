package bootstrap

import (
	"strconv"

	"github.com/oslira/oslira/hosts/httpapi"
)

// loadProxies reads TRUSTED_PROXIES, CLIENT_IP_HEADER and RATE_LIMITS_DISABLED: who the HTTP host
// believes about a client's address (the key of the anonymous rate limits), and the switch that
// turns the limits off in development and test (the load benchmark).
func (c *Config) loadProxies(l *loader) {
	for _, p := range splitList(l.get("TRUSTED_PROXIES")) {
		if httpapi.ValidateProxy(p) != nil {
			l.bad("TRUSTED_PROXIES", "must be a comma-separated list of IP addresses or CIDR ranges like 10.0.0.0/8")
			c.TrustedProxies = nil
			break
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	c.ClientIPHeader = l.get("CLIENT_IP_HEADER")
	if h := c.ClientIPHeader; h != "" {
		if !httpapi.ValidHeaderName(h) {
			l.bad("CLIENT_IP_HEADER", "must be a header name like CF-Connecting-IP")
		} else if len(c.TrustedProxies) == 0 {
			l.bad("CLIENT_IP_HEADER", "needs TRUSTED_PROXIES: the header is believed only from a trusted proxy")
		}
	}
	if v := l.get("RATE_LIMITS_DISABLED"); v != "" {
		b, err := strconv.ParseBool(v)
		switch {
		case err != nil:
			l.bad("RATE_LIMITS_DISABLED", "must be true or false")
		case b && !c.Env.Local():
			l.bad("RATE_LIMITS_DISABLED", "is allowed in development and test only")
		}
		c.RateLimitsDisabled = b
	}
}
