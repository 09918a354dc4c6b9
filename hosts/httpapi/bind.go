package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
)

// MaxBodyBytes is the largest request body the API reads.
const MaxBodyBytes = 1 << 20

// maxJSONDepth bounds how deeply a request body may nest objects and arrays; our bodies are
// flat, and the bound keeps the structural check from recursing a megabyte deep.
const maxJSONDepth = 32

// BindJSON decodes the request body into dst (a pointer to a struct) strictly, and is the one
// binder of every JSON route:
//
//   - the request must say Content-Type: application/json (parameters such as charset allowed),
//     else 415 request.unsupported-media-type;
//   - the body is exactly one JSON object: not empty, not null, no trailing data;
//   - every key is a field of dst spelled exactly as its json tag (encoding/json alone would
//     accept "Credits" for "credits"), and no object repeats a key ({"credits":1,"credits":2}
//     is refused, not read as 2);
//   - values have the declared types.
//
// It returns an *apperr.Error the caller passes to c.Error: request.too-large (413) past
// MaxBodyBytes, request.unsupported-media-type (415), request.invalid (400) with one field error
// otherwise, whose field is the key path as the client sent it ("inner.flag", "items[2]") or
// "body" for the document as a whole.
//
//	var in createThing
//	if err := httpapi.BindJSON(c, &in); err != nil {
//		_ = c.Error(err)
//		return
//	}
func BindJSON(c *gin.Context, dst any) error {
	if !isJSONContentType(c.GetHeader("Content-Type")) {
		return errUnsupportedMediaType
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if isBodyTooLarge(err) {
			return errBodyTooLarge
		}
		return invalidBody("body", "the body could not be read")
	}
	return decodeStrict(body, dst)
}

// isJSONContentType accepts application/json with any parameters, case-insensitively.
func isJSONContentType(header string) bool {
	mt, _, err := mime.ParseMediaType(header)
	return err == nil && mt == "application/json"
}

// errUnsupportedMediaType answers a JSON route sent another media type (or none).
var errUnsupportedMediaType = apperr.New(apperr.Invalid, apperr.CodeUnsupportedMediaType,
	"This endpoint takes a JSON body: send Content-Type: application/json.")

// decodeStrict checks body's structure against dst's type (one object, exact keys, no
// duplicates, bounded depth), then decodes it with unknown fields disallowed.
func decodeStrict(body []byte, dst any) error {
	if err := checkStructure(body, reflect.TypeOf(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	return nil
}

// checkStructure walks body's tokens once. Scalars are left to the decoder (which reports
// types); the walk reports what encoding/json lets through.
func checkStructure(body []byte, t reflect.Type) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return invalidBody("body", "the body is empty; a JSON object is required")
	}
	w := structureWalker{dec: json.NewDecoder(bytes.NewReader(body))}
	w.dec.UseNumber()
	tok, err := w.dec.Token()
	if err != nil {
		return w.tokenError(err)
	}
	if deref(t).Kind() == reflect.Struct && tok != json.Delim('{') {
		what := "a JSON object is required"
		if tok == nil {
			what = "a JSON object is required, not null"
		}
		return invalidBody("body", what)
	}
	if err := w.after(tok, t, "", 1); err != nil {
		return err
	}
	if _, err := w.dec.Token(); !errors.Is(err, io.EOF) {
		return invalidBody("body", "unexpected data after the JSON value")
	}
	return nil
}

// structureWalker is the state of checkStructure.
type structureWalker struct {
	dec *json.Decoder
}

// value reads the next value, which should decode into t ("" path: the document).
func (w structureWalker) value(t reflect.Type, path string, depth int) error {
	tok, err := w.dec.Token()
	if err != nil {
		return w.tokenError(err)
	}
	return w.after(tok, t, path, depth)
}

// after continues a value whose first token is tok.
func (w structureWalker) after(tok json.Token, t reflect.Type, path string, depth int) error {
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth > maxJSONDepth {
		return invalidBody(orBody(path), fmt.Sprintf("nested more than %d levels deep", maxJSONDepth))
	}
	if d == '[' {
		return w.array(t, path, depth)
	}
	return w.object(t, path, depth)
}

// object checks the keys of an object that decodes into t: never twice, and for a struct only
// its fields' exact json names.
func (w structureWalker) object(t reflect.Type, path string, depth int) error {
	t = deref(t)
	var fields map[string]reflect.Type
	var elem reflect.Type
	switch t.Kind() {
	case reflect.Struct:
		fields = jsonFields(t)
	case reflect.Map:
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return w.tokenError(err)
		}
		key, _ := tok.(string)
		at := key
		if path != "" {
			at = path + "." + key
		}
		if seen[key] {
			return invalidBody(at, "duplicate key")
		}
		seen[key] = true
		ft := elem
		if fields != nil {
			f, ok := fields[key]
			if !ok {
				return invalidBody(at, "unknown field")
			}
			ft = f
		}
		if err := w.value(ft, at, depth+1); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing brace
		return w.tokenError(err)
	}
	return nil
}

// array checks the elements of an array that decodes into t.
func (w structureWalker) array(t reflect.Type, path string, depth int) error {
	t = deref(t)
	var elem reflect.Type
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		elem = t.Elem()
	}
	for i := 0; w.dec.More(); i++ {
		if err := w.value(elem, fmt.Sprintf("%s[%d]", orBody(path), i), depth+1); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing bracket
		return w.tokenError(err)
	}
	return nil
}

// tokenError maps an error of the walk: running out of input inside a value is "incomplete".
func (w structureWalker) tokenError(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return decodeError(err)
}

// untyped stands for a value whose Go type the walk does not follow (interfaces, raw JSON):
// its objects are checked for duplicate keys only.
var untyped = reflect.TypeFor[any]()

// deref strips pointers; nil becomes untyped.
func deref(t reflect.Type) reflect.Type {
	if t == nil {
		return untyped
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// jsonFields maps the exact json names of a struct's fields (embedded structs flattened, as
// encoding/json does) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && deref(f.Type).Kind() == reflect.Struct {
			for k, v := range jsonFields(deref(f.Type)) {
				if _, taken := out[k]; !taken {
					out[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func orBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

func invalidBody(field, message string) *apperr.Error {
	return apperr.Validation(apperr.CodeInvalidRequest, "The request body is not valid JSON for this endpoint.",
		apperr.FieldError{Field: field, Message: message})
}

// decodeError maps a json.Decoder error to a client-safe apperr error. The messages name the
// offending field and the expected type, never Go type names or internal details.
func decodeError(err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case isBodyTooLarge(err):
		return errBodyTooLarge
	case errors.Is(err, io.EOF):
		return invalidBody("body", "the body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalidBody("body", "the JSON value is incomplete")
	case errors.As(err, &syntaxErr):
		return invalidBody("body", fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset))
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return invalidBody(field, "must be "+jsonTypeName(typeErr.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this; the text is stable since Go 1.10.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalidBody(name, "unknown field")
	default:
		return invalidBody("body", "the body could not be decoded")
	}
}

// jsonTypeName names the JSON type a Go type decodes from, with an article.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "a different type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return "a different type"
	}
}
