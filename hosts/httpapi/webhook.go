package httpapi

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
)

// HeaderStripeSignature carries a webhook's signature.
const HeaderStripeSignature = "Stripe-Signature"

// stripeWebhook answers POST /v1/webhooks/stripe (public: the signature is the credential).
//
// The raw body (at most MaxBodyBytes) is verified against the Stripe-Signature header; a
// missing, wrong or stale signature is 400 billing.webhook-signature and nothing is stored.
// A verified event is handed to billing.Inbox, which stores it and starts its processing
// workflow in one transaction; only then does Stripe get its 200, so an acknowledged event
// cannot be lost. Any failure to store is a 5xx (503 when the database is unreachable), which
// makes Stripe deliver again; redeliveries are harmless (one row, one grant). A redelivery is
// also how a failed event heals: when the run of the event's latest attempt failed or was
// cancelled, it starts the next attempt (billing.Inbox.Receive), and the answer is still
// {"duplicate": true} — the event was stored before; Stripe only needs the 200.
func (a *API) stripeWebhook(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	if a.billing.Inbox == nil || a.billing.VerifyWebhook == nil {
		_ = c.Error(billing.ErrNotConfigured)
		return
	}
	payload, err := io.ReadAll(c.Request.Body)
	switch {
	case isBodyTooLarge(err):
		_ = c.Error(errBodyTooLarge)
		return
	case err != nil:
		_ = c.Error(apperr.Wrap(err, apperr.Invalid, apperr.CodeInvalidRequest, "The request body could not be read."))
		return
	}
	ctx := c.Request.Context()
	ev, err := a.billing.VerifyWebhook(ctx, payload, c.GetHeader(HeaderStripeSignature))
	if err != nil {
		_ = c.Error(err)
		return
	}
	rcpt, err := a.billing.Inbox.Receive(ctx, ev, payload)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, webhookResponse{Received: true, EventID: rcpt.EventID, Duplicate: rcpt.Duplicate})
}
