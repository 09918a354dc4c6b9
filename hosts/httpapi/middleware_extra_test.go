package httpapi

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestExtraMiddlewareSlots: outer middleware (metrics, analytics) wrap recovery and see the 500
// of a recovered panic; inner middleware run after recovery and see the panic first; each slot
// runs in Order.
func TestExtraMiddlewareSlots(t *testing.T) {
	var trail []string
	record := func(name string) gin.HandlerFunc {
		return func(c *gin.Context) {
			trail = append(trail, name+">")
			defer func() { trail = append(trail, "<"+name) }()
			c.Next()
			if name == "outer1" {
				trail = append(trail, "status:"+http.StatusText(c.Writer.Status()))
			}
		}
	}
	panicked := false
	inner := func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				panicked = true
				panic(v)
			}
		}()
		c.Next()
	}
	cfg := Config{Version: "t"}
	h := NewHandlerWith(cfg, discardLogger(), NewHealth(nil, "t"), NewAPI(nil, nil, nil, Billing{}), mustContract(t), nil, []Middleware{
		{Name: "outer2", Handler: record("outer2"), Order: 2},
		{Name: "inner", Handler: inner, Inner: true},
		{Name: "outer1", Handler: record("outer1"), Order: 1},
	}).(*gin.Engine)
	h.GET("/boom", func(*gin.Context) { panic("boom") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	want := []string{"outer1>", "outer2>", "<outer2", "status:Internal Server Error", "<outer1"}
	if rec.Code != http.StatusInternalServerError || !slices.Equal(trail, want) || !panicked {
		t.Errorf("status %d, trail %v (want %v), inner saw the panic: %v", rec.Code, trail, want, panicked)
	}
}
