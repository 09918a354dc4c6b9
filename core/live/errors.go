package live

import "github.com/oslira/oslira/core/apperr"

// CodeTicketInvalid: a WebSocket ticket that is unknown, expired or already used.
const CodeTicketInvalid = "auth.ticket-invalid"

// ErrTicket is an unusable WebSocket ticket (401).
var ErrTicket = apperr.New(apperr.Unauthenticated, CodeTicketInvalid, "the ticket is unknown, expired or already used")
