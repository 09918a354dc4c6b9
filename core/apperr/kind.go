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

// Level is the severity at which an error of some kind is logged and reported.
type Level uint8

// Levels, in increasing severity. Only Critical errors are sent to the error reporter (Sentry).
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

// Level maps a kind to its severity: caller mistakes are INFO, throttling WARN, a dependency outage
// ERROR (it is not ours to fix, but someone should look), and an internal failure CRITICAL.
func (k Kind) Level() Level {
	switch k {
	case Invalid, Unauthenticated, Forbidden, NotFound, Conflict, PaymentRequired:
		return LevelInfo
	case RateLimited:
		return LevelWarn
	case Unavailable:
		return LevelError
	default:
		return LevelCritical
	}
}
