package postgres

import (
	"context"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres/migrations"
)

// Test-only access to unexported helpers (this file compiles only into the package's tests).

// MigrateFS applies the migrations in fsys instead of the embedded ones.
func MigrateFS(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) error {
	return migrateFS(ctx, pool, fsys)
}

// MigrateDownTo rolls the embedded migrations back to version.
func MigrateDownTo(ctx context.Context, pool *pgxpool.Pool, version int64) error {
	p, closeDB, err := newProvider(pool, migrations.FS)
	if err != nil {
		return err
	}
	defer closeDB()
	_, err = p.DownTo(ctx, version)
	return err
}

// ClaimsFor exposes the user scope's claims rendering.
var ClaimsFor = claimsFor
