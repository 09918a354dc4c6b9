package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
)

// MaxBodyBytes is the largest request body the API reads (DESIGN §9).
const MaxBodyBytes = 1 << 20

// BindJSON decodes the request body into dst strictly: exactly one JSON value, no unknown fields,
// no trailing data, types as declared. It returns an *apperr.Error the caller passes to c.Error:
// request.too-large (413) past MaxBodyBytes, request.invalid (400) with a field error otherwise.
//
//	var in createThing
//	if err := httpapi.BindJSON(c, &in); err != nil {
//		_ = c.Error(err)
//		return
//	}
func BindJSON(c *gin.Context, dst any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	// Exactly one value: anything but EOF after it is trailing data (or an oversized body).
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil && isBodyTooLarge(err) {
			return errBodyTooLarge
		}
		return invalidBody("body", "unexpected data after the JSON value")
	}
	return nil
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
