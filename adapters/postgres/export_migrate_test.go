package postgres

// Test-only access to the migration helpers over any file system (compiled only into tests).

// MigrationVersionFS is MigrationVersion against the migrations in fsys.
var MigrationVersionFS = migrationVersionFS
