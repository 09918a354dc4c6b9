package bootstrap

import (
	"errors"
	"slices"
	"testing"
)

func TestLoadTrustedProxiesAndClientIPHeader(t *testing.T) {
	t.Parallel()
	c, err := Load(mapLookup(map[string]string{
		"TRUSTED_PROXIES":      " 10.0.0.0/8, 2001:db8::/32 ,192.0.2.7",
		"CLIENT_IP_HEADER":     "CF-Connecting-IP",
		"RATE_LIMITS_DISABLED": "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.TrustedProxies, []string{"10.0.0.0/8", "2001:db8::/32", "192.0.2.7"}) ||
		c.ClientIPHeader != "CF-Connecting-IP" || !c.RateLimitsDisabled {
		t.Errorf("config = %v %q %v", c.TrustedProxies, c.ClientIPHeader, c.RateLimitsDisabled)
	}
	h := c.Adapters().HTTP
	if !slices.Equal(h.TrustedProxies, c.TrustedProxies) || h.ClientIPHeader != "CF-Connecting-IP" || !h.RateLimitsOff {
		t.Errorf("httpapi config = %+v", h)
	}

	d, err := Load(mapLookup(nil))
	if err != nil || d.TrustedProxies != nil || d.ClientIPHeader != "" || d.RateLimitsDisabled {
		t.Errorf("defaults: %v %q %v, %v", d.TrustedProxies, d.ClientIPHeader, d.RateLimitsDisabled, err)
	}
}

func TestLoadRefusesBadProxySettings(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"not an address":         {map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}, "TRUSTED_PROXIES"},
		"bad mask":               {map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"},
		"header without proxies": {map[string]string{"CLIENT_IP_HEADER": "CF-Connecting-IP"}, "CLIENT_IP_HEADER"},
		"header with a space":    {map[string]string{"TRUSTED_PROXIES": "10.0.0.1", "CLIENT_IP_HEADER": "X Real IP"}, "CLIENT_IP_HEADER"},
		"limits switch garbage":  {map[string]string{"RATE_LIMITS_DISABLED": "sometimes"}, "RATE_LIMITS_DISABLED"},
	} {
		_, err := Load(mapLookup(tc.env))
		var ce *ConfigError
		if !errors.As(err, &ce) || !slices.Equal(ce.Vars(), []string{tc.want}) {
			t.Errorf("%s: err = %v, want a problem with %s only", name, err, tc.want)
		}
	}
	env := prodEnv()
	env["RATE_LIMITS_DISABLED"] = "true"
	_, err := Load(mapLookup(env))
	var ce *ConfigError
	if !errors.As(err, &ce) || !slices.Equal(ce.Vars(), []string{"RATE_LIMITS_DISABLED"}) {
		t.Errorf("limits off in production: %v", err)
	}
	env["RATE_LIMITS_DISABLED"] = "false"
	if _, err := Load(mapLookup(env)); err != nil {
		t.Errorf("limits on in production: %v", err)
	}
}
