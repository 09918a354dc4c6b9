package bootstrap

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/hosts/httpapi"
)

// Env is the deployment environment, from APP_ENV.
type Env string

// The environments. Development and test are "local": they have defaults for everything and may
// provision their own database; staging and production require explicit configuration.
const (
	EnvDevelopment Env = "development"
	EnvTest        Env = "test"
	EnvStaging     Env = "staging"
	EnvProduction  Env = "production"
)

// Local reports whether e is development or test.
func (e Env) Local() bool { return e == EnvDevelopment || e == EnvTest }

// Config is the whole process configuration, read once from environment variables by Load. Each
// field names its variable. Adapters never see it: they receive their own config (see
// AdapterConfigs).
type Config struct {
	Env                Env           // APP_ENV: development (default) | test | staging | production
	Version            string        // the build version (BuildVersion, else the VCS revision), reported by /health and logs
	AppVersion         string        // APP_VERSION: the workflow application version; default DefaultAppVersion in development/test, required in staging/production
	LogLevel           slog.Level    // LOG_LEVEL: debug | info (default) | warn | error
	LogLevelFile       string        // LOG_LEVEL_FILE: a file naming the level, re-read on SIGHUP (WatchLogLevel)
	DataDir            string        // DATA_DIR, default .data (local database cluster and other state)
	HTTPAddr           string        // HTTP_ADDR, default :8080
	ShutdownTimeout    time.Duration // SHUTDOWN_TIMEOUT, default 15s: how long in-flight work may drain
	CORSAllowedOrigins []string      // CORS_ALLOWED_ORIGINS, comma list; required in staging/production
	TrustedProxies     []string      // TRUSTED_PROXIES, comma list of IPs/CIDRs whose client-address headers are believed; default none (the peer address)
	ClientIPHeader     string        // CLIENT_IP_HEADER, optional: the client-address header of the trusted proxies (CF-Connecting-IP); default X-Forwarded-For, X-Real-IP
	RateLimitsDisabled bool          // RATE_LIMITS_DISABLED: turn the rate limits off (development/test only; the load benchmark)
	MetricsAddr        string        // METRICS_ADDR, optional: listen address of GET /metrics, off the API (default: on the API; a worker serves none)
	DatabaseURL        string        // DATABASE_URL, postgres:// URL; required in staging/production. Secret: may carry a password
	DatabaseMaxConns   int32         // DATABASE_MAX_CONNS, default 10
	SecretsSource      string        // SECRETS_SOURCE: env (local default) | aws (required in staging/production)
	AWSRegion          string        // AWS_REGION; required with SECRETS_SOURCE=aws
	AWSSecretsEndpoint string        // AWS_SECRETS_ENDPOINT, optional Secrets Manager endpoint override
	SupabaseURL        string        // SUPABASE_URL, optional project URL (https://<ref>.supabase.co): enables the JWKS (ES256/RS256) and sets the default issuer
	SupabaseJWTIssuer  string        // SUPABASE_JWT_ISSUER, optional: the exact "iss" tokens must carry; default <SUPABASE_URL>/auth/v1
	SupabaseJWKSURL    string        // SUPABASE_JWKS_URL, optional: the key set's URL when it is not <SUPABASE_URL>/auth/v1/.well-known/jwks.json (self-hosted Supabase Auth serves /.well-known/jwks.json)

	WorkerID                   string        // WORKER_ID: this process's workflow executor id; default "<hostname>-<role>"
	WorkflowQueueConcurrency   int           // WORKFLOW_QUEUE_CONCURRENCY: runs one executor takes from each queue at once; 0 = the engine's default (16)
	AnalysisConcurrency        int           // ANALYSIS_CONCURRENCY: analyses running at once across all workers (default 10)
	AnalysisAccountConcurrency int           // ANALYSIS_ACCOUNT_CONCURRENCY: analyses of one account running at once (default 3)
	AnalysisPollInterval       time.Duration // ANALYSIS_POLL_INTERVAL: how often a worker polls the analyses queue (default 200ms)
	CronEnabled                bool          // CRON_ENABLED: run scheduled jobs in this process (default true)
	WorkflowRetentionDays      int           // WORKFLOW_RETENTION_DAYS: finished workflow runs kept this long; 0 = the cron host's default (30)

	StripeAPIURL           string // STRIPE_API_URL, optional: the Stripe API base URL (tests point it at a fake); default https://api.stripe.com
	BillingSuccessURL      string // BILLING_SUCCESS_URL: where Checkout sends a customer who paid; required in staging/production
	BillingCancelURL       string // BILLING_CANCEL_URL: where Checkout sends a customer who gave up; required in staging/production
	BillingPortalReturnURL string // BILLING_PORTAL_RETURN_URL: where the customer portal links back to; required in staging/production
}

