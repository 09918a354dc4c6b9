package ai_test

import (
	"context"
	"math"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/aimock"
	"github.com/oslira/oslira/core/ai"
)

// TestGatewayDefaultBudgetsUpToTheLimit: a default budget of exactly MaxTokensLimit is accepted
// for either tier and is what a request without MaxTokens sends; one token more is refused at
// construction.
func TestGatewayDefaultBudgetsUpToTheLimit(t *testing.T) {
	t.Parallel()
	for name, tier := range map[string]ai.Tier{"small": ai.TierSmall, "strong": ai.TierStrong} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, func(c *ai.GatewayConfig, _ *ai.GatewayPorts) {
				c.SmallMaxTokens, c.StrongMaxTokens = ai.MaxTokensLimit, ai.MaxTokensLimit
			})
			f.cacheMisses(2)
			f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, c ai.Call) (ai.Completion, error) {
				if c.MaxTokens != ai.MaxTokensLimit {
					t.Errorf("MaxTokens = %d, want the configured %d", c.MaxTokens, ai.MaxTokensLimit)
				}
				return completion(), nil
			})
			f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
			f.cache.EXPECT().Put(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
			req := request()
			req.Tier = tier
			if _, err := f.gw.Complete(t.Context(), req); err != nil {
				t.Fatal(err)
			}
		})
	}
	route, v := limitRoute(t)
	for name, cfg := range map[string]ai.GatewayConfig{
		"small":  {Routes: route, SmallMaxTokens: ai.MaxTokensLimit + 1},
		"strong": {Routes: route, StrongMaxTokens: ai.MaxTokensLimit + 1},
	} {
		if _, err := ai.NewGateway(cfg, ai.GatewayPorts{Validator: v}); err == nil {
			t.Errorf("%s budget of MaxTokensLimit+1 accepted", name)
		}
	}
}

// TestGatewayRetryBudgetFactorMustGrow: the malformed-output retry must ask for a larger budget,
// so a factor of exactly 1 is refused and the smallest factor above 1 is accepted.
func TestGatewayRetryBudgetFactorMustGrow(t *testing.T) {
	t.Parallel()
	route, v := limitRoute(t)
	if _, err := ai.NewGateway(ai.GatewayConfig{Routes: route, RetryBudgetFactor: 1}, ai.GatewayPorts{Validator: v}); err == nil {
		t.Error("a retry budget factor of 1 was accepted")
	}
	if _, err := ai.NewGateway(ai.GatewayConfig{Routes: route, RetryBudgetFactor: math.Nextafter(1, 2)}, ai.GatewayPorts{Validator: v}); err != nil {
		t.Errorf("the smallest factor above 1 was refused: %v", err)
	}
}

func limitRoute(t *testing.T) ([]ai.Route, *aimock.MockSchemaValidator) {
	t.Helper()
	ctrl := gomock.NewController(t)
	p := aimock.NewMockProvider(ctrl)
	p.EXPECT().Name().Return("openai").AnyTimes()
	return []ai.Route{{Provider: p, Small: "a", Strong: "b"}}, aimock.NewMockSchemaValidator(ctrl)
}
