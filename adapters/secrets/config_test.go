package secrets_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/secrets"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  secrets.Config
		want []string // substrings of the error; none means valid
	}{
		{name: "zero is env", cfg: secrets.Config{}},
		{name: "env", cfg: secrets.Config{Source: "env", Env: "development"}},
		{name: "aws", cfg: secrets.Config{Source: "aws", Env: "production", Region: "eu-central-1", TTL: time.Minute}},
		{name: "aws with endpoint", cfg: secrets.Config{Source: "aws", Env: "test", Endpoint: "http://127.0.0.1:4566"}},
		{name: "unknown source", cfg: secrets.Config{Source: "vault"}, want: []string{"source", `"vault"`}},
		{name: "aws without env", cfg: secrets.Config{Source: "aws"}, want: []string{"env is required"}},
		{name: "env with slash", cfg: secrets.Config{Source: "aws", Env: "prod/../x"}, want: []string{"env must not"}},
		{name: "region with space", cfg: secrets.Config{Source: "aws", Env: "test", Region: "us east"}, want: []string{"region"}},
		{name: "negative ttl", cfg: secrets.Config{TTL: -time.Second}, want: []string{"TTL"}},
		{name: "relative endpoint", cfg: secrets.Config{Endpoint: "localhost:4566"}, want: []string{"endpoint"}},
		{name: "ftp endpoint", cfg: secrets.Config{Endpoint: "ftp://h"}, want: []string{"endpoint"}},
		{
			name: "every problem at once",
			cfg:  secrets.Config{Source: "aws", TTL: -1, Endpoint: "::"},
			want: []string{"env is required", "TTL", "endpoint"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate accepted an invalid config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
