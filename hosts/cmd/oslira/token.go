package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/secret"
	"github.com/oslira/oslira/hosts/bootstrap"
)

// devUserNamespace scopes development user ids: the id of an e-mail address is the UUIDv5 of
// "mailto:<address>" in the URL namespace, so the same address is always the same user.
var devUserNamespace = uuid.NameSpaceURL

// devUserID returns the deterministic user id of a (normalised) e-mail address.
func devUserID(email string) string {
	return uuid.NewSHA1(devUserNamespace, []byte("mailto:"+email)).String()
}

func init() { register(newTokenCommand) }

// tokenFlags are the options of `oslira token`.
type tokenFlags struct {
	email, name string
	admin       bool
	ttl         time.Duration
}

// newTokenCommand is `oslira token`: it prints, on stdout alone, an access token shaped like
// Supabase Auth's and signed with the HS256 secret the server verifies with (SUPABASE_JWT_SECRET
// from the secret provider, else DATA_DIR/dev-jwt-secret, which only the server creates),
// carrying the issuer the server expects. A negative --ttl makes a token that has already
// expired. It refuses to run in staging and production, where tokens come from Supabase Auth
// only.
func newTokenCommand(c *cli) *cobra.Command {
	var f tokenFlags
	cmd := &cobra.Command{
		Use:   "token --email E [--admin] [--ttl D] [--name N]",
		Short: "print a development access token for a user (refused in staging and production)",
		Long: `Prints, on stdout alone, an access token shaped like Supabase Auth's, signed with the HS256 secret
the server verifies with: SUPABASE_JWT_SECRET, else the development secret the server generated
into DATA_DIR/dev-jwt-secret on its first start. token never creates that secret: run it where
the server runs (the same DATA_DIR, .data relative to the current directory by default), after
the server started once; otherwise it says where it looked and exits 1. The same e-mail address
is always the same user; the first authenticated request creates the user's account.`,
		Example: `  TOKEN=$(oslira token --email you@example.com)
  curl -H "Authorization: Bearer $TOKEN" localhost:8080/v1/me
  oslira token --email ops@example.com --admin --ttl 2h
  oslira token --email you@example.com --ttl -1m   # already expired`,
		GroupID: groupOperate,
		Args:    noArgs,

		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runToken(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.email, "email", "", "e-mail address of the user (required); the same address is always the same user id")
	fl.BoolVar(&f.admin, "admin", false, `make the user an operator (app_metadata.role = "admin")`)
	fl.DurationVar(&f.ttl, "ttl", jwt.DefaultMintTTL, "lifetime of the token; negative for an already expired one (e.g. -1m)")
	fl.StringVar(&f.name, "name", "", "full name (user_metadata.full_name)")
	setEnvironment(cmd, []string{"APP_ENV", "DATA_DIR", "SUPABASE_URL", "SUPABASE_JWT_ISSUER", "SECRETS_SOURCE"}, secretJWT)
	cmd.Annotations["exit"] = "0 printed, 1 refused or no secret to sign with, 2 usage."
	return cmd
}

// runToken checks the invocation, finds the server's secret and prints the token.
func (c *cli) runToken(cmd *cobra.Command, f tokenFlags) error {
	ctx, lookup, stdout, stderr := cmd.Context(), c.lookup, c.stdout, c.stderr
	if env, _ := lookup("APP_ENV"); isStrictEnv(env) {
		return failure(exitError, fmt.Errorf("refusing to mint a development token with APP_ENV=%s; "+
			"tokens there come from Supabase Auth", strings.TrimSpace(env)))
	}
	addr := strings.ToLower(strings.TrimSpace(f.email))
	switch {
	case addr == "":
		return usageError(cmd, "--email is required")
	case strings.Count(addr, "@") != 1 || strings.HasPrefix(addr, "@") || strings.HasSuffix(addr, "@") ||
		strings.ContainsAny(addr, " \t\r\n\"<>"):
		return usageError(cmd, "--email %q is not an e-mail address", f.email)
	}

	cfg, err := bootstrap.Load(lookup)
	if err != nil {
		return failure(exitError, err)
	}
	provider, err := secretProvider(ctx, cfg, lookup)
	if err != nil {
		return failure(exitError, err)
	}
	jc, err := bootstrap.ExistingJWTConfig(ctx, cfg, provider)
	if err != nil {
		return failure(exitError, err)
	}
	if jc.HS256Secret == "" {
		return failure(exitError, fmt.Errorf("the server verifies tokens only through SUPABASE_URL's key set (%s is not set), "+
			"so it would refuse a token signed here; set %s, or unset SUPABASE_URL to use the development secret",
			bootstrap.JWTSecretName, bootstrap.JWTSecretName))
	}

	now := time.Now()
	claims := jwt.MintClaims{
		UserID:   devUserID(addr),
		Email:    addr,
		FullName: strings.TrimSpace(f.name),
		Admin:    f.admin,
		TTL:      f.ttl,
		Issuer:   jc.Issuer,
		Now:      now,
	}
	if f.ttl <= 0 { // MintHS256 wants a positive lifetime: issue it in the past instead
		claims.TTL = jwt.DefaultMintTTL
		claims.Now = now.Add(f.ttl - jwt.DefaultMintTTL)
	}
	token, err := jwt.MintHS256(jc.HS256Secret, claims)
	if err != nil {
		return failure(exitError, err)
	}
	printf(stdout, "%s\n", token)
	role := "user"
	if f.admin {
		role = "operator"
	}
	printf(stderr, "%s: %s %s <%s>, expires %s\n", cmd.CommandPath(), role, claims.UserID, addr,
		now.Add(f.ttl).UTC().Format(time.RFC3339))
	return nil
}

// isStrictEnv reports whether APP_ENV names staging or production.
func isStrictEnv(env string) bool {
	e := bootstrap.Env(strings.ToLower(strings.TrimSpace(env)))
	return e == bootstrap.EnvStaging || e == bootstrap.EnvProduction
}

// secretProvider builds the provider the server would use for cfg: the environment, or AWS
// Secrets Manager when SECRETS_SOURCE=aws.
func secretProvider(ctx context.Context, cfg bootstrap.Config, lookup func(string) (string, bool)) (secret.Provider, error) {
	sc := cfg.Adapters().Secrets
	if sc.Source == secrets.SourceAWS {
		return secrets.NewAWS(ctx, sc)
	}
	return secrets.NewEnv(lookup), nil
}
