package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
)

// fuzzBindInput is the destination of FuzzBindJSON: every kind of field a request body has
// (string, integer, number, boolean, list, optional integer, nested object) and a free-form map,
// whose objects are checked for duplicate keys only. No omitempty: the bound value re-encodes
// every field under its exact name.
type fuzzBindInput struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Ratio float64  `json:"ratio"`
	Tags  []string `json:"tags"`
	Limit *int64   `json:"limit"`
	Inner struct {
		Flag bool   `json:"flag"`
		Note string `json:"note"`
	} `json:"inner"`
	Extra map[string]any `json:"extra"`
}

// FuzzBindJSON: any body with any Content-Type is bound or refused with a problem, never a 500.
//
//   - 415 request.unsupported-media-type exactly when the Content-Type is not application/json
//     (parameters allowed);
//   - otherwise 200 or 400 request.invalid with one field error (a non-empty field, a message, no
//     Go type names);
//   - a 200 body is one JSON object without a repeated key at any depth, nested at most
//     maxJSONDepth levels, and each of its keys (exact spelling) has the value bound: the bound
//     value re-encoded contains the body;
//   - and the converse: a body encoding/json decodes strictly (unknown fields refused, nothing
//     after it) that has those properties is bound, not refused.
//
// Seeds: testdata/fuzz/FuzzBindJSON.
func FuzzBindJSON(f *testing.F) {
	cfg := Config{CORSAllowedOrigins: []string{allowedOrigin}, Version: "fuzz"}.WithDefaults()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := NewHandler(cfg, log, NewHealth(nil, cfg.Version), NewAPI(nil, nil, nil, Billing{}), mustContract(f), nil).(*gin.Engine)
	engine.POST("/fuzz", func(c *gin.Context) {
		var in fuzzBindInput
		if err := BindJSON(c, &in); err != nil {
			_ = c.Error(err)
			return
		}
		c.JSON(http.StatusOK, in)
	})
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		req := httptest.NewRequest(http.MethodPost, "/fuzz", bytes.NewReader(body))
		req.Header["Content-Type"] = []string{contentType}
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, req)

		mt, _, ctErr := mime.ParseMediaType(contentType)
		if isJSON := ctErr == nil && mt == "application/json"; !isJSON {
			if p := problem(t, rec); rec.Code != http.StatusUnsupportedMediaType || p.Code != apperr.CodeUnsupportedMediaType {
				t.Fatalf("Content-Type %q: status %d %+v, want 415", contentType, rec.Code, p)
			}
			return
		}
		shape := inspectJSON(body)
		strict := strictDecodes(body)
		switch rec.Code {
		case http.StatusOK:
			if !shape.object || shape.duplicate || shape.depth > maxJSONDepth {
				t.Fatalf("body %q bound although object=%v duplicate key=%v depth=%d", body, shape.object, shape.duplicate, shape.depth)
			}
			var sent, bound any
			_ = json.Unmarshal(body, &sent)
			if err := json.Unmarshal(rec.Body.Bytes(), &bound); err != nil {
				t.Fatalf("bound value is not JSON: %v", err)
			}
			if path, ok := contains(bound, sent, "body"); !ok {
				t.Fatalf("body %q bound as %s: %s differs (or is not a field, spelled exactly)", body, rec.Body, path)
			}
		case http.StatusBadRequest:
			p := problem(t, rec)
			if p.Code != apperr.CodeInvalidRequest || len(p.Errors) != 1 || p.Errors[0].Field == "" || p.Errors[0].Message == "" {
				t.Fatalf("body %q: problem %+v, want request.invalid with one field error", body, p)
			}
			if s := rec.Body.String(); strings.Contains(s, "fuzzBindInput") || strings.Contains(s, "json:") || strings.Contains(s, "httpapi.") {
				t.Fatalf("body %q: Go internals in the problem: %s", body, s)
			}
			if strict && shape.object && !shape.duplicate && shape.depth <= maxJSONDepth {
				var in fuzzBindInput
				_ = json.Unmarshal(body, &in)
				again, _ := json.Marshal(in)
				var sent, bound any
				_ = json.Unmarshal(body, &sent)
				_ = json.Unmarshal(again, &bound)
				if _, exact := contains(bound, sent, "body"); exact {
					t.Fatalf("valid body %q refused: %+v", body, p)
				}
			}
		default:
			t.Fatalf("body %q: status %d %s", body, rec.Code, rec.Body)
		}
	})
}

// jsonShape is what inspectJSON finds in a body.
type jsonShape struct {
	object    bool // the first value is an object
	duplicate bool // some object repeats a key
	depth     int  // deepest nesting of objects and arrays (the outer object is 1)
}

// inspectJSON walks body's tokens (as far as they are valid JSON), independently of the binder:
// keys and values of an object alternate, so a string read where a key is due is a key.
func inspectJSON(body []byte) jsonShape {
	type frame struct {
		keys    map[string]bool // nil for an array
		wantKey bool
	}
	var (
		shape jsonShape
		stack []*frame
	)
	dec := json.NewDecoder(bytes.NewReader(body))
	for first := true; ; first = false {
		tok, err := dec.Token()
		if err != nil {
			return shape
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.keys != nil && top.wantKey {
			shape.duplicate = shape.duplicate || top.keys[s]
			top.keys[s], top.wantKey = true, false
			continue
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.keys != nil {
			top.wantKey = true // this token starts the value of the last key
		}
		if d, ok := tok.(json.Delim); ok {
			fr := &frame{}
			if d == '{' {
				fr.keys, fr.wantKey = map[string]bool{}, true
			}
			stack = append(stack, fr)
			shape.depth = max(shape.depth, len(stack))
			if first {
				shape.object = d == '{'
			}
		}
	}
}

// strictDecodes reports whether encoding/json decodes body into a fuzzBindInput with unknown
// fields refused and nothing but white space after the value.
func strictDecodes(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var in fuzzBindInput
	if dec.Decode(&in) != nil {
		return false
	}
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}

// contains reports whether sent (a decoded JSON value) is part of bound: every key of every
// object in sent is in bound's object at the same place, with a value that contains it; arrays
// match element by element; a null sent leaves the field as it was, so it matches anything.
// Otherwise it returns the path of the first difference.
func contains(bound, sent any, path string) (string, bool) {
	switch s := sent.(type) {
	case nil:
		return "", true
	case map[string]any:
		b, ok := bound.(map[string]any)
		if !ok {
			return path, false
		}
		for k, v := range s {
			bv, ok := b[k]
			if !ok {
				return path + "." + k, false
			}
			if p, ok := contains(bv, v, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		b, ok := bound.([]any)
		if !ok || len(b) != len(s) {
			return path, false
		}
		for i := range s {
			if p, ok := contains(b[i], s[i], path+"[]"); !ok {
				return p, false
			}
		}
		return "", true
	default:
		return path, reflect.DeepEqual(bound, sent)
	}
}
