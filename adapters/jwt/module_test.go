package jwt_test

import (
	"context"
	"errors"
	"testing"

	gojwt "github.com/golang-jwt/jwt/v5"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/observe"
)

func TestModule(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, ecJWK(ecKey(), "k-ec", "ES256"))
	var (
		verifier identity.TokenVerifier
		checks   struct {
			fx.In
			All []observe.HealthChecker `group:"health"`
		}
	)
	app := fxtest.New(t,
		jwt.Module,
		fx.Supply(jwt.Config{HS256Secret: testSecret, JWKSURL: fake.URL()}),
		fx.Populate(&verifier, &checks),
	)
	app.RequireStart()
	defer app.RequireStop()

	for _, token := range []string{
		sign(t, gojwt.SigningMethodHS256, []byte(testSecret), "", claims()),
		sign(t, gojwt.SigningMethodES256, ecKey(), "k-ec", claims()),
	} {
		if _, err := verifier.Verify(context.Background(), token); err != nil {
			t.Errorf("Verify: %v", err)
		}
	}
	if len(checks.All) != 1 {
		t.Fatalf("health checkers = %d, want 1", len(checks.All))
	}
	h := checks.All[0]
	if h.Name() != "jwks" || h.Critical() {
		t.Errorf("health check %q critical=%v", h.Name(), h.Critical())
	}
	if err := h.Check(context.Background()); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestModuleRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	app := fx.New(jwt.Module, fx.Supply(jwt.Config{}), fx.Invoke(func(identity.TokenVerifier) {}), fx.NopLogger)
	if app.Err() == nil {
		t.Fatal("fx accepted an empty config")
	}
}

func TestHealthCheckHS256Only(t *testing.T) {
	t.Parallel()
	h := jwt.NewHealthCheck(newVerifier(t, jwt.Config{HS256Secret: testSecret}))
	if err := h.Check(context.Background()); !errors.Is(err, observe.ErrNotConfigured) {
		t.Errorf("HS256-only Check: %v, want observe.ErrNotConfigured (no JWKS to check)", err)
	}
}
