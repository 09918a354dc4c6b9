package localdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxSocketPath is the usable length of a Unix socket path (sun_path is 108 bytes on Linux).
const maxSocketPath = 107

// binaries are the server programs a private cluster needs.
type binaries struct {
	initdb, pgCtl string
}

// findBinaries looks for initdb and pg_ctl: only in dir when it is set, else on PATH, else in the
// newest /usr/lib/postgresql/<version>/bin (Debian keeps them off PATH).
func findBinaries(dir string) (binaries, bool) {
	inDir := func(d string) (binaries, bool) {
		b := binaries{initdb: filepath.Join(d, "initdb"), pgCtl: filepath.Join(d, "pg_ctl")}
		return b, isExecutable(b.initdb) && isExecutable(b.pgCtl)
	}
	if dir != "" {
		return inDir(dir)
	}
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		return binaries{initdb: initdb, pgCtl: pgCtl}, true
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range dirs {
		if b, ok := inDir(d); ok {
			return b, true
		}
	}
	return binaries{}, false
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// cluster is a private PostgreSQL cluster under dataDir/pg.
type cluster struct {
	bins    binaries
	dataDir string     // absolute DataDir
	runAs   *user.User // set when running as root: the server programs refuse root
	port    int
	started bool // this process started it (and so stops it)
}

func (c *cluster) pgData() string   { return filepath.Join(c.dataDir, "pg") }
func (c *cluster) logFile() string  { return filepath.Join(c.dataDir, "pg.log") }
func (c *cluster) portFile() string { return filepath.Join(c.dataDir, "pg.port") }

// url is the maintenance URL of the cluster.
func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// startCluster initialises the cluster on first use and starts it unless it already runs.
func startCluster(ctx context.Context, dataDir string, bins binaries, log *slog.Logger) (*cluster, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	c := &cluster{bins: bins, dataDir: abs}
	if os.Geteuid() == 0 {
		if err := c.prepareForRoot(ctx); err != nil {
			return nil, err
		}
	}
	if c.port, err = c.rememberedPort(); err != nil {
		return nil, err
	}

	if _, err := os.Stat(filepath.Join(c.pgData(), "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		log.Info("creating a private PostgreSQL cluster", "dir", c.pgData())
		if _, err := c.run(ctx, bins.initdb, "-D", c.pgData(), "-U", "postgres", "-A", "trust",
			"-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
			return nil, fmt.Errorf("initdb: %w", err)
		}
	}

	if _, err := c.run(ctx, bins.pgCtl, "status", "-D", c.pgData()); err == nil {
		return c, nil // already running (another process, or a previous run that did not stop it)
	}
	socketDir := c.dataDir
	if len(filepath.Join(socketDir, ".s.PGSQL.65535")) > maxSocketPath {
		log.Warn("data directory path too long for a Unix socket; listening on TCP only", "dir", socketDir)
		socketDir = ""
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k '%s'", c.port, strings.ReplaceAll(socketDir, "'", ""))
	if _, err := c.run(ctx, bins.pgCtl, "start", "-D", c.pgData(), "-l", c.logFile(), "-w", "-t", "60",
		"-s", "-o", opts); err != nil {
		return nil, fmt.Errorf("pg_ctl start (see %s): %w", c.logFile(), err)
	}
	c.started = true
	return c, nil
}

// stop shuts the cluster down (fast mode: open sessions are disconnected).
func (c *cluster) stop(ctx context.Context) error {
	if _, err := c.run(ctx, c.bins.pgCtl, "stop", "-D", c.pgData(), "-m", "fast", "-w", "-s"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w", err)
	}
	return nil
}

// prepareForRoot arranges for the server programs to run as the user postgres: initdb and
// postgres refuse to run as root.
func (c *cluster) prepareForRoot(ctx context.Context) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return errors.New("running as root, and there is no user postgres to run initdb and pg_ctl as " +
			"(they refuse root); run as a normal user, or set DATABASE_URL")
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return errors.New("running as root, and runuser is missing to run initdb and pg_ctl as user postgres")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(c.dataDir, uid, gid); err != nil {
		return fmt.Errorf("hand %s to user postgres: %w", c.dataDir, err)
	}
	c.runAs = u
	if _, err := c.run(ctx, "test", "-w", c.dataDir, "-a", "-x", c.dataDir); err != nil {
		return fmt.Errorf("user postgres cannot use %s; make its parent directories traversable (chmod o+x)", c.dataDir)
	}
	return nil
}

// rememberedPort returns the port stored in DataDir, choosing and storing a free one the first
// time, so the cluster keeps its address across runs.
func (c *cluster) rememberedPort() (int, error) {
	if b, err := os.ReadFile(c.portFile()); err == nil {
		if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && p > 0 && p < 65536 {
			return p, nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("choose a port: %w", err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	if err := os.WriteFile(c.portFile(), []byte(strconv.Itoa(p)+"\n"), 0o644); err != nil {
		return 0, fmt.Errorf("remember the port: %w", err)
	}
	return p, nil
}

// run executes a program (as c.runAs when set) in the data directory and returns its output;
// on failure the error carries the output's last lines.
func (c *cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	if c.runAs != nil {
		args = append([]string{"-u", c.runAs.Username, "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dataDir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%w: %s", err, tail(out.String(), 5))
	}
	return out.Bytes(), nil
}

// tail returns the last n non-empty lines of s, joined with " | ".
func tail(s string, n int) string {
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' })
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
