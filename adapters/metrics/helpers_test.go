package metrics_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/oslira/oslira/adapters/metrics"
)

// scrape GETs the handler and returns the exposition text.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body.String())
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// value returns the value of the series written exactly as series ("name{a=\"b\"}"), and
// whether it is there. Labels are in the order the registry writes them (sorted by name).
func value(t *testing.T, text, series string) (float64, bool) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("series %s: value %q", series, rest)
			}
			return v, true
		}
	}
	return 0, false
}

// wantValue fails unless series has value want.
func wantValue(t *testing.T, text, series string, want float64) {
	t.Helper()
	got, ok := value(t, text, series)
	if !ok {
		t.Errorf("series %s missing", series)
		return
	}
	if got != want {
		t.Errorf("%s = %v, want %v", series, got, want)
	}
}
