package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// envVar is one environment variable the binary reads.
type envVar struct {
	name    string
	meaning string // one line; README's configuration table has the long form
}

// configVars are the variables bootstrap.Load reads: every command that loads the configuration
// reads (and validates) all of them. README.md's configuration table describes each in full; a
// test checks that each command's help names every variable its run reads.
var configVars = []envVar{
	{"APP_ENV", "development (default), test, staging or production"},
	{"APP_VERSION", "workflow application version shared by a release (dev/test: 1)"},
	{"LOG_LEVEL", "debug, info (default), warn or error; JSON logs on stdout"},
	{"LOG_LEVEL_FILE", "a file naming the log level, re-read on SIGHUP (change the level without a restart)"},
	{"DATA_DIR", "local state: private PostgreSQL cluster, development secrets (default .data)"},
	{"HTTP_ADDR", "listen address of the HTTP API (default :8080)"},
	{"SHUTDOWN_TIMEOUT", "how long a stop waits for in-flight requests (default 15s)"},
	{"CORS_ALLOWED_ORIGINS", "comma-separated browser origins allowed by CORS"},
	{"TRUSTED_PROXIES", "comma-separated proxy IPs/CIDRs whose client-address headers are believed (default none)"},
	{"CLIENT_IP_HEADER", "the trusted proxies' client-address header, like CF-Connecting-IP"},
	{"RATE_LIMITS_DISABLED", "true turns the rate limits off (development/test only)"},
	{"METRICS_ADDR", "listen address of GET /metrics, off the API (default: on the API; worker: none)"},
	{"DATABASE_URL", "PostgreSQL URL; development: found or provisioned locally when unset"},
	{"DATABASE_MAX_CONNS", "pool size per process (default 10)"},
	{"SECRETS_SOURCE", "env (development/test) or aws (staging/production)"},
	{"AWS_REGION", "region of AWS Secrets Manager (SECRETS_SOURCE=aws)"},
	{"AWS_SECRETS_ENDPOINT", "override of the Secrets Manager endpoint (LocalStack, tests)"},
	{"SUPABASE_URL", "Supabase project URL: its key set verifies ES256/RS256 tokens"},
	{"SUPABASE_JWT_ISSUER", "the iss tokens must carry (default <SUPABASE_URL>/auth/v1)"},
	{"SUPABASE_JWKS_URL", "the key set's URL when it is not under SUPABASE_URL"},
	{"WORKER_ID", "this process's workflow executor id (default <hostname>-<command>)"},
	{"WORKFLOW_QUEUE_CONCURRENCY", "runs one worker takes from each queue at once (default 16)"},
	{"ANALYSIS_CONCURRENCY", "analyses running at once across all workers (default 10)"},
	{"ANALYSIS_ACCOUNT_CONCURRENCY", "analyses of one account running at once (default 3)"},
	{"ANALYSIS_POLL_INTERVAL", "how often a worker polls the analyses queue (default 200ms)"},
	{"CRON_ENABLED", "run the scheduled jobs in serve/cron (default true)"},
	{"WORKFLOW_RETENTION_DAYS", "finished workflow runs are deleted after this many days (default 30)"},
	{"STRIPE_API_URL", "Stripe API base URL (default https://api.stripe.com)"},
	{"BILLING_SUCCESS_URL", "where Stripe Checkout sends a customer who paid"},
	{"BILLING_CANCEL_URL", "where Checkout sends a customer who gave up"},
	{"BILLING_PORTAL_RETURN_URL", "where the Stripe customer portal links back to"},
	{"APIFY_ACTOR_ID", "Apify profile-scraper actor (default apify~instagram-profile-scraper)"},
	{"APIFY_BASE_URL", "Apify API base URL (default https://api.apify.com/v2)"},
	{"PROFILE_CACHE_TTL", "how long a scraped profile is reused, across accounts (default 24h)"},
	{"LLM_PROVIDERS", "language-model providers in order of preference (default openai,anthropic)"},
	{"OPENAI_BASE_URL", "OpenAI API base URL (default https://api.openai.com/v1; a fake in tests)"},
	{"ANTHROPIC_BASE_URL", "Anthropic API base URL (default https://api.anthropic.com)"},
	{"AI_GATEWAY_URL", "Cloudflare AI Gateway root https://gateway.ai.cloudflare.com/v1/<account>/<gateway>"},
	{"CLOUDFLARE_ACCOUNT_ID", "with AI_GATEWAY_ID: the AI Gateway root, instead of AI_GATEWAY_URL"},
	{"AI_GATEWAY_ID", "the Cloudflare AI Gateway's name (with CLOUDFLARE_ACCOUNT_ID)"},
	{"AI_GATEWAY_CACHE_TTL", "cf-aig-cache-ttl sent through the gateway (unset: the gateway's setting)"},
	{"LLM_OPENAI_SMALL_MODEL", "OpenAI model of the small tier (default gpt-5-mini)"},
	{"LLM_OPENAI_STRONG_MODEL", "OpenAI model of the strong tier (default gpt-5)"},
	{"LLM_ANTHROPIC_SMALL_MODEL", "Anthropic model of the small tier (default claude-haiku-4-5)"},
	{"LLM_ANTHROPIC_STRONG_MODEL", "Anthropic model of the strong tier (default claude-sonnet-4-5)"},
	{"LLM_CACHE_TTL", "how long an identical model call is answered from PostgreSQL (default 24h; 0 off)"},
	{"LLM_PRICES_FILE", "price-table JSON replacing the embedded one (USD per 1M tokens, effective date)"},
}

