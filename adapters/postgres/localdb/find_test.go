package localdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

// fakeServerPrograms puts initdb and pg_ctl scripts in a directory; each leaves a marker file
// when run, so a test can tell that nothing tried to create or start a cluster.
func fakeServerPrograms(t *testing.T) (binDir, marker string) {
	t.Helper()
	binDir = t.TempDir()
	marker = filepath.Join(binDir, "ran")
	for _, name := range []string{"initdb", "pg_ctl"} {
		script := "#!/bin/sh\necho " + name + " >> '" + marker + "'\nexit 1\n"
		if err := os.WriteFile(filepath.Join(binDir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return binDir, marker
}

// TestFindCreatesNothing: where Ensure would create the database or start a private cluster,
// Find reports what is missing and leaves everything as it was.
func TestFindCreatesNothing(t *testing.T) {
	t.Parallel()
	pgtest.Pool(t) // skips (or fails in CI) when no server is reachable
	binDir, marker := fakeServerPrograms(t)
	name := randomName("oslira_localdb_find_")

	_, err := Find(t.Context(), Options{DBName: name, localURL: pgtest.URL(), binDir: binDir, DataDir: t.TempDir()})
	if !errors.Is(err, ErrNotProvisioned) || !strings.Contains(err.Error(), name) {
		t.Fatalf("missing database: err = %v, want ErrNotProvisioned naming %s", err, name)
	}
	conn, err := pgx.Connect(t.Context(), pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var exists bool
	if err := conn.QueryRow(t.Context(), "select exists (select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("Find created the database %s", name)
	}

	// No server anywhere: no cluster is initialised or started, and DataDir stays empty.
	dataDir := filepath.Join(t.TempDir(), "data")
	_, err = Find(t.Context(), Options{DBName: name, localURL: closedURL, binDir: binDir, DataDir: dataDir})
	if !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("no server: err = %v, want ErrNoDatabase", err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Error("Find ran initdb or pg_ctl")
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Find created %s", dataDir)
	}
}

// TestFindUsesWhatExists: the local server's database once it exists, and a DATABASE_URL naming
// a database that does not exist is ErrNotProvisioned.
func TestFindUsesWhatExists(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	cc := pool.Config().ConnConfig
	d, err := Find(t.Context(), Options{DBName: cc.Database, localURL: pgtest.URL(), DataDir: t.TempDir()})
	if err != nil || d.Source != SourceLocal || currentDatabase(t, d.URL) != cc.Database {
		t.Fatalf("existing database: %+v, %v", d, err)
	}
	missing := strings.Replace(d.URL, "/"+cc.Database, "/"+cc.Database+"_nope", 1)
	if _, err := Find(t.Context(), Options{URL: missing}); !errors.Is(err, ErrNotProvisioned) {
		t.Errorf("DATABASE_URL of a missing database: err = %v, want ErrNotProvisioned", err)
	}
}
