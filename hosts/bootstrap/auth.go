package bootstrap

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/secret"
)

// JWTSecretName is the secret holding the Supabase project's HS256 JWT secret (the "legacy JWT
// secret" of the Supabase dashboard). It is read through the secret provider: from AWS Secrets
// Manager (Oslira/<env>/SUPABASE_JWT_SECRET) in staging and production, from the environment
// variable of the same name in development.
const JWTSecretName = "SUPABASE_JWT_SECRET"

// DevJWTSecretFile is the file under DATA_DIR that keeps the generated development secret.
const DevJWTSecretFile = "dev-jwt-secret"

// devSecretBytes is the entropy of a generated development secret (base64url: 64 characters).
const devSecretBytes = 48

// jwtSecretTimeout bounds reading the secret at start-up (AWS retries included).
const jwtSecretTimeout = 15 * time.Second

// JWTConfig decides which keys sign acceptable tokens:
//
//   - HS256 with SUPABASE_JWT_SECRET when the secret provider has it;
//   - ES256/RS256 through the key set at SUPABASE_JWKS_URL, else at
//     <SUPABASE_URL>/auth/v1/.well-known/jwks.json when SUPABASE_URL is set (a self-hosted
//     Supabase Auth without the platform's gateway serves it at /.well-known/jwks.json);
//   - iss must equal SUPABASE_JWT_ISSUER, else <SUPABASE_URL>/auth/v1 (not checked without either);
//   - with neither a secret nor SUPABASE_URL: in development and test, a random secret generated
//     once and kept in DATA_DIR/dev-jwt-secret (the one `oslira token` signs with); in staging and
//     production, a *ConfigError naming both.
//
// A secret store that cannot be reached is an error in every environment: starting without the
// HS256 key would silently refuse every token it signed. log may be nil.
func JWTConfig(ctx context.Context, c Config, secrets secret.Provider, log *slog.Logger) (jwt.Config, error) {
	return jwtConfig(ctx, c, secrets, log, true)
}

// ExistingJWTConfig is JWTConfig for a process that signs with the server's keys and must never
// create them (`oslira token`): where JWTConfig would generate the development secret, it reads
// DATA_DIR/dev-jwt-secret and, when the server has not created it, returns a
// *MissingDevSecretError saying where it looked. A secret of its own would sign tokens the
// server rejects.
func ExistingJWTConfig(ctx context.Context, c Config, secrets secret.Provider) (jwt.Config, error) {
	return jwtConfig(ctx, c, secrets, nil, false)
}

// MissingDevSecretError is ExistingJWTConfig's answer when there is no development secret yet.
type MissingDevSecretError struct {
	Path    string // where it looked, absolute when the working directory is known
	DataDir string // DATA_DIR as configured
}

func (e *MissingDevSecretError) Error() string {
	return fmt.Sprintf("no development JWT secret at %s (DATA_DIR=%s): the server generates it on its first start "+
		"in development; start it once (make run), run this command from the directory the server runs in "+
		"(or with the same DATA_DIR), or set %s", e.Path, e.DataDir, JWTSecretName)
}

