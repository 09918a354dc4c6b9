package apperr

// Kind classifies an error by what the caller can do about it. The set is closed: adding a kind
// means adding a row to every host's mapping table.
type Kind uint8

// The kinds, ordered roughly from "caller's fault" to "our fault".
const (
	// Internal is a bug or an unexpected failure. It is the zero value so that an unclassified
	// error is never mistaken for a business outcome.
	Internal Kind = iota
	// Invalid means the input was malformed or broke a rule; retrying the same input fails again.
	Invalid
	// Unauthenticated means the caller's identity could not be established.
	Unauthenticated
	// Forbidden means the caller is known but may not do this.
	Forbidden
	// NotFound means the thing does not exist or belongs to another tenant (never leak which).
	NotFound
	// Conflict means the request clashes with the current state (duplicate, already running).
	Conflict
	// PaymentRequired means the account lacks credits or a plan for this action.
	PaymentRequired
	// RateLimited means the caller (or we, upstream) must slow down; retry after a delay.
	RateLimited
	// Unavailable means a dependency is down or timed out; the same request may succeed later.
	Unavailable
)

var kindNames = [...]string{
	Internal:        "internal",
	Invalid:         "invalid",
	Unauthenticated: "unauthenticated",
	Forbidden:       "forbidden",
	NotFound:        "not_found",
	Conflict:        "conflict",
	PaymentRequired: "payment_required",
	RateLimited:     "rate_limited",
	Unavailable:     "unavailable",
}

// Kinds lists every kind, for tables and tests that must cover them all.
func Kinds() []Kind {
	return []Kind{Internal, Invalid, Unauthenticated, Forbidden, NotFound, Conflict, PaymentRequired, RateLimited, Unavailable}
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Retryable reports whether an operation that failed with this kind may succeed if repeated
// unchanged. Only infrastructure failures are retryable; business outcomes never are, and an
// Internal error is treated as a bug (retrying a bug multiplies its damage).
func (k Kind) Retryable() bool {
	return k == Unavailable || k == RateLimited
}

// Level is the severity at which an error is logged and reported.
type Level uint8

// Levels, in increasing severity. Only Critical errors are sent to the error reporter (Sentry):
// Critical means "someone must look now", so it must stay rare and actionable.
const (
	LevelInfo Level = iota
	LevelWarn
	LevelError
	LevelCritical
)

func (l Level) String() string {
	switch l {
	case LevelInfo:
		return "INFO"
	case LevelWarn:
		return "WARN"
	case LevelError:
		return "ERROR"
	default:
		return "CRITICAL"
	}
}

// kindLevels is THE classification table: the severity of each kind. Caller mistakes and business
// outcomes are INFO (nothing of ours is wrong); throttling and dependency outages are WARN (they
// are retried, and a lasting outage shows in /health, the breakers and the metrics, not as a
// page per request); an internal failure (a bug, a panic, a store that stayed down through every
// retry) is CRITICAL. No kind is ERROR by default: ERROR is for the codes of codeLevels that are
// ours to fix but need no page. Every kind has a row (a test checks).
var kindLevels = [...]Level{
	Internal:        LevelCritical,
	Invalid:         LevelInfo,
	Unauthenticated: LevelInfo,
	Forbidden:       LevelInfo,
	NotFound:        LevelInfo,
	Conflict:        LevelInfo,
	PaymentRequired: LevelInfo,
	RateLimited:     LevelWarn,
	Unavailable:     LevelWarn,
}

// codeLevels overrides kindLevels for the few codes whose severity differs from their kind's.
// The codes are declared by feature packages (which import this one), so they are spelled out
// here; a test in apperr_test holds them to the features' constants.
var codeLevels = map[string]Level{
	// An analysis that stopped on an unexpected error (refunded): a bug or a store down through
	// every retry of a Critical step.
	"analysis.failed": LevelCritical,
	// Billing left unconfigured is a deployment mistake, not an outage that retrying fixes.
	"billing.not-configured": LevelError,
	// The profile provider refusing our request (bad token, exhausted plan, unknown actor) is
	// a configuration problem on our side; another provider may serve meanwhile.
	"lead.scraper-rejected": LevelError,
	// A Stripe webhook with a bad signature is either an attack or a rotated secret: worth a WARN
	// line, not the INFO of an ordinary invalid request.
	"billing.webhook-signature": LevelWarn,
}

// Level maps a kind to its severity (the kindLevels row); an out-of-range kind is CRITICAL.
func (k Kind) Level() Level {
	if int(k) < len(kindLevels) {
		return kindLevels[k]
	}
	return LevelCritical
}

// LevelOf is the severity of err: its code's row in codeLevels when it has one, else its kind's.
// An error that is not an *Error is Internal, so CRITICAL; so is a recovered panic.
func LevelOf(err error) Level {
	if e, ok := As(err); ok {
		if l, ok := codeLevels[e.Code]; ok {
			return l
		}
		return e.Kind.Level()
	}
	return LevelCritical
}