// Defaults.
const (
	DefaultHTTPAddr         = ":8080"
	DefaultShutdownTimeout  = 15 * time.Second
	DefaultDataDir          = ".data"
	DefaultDatabaseMaxConns = 10
	// DefaultAppVersion is the workflow application version of development and test. Staging
	// and production set APP_VERSION explicitly (see ARCHITECTURE.md, "Versioning workflows").
	DefaultAppVersion = "1"
	// maxAppVersionLen and maxWorkerIDLen are the workflow engine's limits.
	maxAppVersionLen = 128
	maxWorkerIDLen   = 128
)

// Development defaults of the billing return URLs: the usual front-end dev server.
const (
	DefaultBillingSuccessURL      = "http://localhost:3000/billing/success?session_id={CHECKOUT_SESSION_ID}"
	DefaultBillingCancelURL       = "http://localhost:3000/billing/cancel"
	DefaultBillingPortalReturnURL = "http://localhost:3000/billing"
)

// defaultLocalOrigins are the browser origins allowed in development and test when
// CORS_ALLOWED_ORIGINS is unset: the usual front-end dev servers.
var defaultLocalOrigins = []string{
	"http://localhost:3000", "http://127.0.0.1:3000",
	"http://localhost:5173", "http://127.0.0.1:5173",
}

// Problem is one offending environment variable and what is wrong with it. It never contains the
// variable's value.
type Problem struct {
	Var    string
	Reason string
}

// ConfigError lists every offending variable at once, so one failed start is enough to fix them all.
type ConfigError struct {
	Env      Env // the environment the rules were applied for; empty when APP_ENV itself is invalid
	Problems []Problem
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration")
	if e.Env != "" {
		fmt.Fprintf(&b, " for APP_ENV=%s", e.Env)
	}
	fmt.Fprintf(&b, " (%d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Var, p.Reason)
	}
	return b.String()
}

// Vars returns the offending variable names, in the order reported.
func (e *ConfigError) Vars() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Var
	}
	return out
}

// loader reads variables and collects problems instead of stopping at the first one.
type loader struct {
	lookup   func(string) (string, bool)
	problems []Problem
}

func (l *loader) get(name string) string {
	v, _ := l.lookup(name)
	return strings.TrimSpace(v)
}

func (l *loader) bad(name, reason string) {
	l.problems = append(l.problems, Problem{Var: name, Reason: reason})
}

