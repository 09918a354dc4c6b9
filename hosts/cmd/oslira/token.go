package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/secret"
	"github.com/oslira/oslira/hosts/bootstrap"
)

// tokenSummary is the usage line of `oslira token`.
const tokenSummary = "print a development access token: token --email E [--admin] [--ttl D] [--name N]"

// devUserNamespace scopes development user ids: the id of an e-mail address is the UUIDv5 of
// "mailto:<address>" in the URL namespace, so the same address is always the same user.
var devUserNamespace = uuid.NameSpaceURL

// devUserID returns the deterministic user id of a (normalised) e-mail address.
func devUserID(email string) string {
	return uuid.NewSHA1(devUserNamespace, []byte("mailto:"+email)).String()
}

// runToken implements `oslira token`: it prints, on stdout alone, an access token shaped like
// Supabase Auth's and signed with the HS256 secret the server verifies with (SUPABASE_JWT_SECRET
// from the secret provider, else DATA_DIR/dev-jwt-secret, created when missing), carrying the
// issuer the server expects. A negative --ttl makes a token that has already expired. It refuses
// to run in staging and production, where tokens come from Supabase Auth only.
func runToken(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	if env, _ := lookup("APP_ENV"); isStrictEnv(env) {
		printf(stderr, "oslira token: refusing to mint a development token with APP_ENV=%s; "+
			"tokens there come from Supabase Auth\n", strings.TrimSpace(env))
		return exitError
	}
	fs := flag.NewFlagSet("oslira token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail address of the user (required); the same address is always the same user id")
	admin := fs.Bool("admin", false, `make the user an operator (app_metadata.role = "admin")`)
	ttl := fs.Duration("ttl", jwt.DefaultMintTTL, "lifetime of the token; negative for an already expired one (e.g. -1m)")
	name := fs.String("name", "", "full name (user_metadata.full_name)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	addr := strings.ToLower(strings.TrimSpace(*email))
	switch {
	case fs.NArg() > 0:
		printf(stderr, "oslira token: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case addr == "":
		printf(stderr, "oslira token: --email is required\n")
		fs.Usage()
		return exitUsage
	case strings.Count(addr, "@") != 1 || strings.HasPrefix(addr, "@") || strings.HasSuffix(addr, "@") ||
		strings.ContainsAny(addr, " \t\r\n\"<>"):
		printf(stderr, "oslira token: --email %q is not an e-mail address\n", *email)
		return exitUsage
	}

	cfg, err := bootstrap.Load(lookup)
	if err != nil {
		printf(stderr, "oslira token: %v\n", err)
		return exitError
	}
	provider, err := secretProvider(ctx, cfg, lookup)
	if err != nil {
		printf(stderr, "oslira token: %v\n", err)
		return exitError
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	jc, err := bootstrap.JWTConfig(ctx, cfg, provider, log)
	if err != nil {
		printf(stderr, "oslira token: %v\n", err)
		return exitError
	}
	if jc.HS256Secret == "" {
		printf(stderr, "oslira token: the server verifies tokens only through SUPABASE_URL's key set (%s is not set), "+
			"so it would refuse a token signed here; set %s, or unset SUPABASE_URL to use the development secret\n",
			bootstrap.JWTSecretName, bootstrap.JWTSecretName)
		return exitError
	}

	now := time.Now()
	claims := jwt.MintClaims{
		UserID:   devUserID(addr),
		Email:    addr,
		FullName: strings.TrimSpace(*name),
		Admin:    *admin,
		TTL:      *ttl,
		Issuer:   jc.Issuer,
		Now:      now,
	}
	if *ttl <= 0 { // MintHS256 wants a positive lifetime: issue it in the past instead
		claims.TTL = jwt.DefaultMintTTL
		claims.Now = now.Add(*ttl - jwt.DefaultMintTTL)
	}
	token, err := jwt.MintHS256(jc.HS256Secret, claims)
	if err != nil {
		printf(stderr, "oslira token: %v\n", err)
		return exitError
	}
	printf(stdout, "%s\n", token)
	role := "user"
	if *admin {
		role = "operator"
	}
	printf(stderr, "oslira token: %s %s <%s>, expires %s\n", role, claims.UserID, addr,
		now.Add(*ttl).UTC().Format(time.RFC3339))
	return exitOK
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
