package secrets

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/secret"
)

// maxNameLen bounds a secret name; AWS allows 512 characters for the whole path.
const maxNameLen = 128

// checkName rejects names that are empty, too long or could step outside the Oslira/<env>/
// prefix. Names come from code, so a bad one is a bug (Internal).
func checkName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return apperr.New(apperr.Internal, apperr.CodeInternal, fmt.Sprintf("invalid secret name %q", name))
	}
	for _, r := range name {
		ok := r == '_' || r == '-' || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z') || ('a' <= r && r <= 'z')
		if !ok {
			return apperr.New(apperr.Internal, apperr.CodeInternal, fmt.Sprintf("invalid secret name %q", name))
		}
	}
	return nil
}

// notFound is secret.ErrNotFound with the name in its message.
func notFound(name, why string, cause error) error {
	return secret.ErrNotFound.WithMessage(fmt.Sprintf("secret %s %s", name, why)).WithCause(cause)
}

// unavailable is secret.ErrUnavailable with the name in its message.
func unavailable(name string, cause error) error {
	return secret.ErrUnavailable.WithMessage(fmt.Sprintf("secret store unavailable reading %s", name)).WithCause(cause)
}

// retryables is the SDK's own notion of a transient failure (5xx, throttling codes, connection
// errors). By the time an error reaches us the SDK has already retried it, so it means
// "unavailable right now".
var (
	retryables = retry.IsErrorRetryables(retry.DefaultRetryables)
	throttles  = retry.IsErrorThrottles(retry.DefaultThrottles)
)

// classify maps an error from GetSecretValue to the port's contract. AWS error messages never
// carry secret values, so the cause is kept (for logs and errors.As).
func classify(name string, err error) error {
	var notFoundErr *types.ResourceNotFoundException
	var internalErr *types.InternalServiceError
	var quota ratelimit.QuotaExceededError
	switch {
	case errors.As(err, &notFoundErr):
		return notFound(name, "not found", err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.As(err, &internalErr), errors.As(err, &quota),
		retryables.IsErrorRetryable(err) == aws.TrueTernary,
		throttles.IsErrorThrottle(err) == aws.TrueTernary:
		return unavailable(name, err)
	}
	msg := fmt.Sprintf("read secret %s: secrets manager call failed", name)
	if code := awsCode(err); code != "" {
		msg = fmt.Sprintf("read secret %s: secrets manager error %s", name, code)
	}
	return apperr.Wrap(err, apperr.Internal, apperr.CodeInternal, msg)
}

// awsCode returns the AWS error code in err's chain, or "". It matches smithy.APIError by its
// method rather than by type, so this package needs no direct smithy-go import.
func awsCode(err error) string {
	var apiErr interface{ ErrorCode() string }
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
