package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
)

type bindInput struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Inner struct {
		Flag bool `json:"flag"`
	} `json:"inner"`
}

func TestBindJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"valid", `{"name":"a","count":2,"inner":{"flag":true}}`, 200, "", ""},
		{"valid with trailing whitespace", "{\"name\":\"a\"}\n  ", 200, "", ""},
		{"unknown field", `{"name":"a","extra":1}`, 400, apperr.CodeInvalidRequest, "extra"},
		{"wrong type", `{"count":"two"}`, 400, apperr.CodeInvalidRequest, "count"},
		{"wrong nested type", `{"inner":{"flag":"yes"}}`, 400, apperr.CodeInvalidRequest, "inner.flag"},
		{"syntax error", `{"name":}`, 400, apperr.CodeInvalidRequest, "body"},
		{"truncated", `{"name":"a"`, 400, apperr.CodeInvalidRequest, "body"},
		{"empty", ``, 400, apperr.CodeInvalidRequest, "body"},
		{"trailing data", `{"name":"a"}{"name":"b"}`, 400, apperr.CodeInvalidRequest, "body"},
		{"too large", `{"name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, 413, apperr.CodeBodyTooLarge, ""},
		{"too large after value", `{"name":"a"}` + strings.Repeat(" ", MaxBodyBytes), 413, apperr.CodeBodyTooLarge, ""},
		// Strict JSON (issue 8): what encoding/json alone lets through.
		{"duplicate key", `{"count":1,"count":2}`, 400, apperr.CodeInvalidRequest, "count"},
		{"duplicate nested key", `{"inner":{"flag":true,"flag":false}}`, 400, apperr.CodeInvalidRequest, "inner.flag"},
		{"key in another case", `{"Count":2}`, 400, apperr.CodeInvalidRequest, "Count"},
		{"nested key in another case", `{"inner":{"FLAG":true}}`, 400, apperr.CodeInvalidRequest, "inner.FLAG"},
		{"null", `null`, 400, apperr.CodeInvalidRequest, "body"},
		{"null with spaces", " null\n", 400, apperr.CodeInvalidRequest, "body"},
		{"array", `[{"name":"a"}]`, 400, apperr.CodeInvalidRequest, "body"},
		{"string", `"name"`, 400, apperr.CodeInvalidRequest, "body"},
		{"deep nesting", `{"inner":` + strings.Repeat(`{"x":`, 40) + `1` + strings.Repeat("}", 41), 400, apperr.CodeInvalidRequest, "inner.x"},
		{"deep array", `{"name":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, 400, apperr.CodeInvalidRequest, "name" + strings.Repeat("[0]", maxJSONDepth-1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.engine.POST("/test", func(c *gin.Context) {
				var in bindInput
				if err := BindJSON(c, &in); err != nil {
					_ = c.Error(err)
					return
				}
				c.JSON(http.StatusOK, in)
			})
			rec := b.do(t, http.MethodPost, "/test", strings.NewReader(tc.body), http.Header{"Content-Type": {"application/json"}})
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tc.wantStatus, rec.Body.String())
			}
			if tc.wantStatus == 200 {
				return
			}
			p := problem(t, rec)
			if p.Code != tc.wantCode || p.Status != tc.wantStatus {
				t.Errorf("problem = %+v", p)
			}
			if tc.wantField == "" {
				return
			}
			if len(p.Errors) != 1 || p.Errors[0].Field != tc.wantField || p.Errors[0].Message == "" {
				t.Errorf("field errors = %+v, want one for %q", p.Errors, tc.wantField)
			}
			if strings.Contains(rec.Body.String(), "bindInput") || strings.Contains(rec.Body.String(), "json:") {
				t.Errorf("Go internals in response: %s", rec.Body.String())
			}
		})
	}
}

// TestBindJSONRequiresJSONMediaType: a JSON route refuses a body sent as anything but
// application/json (parameters allowed) with 415, before reading it.
func TestBindJSONRequiresJSONMediaType(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.engine.POST("/test", func(c *gin.Context) {
		var in bindInput
		if err := BindJSON(c, &in); err != nil {
			_ = c.Error(err)
			return
		}
		c.JSON(http.StatusOK, in)
	})
	for ct, want := range map[string]int{
		"application/json":                  200,
		"application/json; charset=utf-8":   200,
		"Application/JSON":                  200,
		"":                                  415,
		"text/plain":                        415,
		"application/x-www-form-urlencoded": 415,
		"application/jsonx":                 415,
		"application/json; charset":         415,
	} {
		h := http.Header{}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		rec := b.do(t, http.MethodPost, "/test", strings.NewReader(`{"name":"a"}`), h)
		if rec.Code != want {
			t.Errorf("Content-Type %q: status %d, want %d; %s", ct, rec.Code, want, rec.Body)
			continue
		}
		if want == 415 {
			if p := problem(t, rec); p.Code != apperr.CodeUnsupportedMediaType || p.Status != 415 {
				t.Errorf("Content-Type %q: problem %+v", ct, p)
			}
		}
	}
}
