package main

import (
	"bytes"
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
		"p/db TestB: pgtest.go:12: no database",
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
