package stripe

import (
	"errors"
	"net/http"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
)

// mapError turns a stripe-go failure into billing's provider errors, keeping it as the cause
// (stripe-go's error text is Stripe's JSON error: message, type, code, request id; it never
// contains the API key):
//
//	429                          ErrProviderRateLimited
//	5xx, api_error, network,
//	timeout, cancelled context   ErrProviderUnavailable (network failures after stripe-go's retries)
//	any other Stripe error       ErrProviderRejected (Internal: our request or key is wrong)
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *stripego.Error
	if !errors.As(err, &se) {
		return billing.ErrProviderUnavailable.WithCause(opError{op: op, err: err})
	}
	var e *apperr.Error
	switch {
	case se.HTTPStatusCode == http.StatusTooManyRequests:
		e = billing.ErrProviderRateLimited
	case se.HTTPStatusCode >= 500 || se.Type == stripego.ErrorTypeAPI:
		e = billing.ErrProviderUnavailable
	default:
		e = billing.ErrProviderRejected
	}
	return e.WithCause(opError{op: op, err: err})
}

// opError prefixes the cause with the operation, for logs.
type opError struct {
	op  string
	err error
}

func (e opError) Error() string { return "stripe " + e.op + ": " + e.err.Error() }
func (e opError) Unwrap() error { return e.err }
