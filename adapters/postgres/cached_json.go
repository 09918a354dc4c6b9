package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// readCachedJSON runs sql, which selects at most one row of one JSON column, and decodes it into
// a T: the caches' read (profile_cache, anonymous_results). No row is a miss; so is a row this
// version cannot decode (the next write replaces it). Other failures are mapped errors naming
// what was read.
func readCachedJSON[T any](ctx context.Context, db *DB, what, sql string, args ...any) (T, bool, error) {
	var (
		zero, v T
		raw     []byte
	)
	err := db.Pool().QueryRow(ctx, sql, args...).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, false, nil
	}
	if err != nil {
		return zero, false, MapError(fmt.Errorf("read %s: %w", what, err))
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, false, nil
	}
	return v, true, nil
}
