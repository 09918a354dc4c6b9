package apperr

// Codes used by more than one feature. Feature packages declare their own codes next to their
// sentinels; every code must also appear in contracts/errors.md (a test checks that).
const (
	CodeInternal         = "internal"
	CodeInvalidRequest   = "request.invalid"
	CodeBodyTooLarge     = "request.too-large"
	CodeRouteNotFound    = "route.not-found"
	CodeMethodNotAllowed = "route.method-not-allowed"
	CodeUnavailable      = "service.unavailable"
	CodeTimeout          = "service.timeout"
	CodeRateLimited      = "rate.limited"
	CodeNotFound         = "resource.not-found"
	CodeConflict         = "resource.conflict"
	CodeForbidden        = "auth.forbidden"
	CodeUnauthenticated  = "auth.unauthenticated"
	CodeInvalidCursor    = "request.invalid-cursor"
	// CodeUnsupportedMediaType: a JSON route was sent a body that is not application/json (415).
	CodeUnsupportedMediaType = "request.unsupported-media-type"
)