// Secrets, read through the secrets port: environment variables in development
// (SECRETS_SOURCE=env), AWS Secrets Manager Oslira/<APP_ENV>/<NAME> otherwise.
var (
	secretJWT     = envVar{"SUPABASE_JWT_SECRET", "secret: HS256 secret of tokens (dev: generated into DATA_DIR/dev-jwt-secret)"}
	secretStripe  = envVar{"STRIPE_SECRET_KEY", "secret: Stripe API key; without it checkout and portal answer 503"}
	secretWebhook = envVar{"STRIPE_WEBHOOK_SECRET", "secret: Stripe webhook signing secret (whsec_…)"}
	secretCursor  = envVar{"CURSOR_SIGNING_KEY", "secret: HMAC key of page cursors (dev: derived from the JWT secret)"}
	secretApify   = envVar{"APIFY_API_TOKEN", "secret: Apify API token; without it (dev/test only) profiles come from a bundled sample set"}
	secretOpenAI  = envVar{"OPENAI_API_KEY", "secret: OpenAI API key; with no LLM key (dev/test only) the offline analyzer answers"}
	secretClaude  = envVar{"ANTHROPIC_API_KEY", "secret: Anthropic API key (fallback or first provider, see LLM_PROVIDERS)"}
	secretAIG     = envVar{"AI_GATEWAY_TOKEN", "secret: Cloudflare AI Gateway token (cf-aig-authorization), optional"}
	secretSentry  = envVar{"SENTRY_DSN", "secret: Sentry DSN; CRITICAL errors and panics are reported there, none without it"}
)

// allVars is every variable the binary reads, for `oslira help environment`.
func allVars() []envVar {
	return append(slices.Clone(configVars), secretJWT, secretStripe, secretWebhook, secretCursor, secretApify,
		secretOpenAI, secretClaude, secretAIG)
}

// setEnvironment records on cmd the variables it reads, for its help: first the ones that
// matter most to it, described; then the rest of the configuration by name (every command loads
// and validates all of it); then the secrets it reads.
func setEnvironment(cmd *cobra.Command, key []string, secrets ...envVar) {
	var b strings.Builder
	described := map[string]bool{}
	for _, name := range key {
		v, ok := lookupVar(name)
		if !ok {
			panic("oslira: undocumented environment variable " + name) // a programming error, caught by every test
		}
		described[name] = true
		fmt.Fprintf(&b, "  %-27s %s\n", v.name, v.meaning)
	}
	for _, v := range secrets {
		described[v.name] = true
		fmt.Fprintf(&b, "  %-27s %s\n", v.name, v.meaning)
	}
	var rest []string
	for _, v := range configVars {
		if !described[v.name] {
			rest = append(rest, v.name)
		}
	}
	if len(rest) > 0 {
		b.WriteString(wrap("Also read and validated: "+strings.Join(rest, ", ")+
			". `oslira help environment` describes every variable.", "  ", 96))
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[annotationEnv] = strings.TrimRight(b.String(), "\n")
}

// annotationEnv is the cobra annotation holding a command's Environment section.
const annotationEnv = "environment"

func lookupVar(name string) (envVar, bool) {
	for _, v := range allVars() {
		if v.name == name {
			return v, true
		}
	}
	return envVar{}, false
}

// wrap breaks s into lines of at most width characters, each starting with indent.
func wrap(s, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(s) {
		if len(line)+len(w)+1 > width && strings.TrimSpace(line) != "" {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += w + " "
	}
	if strings.TrimSpace(line) != "" {
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// newEnvironmentTopic is the help topic `oslira help environment`: every variable, one line each.
func newEnvironmentTopic() *cobra.Command {
	var b strings.Builder
	b.WriteString(`Every setting comes from an environment variable, read once at start and validated: a malformed
value stops any command in any environment, and in staging and production a missing required
setting does too (the message names every offending variable, never its value). README.md's
"Configuration" table has defaults and details.

`)
	for _, v := range allVars() {
		fmt.Fprintf(&b, "  %-27s %s\n", v.name, v.meaning)
	}
	b.WriteString(`
Secrets are read through the secrets port: from the environment variable in development
(SECRETS_SOURCE=env), from AWS Secrets Manager as Oslira/<APP_ENV>/<NAME> otherwise, with AWS
credentials from the SDK's default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, instance roles, ...).`)
	return &cobra.Command{
		Use:   "environment",
		Short: "the environment variables oslira reads",
		Long:  b.String(),
	}
}

// setUsageTemplate is cobra's usage template plus each command's Environment section and the
// exit codes. Sub-commands inherit it.
func setUsageTemplate(root *cobra.Command) {
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(), `{{if .HasHelpSubCommands}}`,
		`{{with index .Annotations "`+annotationEnv+`"}}

Environment:
{{.}}{{end}}{{with index .Annotations "exit"}}

Exit status: {{.}}{{end}}{{if .HasHelpSubCommands}}`, 1))
}
