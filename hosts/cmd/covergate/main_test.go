package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const mod = "example.com/m"

// write puts content into a temporary file and returns its path.
func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const rulesText = `# pattern  layer  min
core/dom        domain          100
core/...        application     90   # the rest of core
adapters/mock/... generated     -
adapters/...    infrastructure  70
`

func TestGatePassesAtThresholds(t *testing.T) {
	t.Parallel()
	// core/dom: 4/4 (the 2-statement block is hit by the second binary only);
	// core/app: 9/10 = 90 %; adapters/db: 7/10 = 70 %; adapters/mock/x: 0/5 (exempt).
	prof := `mode: atomic
example.com/m/core/dom/a.go:1.1,2.2 2 0
example.com/m/core/dom/a.go:3.1,4.2 2 1
example.com/m/core/dom/a.go:1.1,2.2 2 3
example.com/m/core/app/b.go:1.1,2.2 9 5
example.com/m/core/app/b.go:3.1,4.2 1 0
example.com/m/adapters/db/c.go:1.1,2.2 7 1
example.com/m/adapters/db/c.go:3.1,4.2 3 0
example.com/m/adapters/mock/x/d.go:1.1,2.2 5 0
example.com/m/core/empty/e.go:1.1,2.2 0 0
`
	var out, errb bytes.Buffer
	code := run(write(t, "c.out", prof), write(t, "rules", rulesText), mod, false, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		"domain          core/dom         100.0%",
		"application     core/app         90.0%",
		"infrastructure  adapters/db      70.0%",
		"generated       adapters/mock/x  0.0%",
		"coverage gate: 4 packages at or above their thresholds",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "core/empty") {
		t.Errorf("a package without statements is listed:\n%s", out.String())
	}
	// Layer order follows the rules file: domain before application before infrastructure.
	s := out.String()
	if !(strings.Index(s, "core/dom") < strings.Index(s, "core/app") && strings.Index(s, "core/app") < strings.Index(s, "adapters/db")) {
		t.Errorf("table not in rules order:\n%s", s)
	}
}

func TestGateFailsBelowThresholdAndUnplaced(t *testing.T) {
	t.Parallel()
	prof := `mode: set
example.com/m/core/dom/a.go:1.1,2.2 99 1
example.com/m/core/dom/a.go:3.1,4.2 1 0
example.com/m/core/app/b.go:1.1,2.2 89 1
example.com/m/core/app/b.go:3.1,4.2 11 0
example.com/m/hosts/new/c.go:1.1,2.2 1 1
`
	var out, errb bytes.Buffer
	code := run(write(t, "c.out", prof), write(t, "rules", rulesText), mod, true, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out.String())
	}
	for _, want := range []string{
		"coverage: core/dom 99.00% < 100% required (domain)",
		"coverage: core/app 89.00% < 90% required (application)",
		"coverage: hosts/new (100.0%) matches no rule in",
		"coverage gate: 3 of 3 packages fail",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "threshold") {
		t.Errorf("quiet run printed the table:\n%s", out.String())
	}
}

func TestFirstMatchingRuleWins(t *testing.T) {
	t.Parallel()
	rules, err := parseRules(strings.NewReader(rulesText))
	if err != nil {
		t.Fatal(err)
	}
	for pkg, layer := range map[string]string{
		"core/dom":        "domain",
		"core/dom/sub":    "application", // no trailing /... on core/dom: only the package itself
		"core":            "application",
		"adapters/mock/x": "generated",
		"adapters/mock":   "generated",
		"adapters/mockx":  "infrastructure",
		"corex":           "",
	} {
		got := ""
		for _, r := range rules {
			if r.matches(pkg) {
				got = r.layer
				break
			}
		}
		if got != layer {
			t.Errorf("%s: layer %q, want %q", pkg, got, layer)
		}
	}
}

func TestBadInputsAreUsageErrors(t *testing.T) {
	t.Parallel()
	good := write(t, "c.out", "mode: set\nexample.com/m/core/dom/a.go:1.1,2.2 1 1\n")
	for name, tc := range map[string]struct{ profile, rules string }{
		"threshold over 100": {good, write(t, "r", "core/... application 101\n")},
		"threshold word":     {good, write(t, "r", "core/... application high\n")},
		"two fields":         {good, write(t, "r", "core/... application\n")},
		"empty rules":        {good, write(t, "r", "# nothing\n")},
		"missing rules":      {good, filepath.Join(t.TempDir(), "none")},
		"missing profile":    {filepath.Join(t.TempDir(), "none"), write(t, "r", "core/... a 1\n")},
		"malformed block":    {write(t, "c", "mode: set\nfoo.go 1\n"), write(t, "r", "core/... a 1\n")},
		"negative count":     {write(t, "c", "mode: set\nm/a.go:1.1,2.2 1 -1\n"), write(t, "r", "core/... a 1\n")},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.profile, tc.rules, mod, false, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%s: exit %d, stderr %q; want 2 with a message", name, code, errb.String())
		}
	}
}
