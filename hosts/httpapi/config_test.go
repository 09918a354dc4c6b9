package httpapi

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	ok := Config{CORSAllowedOrigins: []string{"https://app.oslira.com", "http://localhost:3000"}}.WithDefaults()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	bad := Config{Addr: "8080", ShutdownTimeout: -1, CORSAllowedOrigins: []string{
		"*", "https://*.oslira.com", "ftp://x", "https://app.oslira.com/path", "app.oslira.com",
	}}
	err := bad.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"addr", "shutdown", `"*"`, "*.oslira.com", "ftp://x", "/path", `"app.oslira.com"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}
