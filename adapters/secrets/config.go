package secrets

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Sources of secrets.
const (
	SourceEnv = "env" // environment variables (development)
	SourceAWS = "aws" // AWS Secrets Manager
)

// Defaults applied to a zero Config field.
const (
	DefaultSource = SourceEnv
	DefaultRegion = "us-east-1"
	DefaultTTL    = 5 * time.Minute
)

// Config selects and configures the secret provider. Bootstrap fills it from the environment.
type Config struct {
	Source   string        // "env" (development default) or "aws"
	Env      string        // APP_ENV, used in the name prefix: Oslira/<Env>/<NAME>
	Region   string        // AWS region (default us-east-1)
	Endpoint string        // optional BaseEndpoint override (tests, LocalStack)
	TTL      time.Duration // cache lifetime, default 5m
}

// withDefaults fills zero fields. A non-positive TTL means the default.
func (c Config) withDefaults() Config {
	if c.Source == "" {
		c.Source = DefaultSource
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.TTL <= 0 {
		c.TTL = DefaultTTL
	}
	return c
}

// Validate reports every problem at once, each naming the offending field (source, env, region,
// endpoint, TTL). Zero fields that have defaults are fine. With Source "aws", Env is required
// because it is part of every secret's name.
func (c Config) Validate() error {
	var errs []error
	if c.TTL < 0 {
		errs = append(errs, fmt.Errorf("TTL must not be negative, got %s", c.TTL))
	}
	c = c.withDefaults()
	switch c.Source {
	case SourceEnv:
	case SourceAWS:
		if c.Env == "" {
			errs = append(errs, errors.New("env is required when source is aws (secrets live under Oslira/<env>/)"))
		} else if strings.ContainsAny(c.Env, "/ \t\r\n") {
			errs = append(errs, fmt.Errorf("env must not contain '/' or spaces, got %q", c.Env))
		}
		if strings.ContainsAny(c.Region, "/ \t\r\n") {
			errs = append(errs, fmt.Errorf("region must not contain '/' or spaces, got %q", c.Region))
		}
	default:
		errs = append(errs, fmt.Errorf("source must be %q or %q, got %q", SourceEnv, SourceAWS, c.Source))
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("endpoint must be an absolute http(s) URL, got %q", c.Endpoint))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("secrets config: %w", errors.Join(errs...))
	}
	return nil
}
