package httpclient

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSafeURLRedactsCredentials(t *testing.T) {
	u, _ := url.Parse("https://user:pw@api.example.com/v2/acts/a~b/runs?token=apify_api_SECRET&timeout=240&api_key=k2&X-Amz-Signature=abc#frag")
	got := SafeURL(u)
	for _, leak := range []string{"apify_api_SECRET", "k2", "abc", "pw", "user", "frag"} {
		if strings.Contains(got, leak) {
			t.Fatalf("SafeURL leaks %q: %s", leak, got)
		}
	}
	if !strings.Contains(got, "timeout=240") || !strings.Contains(got, "/v2/acts/a~b/runs") {
		t.Fatalf("SafeURL dropped harmless parts: %s", got)
	}
	if SafeURL(nil) != "" {
		t.Fatal("nil URL")
	}
	bad := &url.URL{Scheme: "https", Host: "h", Path: "/p", RawQuery: "a=%zz"}
	if got := SafeURL(bad); !strings.HasSuffix(got, "?"+redacted) {
		t.Fatalf("unparsable query: %s", got)
	}
}

func TestCallLogHasNoSecrets(t *testing.T) {
	srv, _ := scripted(t, 503, 200)
	logs := &syncBuffer{}
	c := mustNew(t, fastConfig("apify", nil, logs))
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/x?token=tok_SECRET&limit=1", nil)
	req.Header.Set("Authorization", "Bearer apify_api_SECRET")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := logs.String()
	if strings.Contains(out, "SECRET") {
		t.Fatalf("log leaks a credential:\n%s", out)
	}
	for _, want := range []string{`"msg":"outbound http call"`, `"client":"apify"`, `"status":200`, `"attempts":2`, `"msg":"outbound http retry"`, `"after_status":503`, "limit=1"} {
		if !strings.Contains(out, want) {
			t.Fatalf("log lacks %s:\n%s", want, out)
		}
	}
}
