package secrets_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// fakeSM is a local Secrets Manager speaking the AWS JSON 1.1 protocol for GetSecretValue
// (wire-formats §7.1). It checks each request's shape, counts calls per SecretId and can fail
// calls with AWS error bodies or hold them until released.
type fakeSM struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	strings map[string]string   // SecretId → SecretString
	binary  map[string]bool     // SecretId → answer with SecretBinary only
	next    map[string][]awsErr // errors for the next calls, in order
	always  map[string]awsErr   // error for every call
	calls   map[string]int
	auth    []string
	hold    chan struct{} // when set, requests wait until it is closed

	arrived chan string // receives the SecretId of every request, when buffered room allows
}

// awsErr is one JSON 1.1 error answer.
type awsErr struct {
	status int
	code   string
}

var (
	errNotFound     = awsErr{http.StatusBadRequest, "ResourceNotFoundException"}
	errThrottling   = awsErr{http.StatusBadRequest, "ThrottlingException"}
	errInternal     = awsErr{http.StatusInternalServerError, "InternalServiceError"}
	errAccessDenied = awsErr{http.StatusBadRequest, "AccessDeniedException"}
	errDecryption   = awsErr{http.StatusBadRequest, "DecryptionFailure"}
)

func newFakeSM(t *testing.T) *fakeSM {
	t.Helper()
	f := &fakeSM{
		t:       t,
		strings: map[string]string{},
		binary:  map[string]bool{},
		next:    map[string][]awsErr{},
		always:  map[string]awsErr{},
		calls:   map[string]int{},
		arrived: make(chan string, 128),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSM) put(id, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.strings[id] = value
	delete(f.binary, id)
}

func (f *fakeSM) putBinary(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.binary[id] = true
}

func (f *fakeSM) failNext(id string, e awsErr, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.next[id] = append(f.next[id], e)
	}
}

func (f *fakeSM) failAlways(id string, e awsErr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.always[id] = e
}

func (f *fakeSM) heal(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.always, id)
	delete(f.next, id)
}

// holdRequests makes requests wait until the returned release is called.
func (f *fakeSM) holdRequests() (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold = make(chan struct{})
	return sync.OnceFunc(func() { close(f.hold) })
}

func (f *fakeSM) callsFor(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[id]
}

func (f *fakeSM) authHeaders() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auth...)
}

func (f *fakeSM) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		f.t.Errorf("fake: %s %s, want POST /", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("X-Amz-Target"); got != "secretsmanager.GetSecretValue" {
		f.t.Errorf("fake: X-Amz-Target = %q", got)
		writeErr(w, awsErr{http.StatusBadRequest, "UnknownOperationException"})
		return
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
		f.t.Errorf("fake: Content-Type = %q", got)
	}
	var in struct {
		SecretID string `json:"SecretId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SecretID == "" {
		f.t.Errorf("fake: bad body (%v), SecretId %q", err, in.SecretID)
		writeErr(w, awsErr{http.StatusBadRequest, "InvalidParameterException"})
		return
	}

	f.mu.Lock()
	f.calls[in.SecretID]++
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	hold := f.hold
	f.mu.Unlock()
	select {
	case f.arrived <- in.SecretID:
	default:
	}
	if hold != nil {
		<-hold
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if q := f.next[in.SecretID]; len(q) > 0 {
		f.next[in.SecretID] = q[1:]
		writeErr(w, q[0])
		return
	}
	if e, ok := f.always[in.SecretID]; ok {
		writeErr(w, e)
		return
	}
	out := map[string]any{
		"ARN":           "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + in.SecretID + "-AbCdEf",
		"Name":          in.SecretID,
		"VersionId":     "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   1764500000.123,
	}
	switch v, ok := f.strings[in.SecretID]; {
	case f.binary[in.SecretID]:
		out["SecretBinary"] = "AAEC" // base64 of 0x00 0x01 0x02
	case ok:
		out["SecretString"] = v
	default:
		writeErr(w, errNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "req-1")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		f.t.Errorf("fake: encode: %v", err)
	}
}

func writeErr(w http.ResponseWriter, e awsErr) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "req-err")
	w.WriteHeader(e.status)
	_, _ = fmt.Fprintf(w, `{"__type":%q,"message":"fake %s"}`, e.code, strings.ToLower(e.code))
}

// newClient builds a real SDK client aimed at url with static credentials, three attempts and no
// backoff, so retry tests are fast.
func newClient(url string) *secretsmanager.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
	}
	return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		o.BaseEndpoint = aws.String(url)
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
}

// clock is a manual clock for cache expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
