package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"
)

// recordingLookup is a lookup over env that records every variable asked for.
type recordingLookup struct {
	env  map[string]string
	mu   sync.Mutex
	read []string
}

func (r *recordingLookup) lookup(name string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.read, name) {
		r.read = append(r.read, name)
	}
	v, ok := r.env[name]
	return v, ok
}

// leafCommands walks the command tree as the binary builds it.
func leafCommands(t *testing.T) []*cobra.Command {
	t.Helper()
	var out []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		out = append(out, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCommand(&cli{lookup: mapLookup(nil), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}))
	return out
}

// TestEveryCommandHasHelp: `<command> --help` exits 0 with the help on stdout alone, for every
// command of the tree (a new command is covered by being registered).
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, c := range leafCommands(t) {
		path := strings.Fields(c.CommandPath())[1:]
		t.Run(strings.Join(append([]string{"oslira"}, path...), " "), func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCapture(t, nil, append(path, "--help")...)
			want := "Usage:"
			if c.IsAdditionalHelpTopicCommand() {
				want = c.Long[:20]
			}
			if code != exitOK || stderr != "" || !strings.Contains(stdout, want) {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
			}
			if c.Runnable() && c.Annotations[annotationEnv] != "" && !strings.Contains(stdout, "Environment:") {
				t.Errorf("no Environment section:\n%s", stdout)
			}
		})
	}
}

// TestHelpNamesTheVariablesACommandReads runs each command with a recording environment (a test
// database URL nothing answers at, so it fails right after reading its configuration) and checks
// that the command's --help names every variable it read.
func TestHelpNamesTheVariablesACommandReads(t *testing.T) {
	t.Parallel()
	runs := [][]string{
		{"serve"}, {"http"}, {"worker"}, {"cron"}, {"migrate"},
		{"token", "--email", "a@b.co"},
		{"workflows", "list"}, {"workflows", "show", "x"}, {"workflows", "cancel", "x"}, {"workflows", "resume", "x"},
		{"webhooks", "list"}, {"webhooks", "retry", "evt_x"},
		{"analyze", "lumen.coffee"},
		{"stats"},
	}
	covered := map[string]bool{}
	for _, args := range runs {
		verb := args[:1]
		if args[0] == "workflows" || args[0] == "webhooks" {
			verb = args[:2]
		}
		covered["oslira "+strings.Join(verb, " ")] = true
		t.Run(strings.Join(verb, " "), func(t *testing.T) {
			t.Parallel()
			rec := &recordingLookup{env: map[string]string{
				"APP_ENV": "test", "DATA_DIR": t.TempDir(),
				"DATABASE_URL": "postgres://u@127.0.0.1:1/x?sslmode=disable&connect_timeout=2",
			}}
			var out, errOut bytes.Buffer
			if code := run(context.Background(), args, rec.lookup, &out, &errOut); code == exitOK {
				t.Fatalf("%v succeeded without a database:\n%s", args, out.String())
			}
			if len(rec.read) < 10 {
				t.Fatalf("%v read only %v; did it load its configuration?", args, rec.read)
			}
			_, help, _ := runCapture(t, nil, append(verb, "--help")...)
			for _, name := range rec.read {
				if !strings.Contains(help, name) {
					t.Errorf("%v reads %s, which its --help does not name:\n%s", verb, name, help)
				}
			}
		})
	}
	for _, c := range leafCommands(t) {
		if c.Runnable() && c.Annotations[annotationEnv] != "" && !c.HasAvailableSubCommands() && !covered[c.CommandPath()] {
			t.Errorf("%s reads the environment but no run here checks its help", c.CommandPath())
		}
	}
}
