package localdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// closedURL points at a port nothing listens on, so the "local" probe fails fast.
const closedURL = "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"

func randomName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func currentDatabase(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to the ensured database: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	var name string
	if err := conn.QueryRow(ctx, "select current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestEnsureUsesTheGivenURL(t *testing.T) {
	t.Parallel()
	cc := pgtest.Pool(t).Config().ConnConfig
	url := "postgres://" + cc.User + "@" + cc.Host + ":" + strconv.Itoa(int(cc.Port)) + "/" + cc.Database + "?sslmode=disable"

	d, err := Ensure(t.Context(), Options{URL: url, localURL: closedURL, binDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != SourceEnv || d.URL != url {
		t.Fatalf("got %+v, want the given URL from env", d)
	}
	if err := d.Close(t.Context()); err != nil {
		t.Errorf("Close of an env database: %v", err)
	}
}

func TestEnsureRejectsAnUnreachableURLWithoutLeakingIt(t *testing.T) {
	t.Parallel()
	_, err := Ensure(t.Context(), Options{URL: "postgres://app:hunter2-secret@127.0.0.1:1/x?connect_timeout=1"})
	if err == nil {
		t.Fatal("Ensure with an unreachable DATABASE_URL succeeded")
	}
	if !strings.Contains(err.Error(), "DATABASE_URL") || strings.Contains(err.Error(), "hunter2-secret") {
		t.Fatalf("error %q must name DATABASE_URL and hide the password", err)
	}
}

func TestEnsureCreatesTheDatabaseOnTheLocalServer(t *testing.T) {
	t.Parallel()
	pgtest.Pool(t) // skips (or fails in CI) when no server is reachable
	name := randomName("oslira_localdb_test_")
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), pgtest.URL())
		if err == nil {
			_, _ = conn.Exec(context.Background(), "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)")
			_ = conn.Close(context.Background())
		}
	})

	for range 2 { // the second call finds the database already there
		d, err := Ensure(t.Context(), Options{DBName: name, localURL: pgtest.URL(), binDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if d.Source != SourceLocal {
			t.Fatalf("source %q, want local", d.Source)
		}
		if got := currentDatabase(t, d.URL); got != name {
			t.Fatalf("connected to %q, want %q", got, name)
		}
	}
}

func TestEnsureExplainsWhenNothingIsAvailable(t *testing.T) {
	t.Parallel()
	_, err := Ensure(t.Context(), Options{DataDir: t.TempDir(), localURL: closedURL, binDir: t.TempDir()})
	if !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("err = %v, want ErrNoDatabase", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "DATABASE_URL=") {
		t.Fatalf("want one paragraph showing how to set DATABASE_URL, got:\n%s", msg)
	}
}

// traversableTempDir is t.TempDir made reachable for the user postgres when running as root.
func traversableTempDir(t *testing.T) string {
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func TestEnsureStartsAPrivateCluster(t *testing.T) {
	t.Parallel()
	if _, ok := findBinaries(""); !ok {
		if os.Getenv("CI") != "" {
			t.Fatal("PostgreSQL server programs (initdb, pg_ctl) not found")
		}
		t.Skip("PostgreSQL server programs (initdb, pg_ctl) not found")
	}
	dataDir := filepath.Join(traversableTempDir(t), "data")
	o := Options{DataDir: dataDir, DBName: "oslira_private", localURL: closedURL}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	d, err := Ensure(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	if d.Source != SourcePrivate {
		t.Fatalf("source %q, want private", d.Source)
	}
	if got := currentDatabase(t, d.URL); got != "oslira_private" {
		t.Fatalf("connected to %q", got)
	}
	if _, err := os.Stat(filepath.Join(dataDir, ".s.PGSQL."+portOf(t, dataDir))); err != nil {
		t.Errorf("no Unix socket in the data directory: %v", err)
	}
	conn, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "create table kept (id int)"); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close(ctx)

	firstURL := d.URL
	if err := d.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if c, err := pgx.Connect(ctx, firstURL+"&connect_timeout=2"); err == nil {
		_ = c.Close(ctx)
		t.Fatal("the cluster still answers after Close")
	}

	// A second start reuses the cluster, its remembered port and its data.
	d2, err := Ensure(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d2.Close(context.Background()) })
	if d2.URL != firstURL {
		t.Errorf("URL changed from %s to %s", firstURL, d2.URL)
	}
	conn, err = pgx.Connect(ctx, d2.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, "select * from kept"); err != nil {
		t.Errorf("data lost across restarts: %v", err)
	}
}

func portOf(t *testing.T, dataDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "pg.port"))
	if err != nil {
		t.Fatalf("port not remembered: %v", err)
	}
	return strings.TrimSpace(string(b))
}