// Load reads the configuration through lookup (os.LookupEnv in the binary, a map in tests) and
// validates it. Malformed values are errors in every environment; in staging and production the
// required settings must also be present. The error is a *ConfigError naming every offending
// variable, never its value.
func Load(lookup func(string) (string, bool)) (Config, error) {
	l := &loader{lookup: lookup}
	var c Config

	c.Env = EnvDevelopment
	envInvalid := false
	if v := l.get("APP_ENV"); v != "" {
		switch e := Env(strings.ToLower(v)); e {
		case EnvDevelopment, EnvTest, EnvStaging, EnvProduction:
			c.Env = e
		default:
			l.bad("APP_ENV", "must be development, test, staging or production")
			envInvalid = true
		}
	}
	strict := !c.Env.Local()
	required := func(name string) { l.bad(name, "is required in "+string(c.Env)) }

	c.Version = Version()
	c.AppVersion = l.get("APP_VERSION")
	switch {
	case c.AppVersion == "" && strict:
		l.bad("APP_VERSION", "is required in "+string(c.Env)+": the workflow application version; change it only for workflow changes that in-flight runs cannot survive")
	case c.AppVersion == "":
		c.AppVersion = DefaultAppVersion
	case len(c.AppVersion) > maxAppVersionLen || strings.ContainsAny(c.AppVersion, " \t\r\n"):
		l.bad("APP_VERSION", fmt.Sprintf("must be at most %d characters without spaces", maxAppVersionLen))
	}

	c.LogLevel = slog.LevelInfo
	if v := l.get("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil || strings.ContainsAny(v, "+-") {
			l.bad("LOG_LEVEL", "must be debug, info, warn or error")
		}
	}
	c.LogLevelFile = l.get("LOG_LEVEL_FILE")

	c.DataDir = l.get("DATA_DIR")
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}

	c.HTTPAddr = l.get("HTTP_ADDR")
	if c.HTTPAddr == "" {
		c.HTTPAddr = DefaultHTTPAddr
	} else if !validAddr(c.HTTPAddr) {
		l.bad("HTTP_ADDR", "must be host:port or :port, with a port from 0 to 65535")
	}

	c.ShutdownTimeout = DefaultShutdownTimeout
	if v := l.get("SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			l.bad("SHUTDOWN_TIMEOUT", "must be a positive duration such as 15s or 1m")
		}
		c.ShutdownTimeout = d
	}

	if v := l.get("CORS_ALLOWED_ORIGINS"); v != "" {
		if len(splitList(v)) == 0 { // "," or " , ": set, yet no origin (in production it passed for present)
			l.bad("CORS_ALLOWED_ORIGINS", "must list at least one origin, like https://app.example.com")
		}
		for _, o := range splitList(v) {
			if httpapi.ValidateOrigin(o) != nil {
				l.bad("CORS_ALLOWED_ORIGINS", "must be a comma-separated list of origins like https://app.example.com (no paths, no wildcards)")
				break
			}
			c.CORSAllowedOrigins = append(c.CORSAllowedOrigins, o)
		}
	} else if strict {
		required("CORS_ALLOWED_ORIGINS")
	} else {
		c.CORSAllowedOrigins = append([]string(nil), defaultLocalOrigins...)
	}

	c.loadProxies(l)
	c.loadMetrics(l)

	c.DatabaseURL = l.get("DATABASE_URL")
	if c.DatabaseURL != "" {
		if (postgres.Config{URL: c.DatabaseURL}).Validate() != nil {
			l.bad("DATABASE_URL", "must be a postgres:// or postgresql:// URL naming a host")
		}
	} else if strict {
		required("DATABASE_URL")
	}

	c.DatabaseMaxConns = DefaultDatabaseMaxConns
	if v := l.get("DATABASE_MAX_CONNS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 {
			l.bad("DATABASE_MAX_CONNS", "must be a whole number of at least 1")
		}
		c.DatabaseMaxConns = int32(n)
	}

	c.SecretsSource = strings.ToLower(l.get("SECRETS_SOURCE"))
	switch {
	case c.SecretsSource == "" && strict:
		l.bad("SECRETS_SOURCE", "is required in "+string(c.Env)+"; set it to aws")
	case c.SecretsSource == "":
		c.SecretsSource = secrets.SourceEnv
	case c.SecretsSource == secrets.SourceEnv && strict:
		l.bad("SECRETS_SOURCE", "must be aws in "+string(c.Env)+"; env is for development and test")
	case c.SecretsSource != secrets.SourceEnv && c.SecretsSource != secrets.SourceAWS:
		l.bad("SECRETS_SOURCE", "must be env or aws")
	}

	c.AWSRegion = l.get("AWS_REGION")
	switch {
	case c.AWSRegion == "" && (strict || c.SecretsSource == secrets.SourceAWS):
		l.bad("AWS_REGION", "is required when secrets come from AWS Secrets Manager (SECRETS_SOURCE=aws)")
	case c.AWSRegion != "" && strings.ContainsAny(c.AWSRegion, "/ \t"):
		l.bad("AWS_REGION", "must be a region name such as eu-west-1")
	}

	c.AWSSecretsEndpoint = l.get("AWS_SECRETS_ENDPOINT")
	if v := c.AWSSecretsEndpoint; v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.bad("AWS_SECRETS_ENDPOINT", "must be an absolute http(s) URL")
		}
	}

	c.SupabaseURL = strings.TrimSuffix(l.get("SUPABASE_URL"), "/")
	if v := c.SupabaseURL; v != "" && !validSupabaseURL(v) {
		l.bad("SUPABASE_URL", "must be the project URL, like https://<project-ref>.supabase.co (https, or http on localhost; no path, query or fragment)")
	}
	c.SupabaseJWTIssuer = l.get("SUPABASE_JWT_ISSUER")
	if strings.ContainsAny(c.SupabaseJWTIssuer, " \t\r\n") {
		l.bad("SUPABASE_JWT_ISSUER", "must not contain spaces")
	}
	c.SupabaseJWKSURL = l.get("SUPABASE_JWKS_URL")
	if v := c.SupabaseJWKSURL; v != "" && !validJWKSURL(v) {
		l.bad("SUPABASE_JWKS_URL", "must be an absolute URL of the key set, like https://auth.example.com/.well-known/jwks.json (https, or http on localhost; no user info or fragment)")
	}

	c.loadWorkflows(l)
	c.loadCron(l)
	c.loadBilling(l, strict)

	if len(l.problems) > 0 {
		ce := &ConfigError{Env: c.Env, Problems: l.problems}
		if envInvalid {
			ce.Env = "" // the other rules were applied as for development
		}
		return Config{}, ce
	}
	// The adapters validate their own configs too; a failure here is a bug in Load, not in the
	// environment, so it is reported as such.
	a := c.Adapters()
	var pgErr error
	if c.DatabaseURL != "" { // empty only in development/test, where ResolveDatabase fills it in
		pgErr = a.Postgres.Validate()
	}
	var jwksErr error
	if c.JWKSURL() != "" { // the verifier checks the JWKS URL the same way
		jwksErr = jwt.Config{JWKSURL: c.JWKSURL()}.Validate()
	}
	if err := errors.Join(pgErr, jwksErr, a.Secrets.Validate(), a.HTTP.Validate(), c.DBOS("check", nil).Validate()); err != nil {
		return Config{}, fmt.Errorf("configuration accepted but rejected by an adapter (bug): %w", err)
	}
	return c, nil
}

