package stripe

import (
	"go.uber.org/fx"

	"github.com/oslira/oslira/core/billing"
)

// Module provides *Client as billing.Payments. It needs a Config in the graph. Webhook
// verification needs no wiring: hosts call VerifyWebhook with their configured secret.
var Module = fx.Module("stripe",
	fx.Provide(fx.Annotate(New, fx.As(new(billing.Payments)))),
)