func jwtConfig(ctx context.Context, c Config, secrets secret.Provider, log *slog.Logger, create bool) (jwt.Config, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := jwt.Config{JWKSURL: c.JWKSURL(), Issuer: c.JWTIssuer()}
	v, err := secrets.Get(ctx, JWTSecretName)
	switch {
	case err == nil:
		cfg.HS256Secret = v
	case errors.Is(err, secret.ErrNotFound):
	default:
		return jwt.Config{}, fmt.Errorf("read secret %s: %w", JWTSecretName, err)
	}
	if cfg.HS256Secret == "" && cfg.JWKSURL == "" {
		if !c.Env.Local() {
			return jwt.Config{}, &ConfigError{Env: c.Env, Problems: []Problem{
				{Var: JWTSecretName, Reason: "is not in the secret store (SECRETS_SOURCE=" + c.SecretsSource + ") and SUPABASE_URL is not set; tokens need the HS256 secret, the project's JWKS, or both"},
				{Var: "SUPABASE_URL", Reason: "is not set (nor SUPABASE_JWKS_URL) and neither is the " + JWTSecretName + " secret; set at least one"},
			}}
		}
		if !create {
			s, err := readDevSecret(filepath.Join(c.DataDir, DevJWTSecretFile))
			if errors.Is(err, fs.ErrNotExist) {
				path, absErr := filepath.Abs(filepath.Join(c.DataDir, DevJWTSecretFile))
				if absErr != nil {
					path = filepath.Join(c.DataDir, DevJWTSecretFile)
				}
				return jwt.Config{}, &MissingDevSecretError{Path: path, DataDir: c.DataDir}
			}
			if err != nil {
				return jwt.Config{}, err
			}
			cfg.HS256Secret = s
		} else {
			s, created, err := DevJWTSecret(c.DataDir)
			if err != nil {
				return jwt.Config{}, err
			}
			cfg.HS256Secret = s
			path := filepath.Join(c.DataDir, DevJWTSecretFile)
			if created {
				log.Info("generated a development JWT secret; `oslira token` signs with it", "path", path)
			} else {
				log.Debug("using the development JWT secret", "path", path)
			}
		}
	}
	if err := cfg.Validate(); err != nil {
		// The texts name fields and lengths, never the secret.
		return jwt.Config{}, fmt.Errorf("token verification (%s, SUPABASE_URL, SUPABASE_JWKS_URL): %w", JWTSecretName, err)
	}
	return cfg, nil
}

// provideJWTConfig is JWTConfig for the fx graph, under its own deadline.
func provideJWTConfig(c Config, secrets secret.Provider, log *slog.Logger) (jwt.Config, error) {
	ctx, cancel := context.WithTimeout(context.Background(), jwtSecretTimeout)
	defer cancel()
	return JWTConfig(ctx, c, secrets, log)
}

// DevJWTSecret returns the development HS256 secret kept in dataDir/dev-jwt-secret, generating
// it (48 random bytes, base64url) when the file does not exist; created reports that. The file is
// created with mode 0600 and published atomically (a hard link of a complete temporary file), so
// a server and `oslira token` starting together agree on one secret. A file that exists but
// holds fewer than jwt.MinSecretBytes characters is an error, never silently replaced: tokens
// minted with it may be in use.
func DevJWTSecret(dataDir string) (value string, created bool, err error) {
	path := filepath.Join(dataDir, DevJWTSecretFile)
	if v, err := readDevSecret(path); !errors.Is(err, fs.ErrNotExist) {
		return v, false, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", false, fmt.Errorf("development JWT secret: create %s: %w", dataDir, err)
	}
	buf := make([]byte, devSecretBytes)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go ≥ 1.24)
	value = base64.RawURLEncoding.EncodeToString(buf)

	tmp, err := os.CreateTemp(dataDir, DevJWTSecretFile+".*.tmp") // mode 0600
	if err != nil {
		return "", false, fmt.Errorf("development JWT secret: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, werr := tmp.WriteString(value + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", false, fmt.Errorf("development JWT secret: write %s: %w", tmp.Name(), werr)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) { // another process won the race: use its secret
			v, err := readDevSecret(path)
			return v, false, err
		}
		return "", false, fmt.Errorf("development JWT secret: publish %s: %w", path, err)
	}
	return value, true, nil
}

func readDevSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("development JWT secret: read %s: %w", path, err)
	}
	v := strings.TrimSpace(string(b))
	if len(v) < jwt.MinSecretBytes {
		return "", fmt.Errorf("development JWT secret: %s holds %d characters, want at least %d; delete it to generate a new one",
			path, len(v), jwt.MinSecretBytes)
	}
	return v, nil
}