// JWKSURL is the key set of the Supabase project: SUPABASE_JWKS_URL, else
// <SUPABASE_URL>/auth/v1/.well-known/jwks.json (the hosted platform's path, behind its API
// gateway), else "" (no ES256/RS256).
func (c Config) JWKSURL() string {
	switch {
	case c.SupabaseJWKSURL != "":
		return c.SupabaseJWKSURL
	case c.SupabaseURL != "":
		return c.SupabaseURL + "/auth/v1/.well-known/jwks.json"
	default:
		return ""
	}
}

// JWTIssuer is the "iss" every token must carry: SUPABASE_JWT_ISSUER, else <SUPABASE_URL>/auth/v1,
// else "" (not checked; the development secret signs tokens without an issuer).
func (c Config) JWTIssuer() string {
	switch {
	case c.SupabaseJWTIssuer != "":
		return c.SupabaseJWTIssuer
	case c.SupabaseURL != "":
		return c.SupabaseURL + "/auth/v1"
	default:
		return ""
	}
}

// validSupabaseURL accepts scheme://host[:port] with https, or http on a loopback host (a local
// Supabase): the key set fetched from it decides who may sign in.
func validSupabaseURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		ip := net.ParseIP(h)
		return h == "localhost" || (ip != nil && ip.IsLoopback())
	default:
		return false
	}
}

// validJWKSURL accepts an absolute http(s) URL with a host, https unless the host is loopback (as
// the jwt adapter requires: the key set decides who may sign in), without user info (it would
// be logged) or a fragment.
func validJWKSURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		ip := net.ParseIP(h)
		return h == "localhost" || (ip != nil && ip.IsLoopback())
	default:
		return false
	}
}

// validAddr accepts host:port and :port with a numeric port.
func validAddr(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

// splitList splits a comma-separated list, trimming blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// String describes c without secrets: the database URL is reduced to its host and database.
func (c Config) String() string {
	return fmt.Sprintf("env=%s version=%s app_version=%s http=%s database=%s secrets=%s",
		c.Env, c.Version, c.AppVersion, c.HTTPAddr, redactURL(c.DatabaseURL), c.SecretsSource)
}

// LogValue makes a logged Config safe: no password, no query parameters.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("env", string(c.Env)),
		slog.String("version", c.Version),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("http_addr", c.HTTPAddr),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Any("cors_allowed_origins", c.CORSAllowedOrigins),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.String("client_ip_header", c.ClientIPHeader),
		slog.Bool("rate_limits_disabled", c.RateLimitsDisabled),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("database", redactURL(c.DatabaseURL)),
		slog.Int("database_max_conns", int(c.DatabaseMaxConns)),
		slog.String("secrets_source", c.SecretsSource),
		slog.String("aws_region", c.AWSRegion),
		slog.String("supabase_url", c.SupabaseURL),
		slog.String("jwt_issuer", c.JWTIssuer()),
		slog.String("jwks_url", c.JWKSURL()),
		slog.String("app_version", c.AppVersion),
		slog.String("worker_id", c.WorkerID),
		slog.Int("workflow_queue_concurrency", c.WorkflowQueueConcurrency),
		slog.Int("analysis_concurrency", c.AnalysisConcurrency),
		slog.Int("analysis_account_concurrency", c.AnalysisAccountConcurrency),
		slog.String("stripe_api_url", c.StripeAPIURL),
		slog.String("billing_success_url", c.BillingSuccessURL),
		slog.String("billing_cancel_url", c.BillingCancelURL),
		slog.String("billing_portal_return_url", c.BillingPortalReturnURL),
	)
}

// redactURL keeps only host and path of a database URL ("" stays "", anything unparsable is hidden).
func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(set)"
	}
	return u.Host + u.Path
}
