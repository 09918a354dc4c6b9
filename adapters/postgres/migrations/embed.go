// Package migrations holds the SQL migrations of the postgres adapter, embedded in the binary.
//
// Files are goose SQL migrations named NNNNN_name.sql with "-- +goose Up" and "-- +goose Down"
// sections; each runs in its own transaction. Bodies containing semicolons (functions, DO blocks)
// are wrapped in "-- +goose StatementBegin" / "-- +goose StatementEnd". See the postgres package
// documentation for the rules every migration follows.
package migrations

import "embed"

// FS holds every *.sql migration at its root.
//
//go:embed *.sql
var FS embed.FS
