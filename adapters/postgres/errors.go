package postgres

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

// The errors MapError returns, before the cause is attached. Messages are written for clients:
// they never contain SQL, table or constraint names, or values.
var (
	errNotFound    = apperr.New(apperr.NotFound, apperr.CodeNotFound, "the requested resource was not found")
	errConflict    = apperr.New(apperr.Conflict, apperr.CodeConflict, "the request conflicts with existing data")
	errReference   = apperr.New(apperr.Invalid, apperr.CodeInvalidRequest, "the request refers to a resource that does not exist or is still in use")
	errRule        = apperr.New(apperr.Invalid, apperr.CodeInvalidRequest, "the request breaks a data rule")
	errForbidden   = apperr.New(apperr.Forbidden, apperr.CodeForbidden, "this operation is not permitted")
	errBusy        = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "the database was busy; try again")
	errUnavailable = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "the database is temporarily unavailable")
	errTimeout     = apperr.New(apperr.Unavailable, apperr.CodeTimeout, "the database did not answer in time")
	errInternalDB  = apperr.New(apperr.Internal, apperr.CodeInternal, "internal error")
)

// sqlStates maps a SQLSTATE to the error it becomes. Raises from our own SQL functions get a
// distinct SQLSTATE (`raise exception using errcode = 'OC402'`; five characters, class "O" is
// free) and a row here mapping it to the feature's sentinel, e.g. "OC402": credit.ErrInsufficient.
var sqlStates = map[string]*apperr.Error{
	// Integrity constraints and malformed input.
	"23505": errConflict,  // unique_violation
	"23P01": errConflict,  // exclusion_violation
	"23503": errReference, // foreign_key_violation
	"23514": errRule,      // check_violation
	"23502": errRule,      // not_null_violation
	"22P02": errRule,      // invalid_text_representation (e.g. a malformed uuid)
	"22001": errRule,      // string_data_right_truncation
	"22003": errRule,      // numeric_value_out_of_range
	"22007": errRule,      // invalid_datetime_format
	"22008": errRule,      // datetime_field_overflow
	"22023": errRule,      // invalid_parameter_value (also raised by our functions on bad arguments)

	// Privileges: a write rejected by a row-level security policy, or a missing grant.
	"42501": errForbidden, // insufficient_privilege

	// Transient: the same transaction may succeed when run again.
	"40001": errBusy,        // serialization_failure
	"40P01": errBusy,        // deadlock_detected
	"55P03": errBusy,        // lock_not_available
	"57014": errTimeout,     // query_canceled (statement_timeout, cancelled context)
	"57P01": errUnavailable, // admin_shutdown
	"57P02": errUnavailable, // crash_shutdown
	"57P03": errUnavailable, // cannot_connect_now

	// Our own raises (see above).
	"OC402": credit.ErrInsufficient, // app.apply_credit: the balance cannot pay for a debit
	"OC404": errNotFound,            // app.apply_credit: the account has no balance row
}

// sqlClasses maps whole SQLSTATE classes (first two characters) not matched in sqlStates.
var sqlClasses = map[string]*apperr.Error{
	"08": errUnavailable, // connection_exception
	"53": errUnavailable, // insufficient_resources (too many connections, out of memory, disk full)
}

// MapError is the one place where pgx and pgconn errors become apperr kinds:
//
//	nil                                   nil
//	an *apperr.Error anywhere in the chain err, unchanged
//	pgx.ErrNoRows                         NotFound
//	23505 unique, 23P01 exclusion         Conflict
//	23503 foreign key                     Invalid
//	23514, 23502, 22P02, 22xxx input      Invalid
//	42501 privilege / RLS write           Forbidden
//	OC402 (app.apply_credit)              credit.ErrInsufficient (PaymentRequired)
//	OC404 (app.apply_credit)              NotFound
//	40001, 40P01, 55P03                   Unavailable (retryable)
//	57014, context deadline               Unavailable, code service.timeout
//	class 08 and 53, 57P0x, connection
//	failures, cancelled context           Unavailable
//	anything else                         Internal
//
// The result keeps err as its cause (for logs and errors.As on *pgconn.PgError); its message is
// safe for clients.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	return classify(err).WithCause(err)
}

func classify(err error) *apperr.Error {
	if errors.Is(err, pgx.ErrNoRows) {
		return errNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if e, ok := sqlStates[pgErr.Code]; ok {
			return e
		}
		if len(pgErr.Code) == 5 {
			if e, ok := sqlClasses[pgErr.Code[:2]]; ok {
				return e
			}
		}
		return errInternalDB
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return errTimeout
	}
	if errors.Is(err, context.Canceled) || isConnectionError(err) {
		return errUnavailable
	}
	return errInternalDB
}

// isConnectionError reports failures to reach or keep talking to the server.
func isConnectionError(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.SafeToRetry(err)
}
