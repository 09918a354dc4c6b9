package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runCapture(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, mapLookup(env), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunWithoutGraph(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		args       []string
		env        map[string]string
		wantCode   int
		wantStdout string
		wantStderr []string
	}{
		{"help", []string{"help"}, nil, 0, "Usage:\n  oslira", nil},
		{"--help", []string{"--help"}, nil, 0, "Usage:\n  oslira", nil},
		{"version", []string{"version"}, nil, 0, "oslira ", nil},
		{"--version", []string{"--version"}, nil, 0, "oslira ", nil},
		{"-v", []string{"-v"}, nil, 0, "oslira ", nil},
		{"no command", nil, nil, 2, "", []string{"Usage:\n  oslira"}},
		{"unknown command", []string{"deploy"}, nil, 2, "", []string{`unknown command "deploy"`, "Usage:\n  oslira"}},
		{"misspelt command", []string{"serv"}, nil, 2, "", []string{`unknown command "serv"; did you mean serve?`}},
		{"extra arguments", []string{"serve", "now"}, nil, 2, "", []string{"unexpected arguments", "Usage:\n  oslira serve"}},
		{"unknown flag", []string{"serve", "--port=1"}, nil, 2, "", []string{"unknown flag: --port", "Usage:\n  oslira serve"}},
		{"serve --help", []string{"serve", "--help"}, nil, 0, "Usage:\n  oslira serve", nil},
		{"help topic", []string{"help", "token"}, nil, 0, "Usage:\n  oslira token", nil},
		{"help of a verb", []string{"help", "workflows", "list"}, nil, 0, "--state", nil},
		{"help environment", []string{"help", "environment"}, nil, 0, "SUPABASE_JWT_SECRET", nil},
		{"unknown help topic", []string{"help", "bogus"}, nil, 2, "", []string{`unknown help topic "bogus"`}},
		{"completion bash", []string{"completion", "bash"}, nil, 0, "bash completion", nil},
		{"completion zsh", []string{"completion", "zsh"}, nil, 0, "#compdef oslira", nil},
		{"completion fish", []string{"completion", "fish"}, nil, 0, "complete -c oslira", nil},
		{"completion of an unknown shell", []string{"completion", "tcsh"}, nil, 2, "", []string{`unknown shell "tcsh"`}},
		{"completion without a shell", []string{"completion"}, nil, 2, "", []string{"name a shell"}},
		{
			"production http without configuration", []string{"http"}, map[string]string{"APP_ENV": "production"}, 1, "",
			[]string{"DATABASE_URL", "CORS_ALLOWED_ORIGINS", "SECRETS_SOURCE", "AWS_REGION"},
		},
		{
			"malformed value in development", []string{"serve"}, map[string]string{"SHUTDOWN_TIMEOUT": "ten"}, 1, "",
			[]string{"SHUTDOWN_TIMEOUT"},
		},
		{"bad APP_ENV", []string{"worker"}, map[string]string{"APP_ENV": "prod"}, 1, "", []string{"APP_ENV"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCapture(t, tc.env, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if !strings.Contains(stdout, tc.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.wantStdout, stdout)
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}
