package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestRunSummarises(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"Action":"run","Package":"p/db","Test":"TestA"}`,
		`{"Action":"pass","Package":"p/db","Test":"TestA"}`,
		`{"Action":"output","Package":"p/db","Test":"TestB","Output":"    pgtest.go:12: no database\n"}`,
		`{"Action":"skip","Package":"p/db","Test":"TestB"}`,
		`{"Action":"pass","Package":"p/db"}`,
		`{"Action":"pass","Package":"p/unit","Test":"TestC"}`,
		`{"Action":"pass","Package":"p/unit"}`,
		`not json: a build error`,
	}, "\n")
	var out bytes.Buffer
	if code := run(strings.NewReader(in), &out, []string{"p/db"}); code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, out.String())
	}
	for _, want := range []string{
		"database tests: 1 passed, 0 failed, 1 skipped",
		"other tests:    1 passed, 0 failed, 0 skipped",
		"p/db TestB: no database",
		"not json: a build error",
		"2 passed, 0 failed, 1 skipped",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunFailsOnFailureOrNothing(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	failing := `{"Action":"fail","Package":"p","Test":"TestX"}` + "\n" + `{"Action":"fail","Package":"p"}`
	if run(strings.NewReader(failing), &out, nil) == 0 {
		t.Error("a failed test must give a non-zero exit")
	}
	if !strings.Contains(out.String(), "FAIL p") {
		t.Errorf("failed package not listed:\n%s", out.String())
	}
	if run(strings.NewReader(""), &bytes.Buffer{}, nil) == 0 {
		t.Error("a run with no test must give a non-zero exit")
	}
	if run(strings.NewReader(`{"Action":"fail","Package":"p"}`), &bytes.Buffer{}, nil) == 0 {
		t.Error("a package failing without a test (build error) must give a non-zero exit")
	}
}

func TestRunPrintsOutputOfFailedTestsOnly(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"Action":"output","Package":"p","Test":"TestOK","Output":"noise from a passing test\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestOK"}`,
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"    helper.go:3: the reason\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestBad"}`,
	}, "\n")
	var out bytes.Buffer
	run(strings.NewReader(in), &out, nil)
	if strings.Contains(out.String(), "noise") || !strings.Contains(out.String(), "helper.go:3: the reason") {
		t.Fatalf("output:\n%s", out.String())
	}
}

// TestRunGroupsSkipsByPackage: with the database unreachable every database test skips with the
// same reason (behind a different file:line); the summary prints one line per package with the
// count, not one paragraph per test.
func TestRunGroupsSkipsByPackage(t *testing.T) {
	t.Parallel()
	reason := "pgtest: PostgreSQL is not reachable at postgres://postgres@127.0.0.1:5432/postgres (connection refused). Start a server there"
	var lines []string
	for _, pkg := range []string{"p/a", "p/b", "p/c"} {
		for i := range 33 {
			test := fmt.Sprintf("Test%d", i)
			lines = append(lines,
				fmt.Sprintf(`{"Action":"output","Package":%q,"Test":%q,"Output":"    store_test.go:%d: %s\n"}`, pkg, test, 10+i, reason),
				fmt.Sprintf(`{"Action":"output","Package":%q,"Test":%q,"Output":"--- SKIP: %s (0.00s)\n"}`, pkg, test, test),
				fmt.Sprintf(`{"Action":"skip","Package":%q,"Test":%q}`, pkg, test))
		}
	}
	lines = append(lines, `{"Action":"output","Package":"p/d","Test":"TestOnly","Output":"    x_test.go:3: no stripe-mock\n"}`,
		`{"Action":"skip","Package":"p/d","Test":"TestOnly"}`, `{"Action":"pass","Package":"p/d","Test":"TestOK"}`)
	var out bytes.Buffer
	run(strings.NewReader(strings.Join(lines, "\n")), &out, []string{"p/a", "p/b", "p/c"})
	got := out.String()
	if n := strings.Count(got, reason); n != 3 {
		t.Errorf("the reason is printed %d times, want once per package (3):\n%s", n, got)
	}
	for _, want := range []string{
		"  p/a: 33 tests skipped: " + reason, "  p/c: 33 tests skipped: " + reason,
		"  p/d TestOnly: no stripe-mock", "database tests: 0 passed, 0 failed, 99 skipped",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestMakeHelpIsPlainWhenPiped: `make help` writes no colour codes when its stdout is not a
// terminal (a pipe, a file, CI logs).
func TestMakeHelpIsPlainWhenPiped(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", "--no-print-directory", "-s", "-C", "../../..", "help")
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "  test ") {
		t.Fatalf("make help lists no test target:\n%s", out)
	}
	if strings.Contains(string(out), "\x1b[") {
		t.Errorf("make help wrote colour codes to a pipe: %q", out)
	}
}

func TestPackageLinesDropModuleCoverage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"coverage: 5.5% of statements in ./...\n":                  "",
		"ok  \tm/p\t1.6s\tcoverage: 5.5% of statements in ./...\n": "ok  \tm/p\t1.6s\n",
		"\tm/q\t\tcoverage: 0.0% of statements\n":                  "\tm/q\t\n",
		"PASS\n":            "PASS\n",
		"FAIL\tm/p\t1.3s\n": "FAIL\tm/p\t1.3s\n",
	} {
		if got := packageLine(in); got != want {
			t.Errorf("packageLine(%q) = %q, want %q", in, got, want)
		}
	}
}
