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
