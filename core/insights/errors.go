package insights

import "github.com/oslira/oslira/core/apperr"

// CodeWindowInvalid: the window parameter is not "<n>h" or "<n>d", or is outside 1h..400d (400).
const CodeWindowInvalid = "analytics.window-invalid"

// ErrWindowInvalid is the 400 of a bad window, naming the field "window".
var ErrWindowInvalid = apperr.Validation(CodeWindowInvalid,
	"window must be a whole number of hours or days, like 24h, 7d or 30d, from 1h to 400d",
	apperr.FieldError{Field: "window", Message: "expected <n>h or <n>d between 1h and 400d"})
