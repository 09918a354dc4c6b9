package jsonschema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	sjs "github.com/santhosh-tekuri/jsonschema/v6"
	"go.uber.org/fx"

	"github.com/oslira/oslira/core/ai"
)

// maxViolations is how many violations an error names.
const maxViolations = 5

// Validator checks documents against schemas, compiling each distinct schema (by name and
// content) once. The zero value is not usable; call New. Safe for concurrent use.
type Validator struct {
	compiled sync.Map // name + "@" + sha256(doc) → *sjs.Schema
}

var _ ai.SchemaValidator = (*Validator)(nil)

// New returns a Validator.
func New() *Validator { return &Validator{} }

// Module provides ai.SchemaValidator (a *Validator).
var Module = fx.Module("jsonschema", fx.Provide(fx.Annotate(New, fx.As(new(ai.SchemaValidator)))))

// Validate implements ai.SchemaValidator.
func (v *Validator) Validate(s ai.Schema, doc []byte) error {
	sch, err := v.compile(s)
	if err != nil {
		return err
	}
	inst, err := sjs.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return ai.ErrSchemaViolation.WithCause(fmt.Errorf("%s: the answer is not JSON: %w", s.Name, err))
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *sjs.ValidationError
	if !errors.As(err, &ve) {
		return ai.ErrSchemaViolation.WithCause(fmt.Errorf("%s: %w", s.Name, err))
	}
	return ai.ErrSchemaViolation.WithCause(fmt.Errorf("%s: %s", s.Name, strings.Join(violations(ve), "; ")))
}

// compile returns the compiled schema, compiling it on first use.
func (v *Validator) compile(s ai.Schema) (*sjs.Schema, error) {
	sum := sha256.Sum256(s.JSON)
	key := s.Name + "@" + hex.EncodeToString(sum[:])
	if sch, ok := v.compiled.Load(key); ok {
		return sch.(*sjs.Schema), nil
	}
	doc, err := sjs.UnmarshalJSON(bytes.NewReader(s.JSON))
	if err != nil {
		return nil, ai.ErrInvalidRequest.WithCause(fmt.Errorf("schema %s is not JSON: %w", s.Name, err))
	}
	c := sjs.NewCompiler()
	c.DefaultDraft(sjs.Draft2020)
	url := "mem:///" + key + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, ai.ErrInvalidRequest.WithCause(fmt.Errorf("schema %s: %w", s.Name, err))
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, ai.ErrInvalidRequest.WithCause(fmt.Errorf("schema %s does not compile: %w", s.Name, err))
	}
	actual, _ := v.compiled.LoadOrStore(key, sch)
	return actual.(*sjs.Schema), nil
}

// violations lists the first leaf errors as "<instance location>: <message>".
func violations(ve *sjs.ValidationError) []string {
	var out []string
	for _, u := range ve.BasicOutput().Errors {
		if u.Error == nil {
			continue
		}
		msg := u.Error.String()
		if strings.HasPrefix(msg, "validation failed") { // a group's summary, not a leaf
			continue
		}
		loc := u.InstanceLocation
		if loc == "" {
			loc = "/"
		}
		out = append(out, loc+": "+msg)
		if len(out) == maxViolations {
			break
		}
	}
	if len(out) == 0 {
		out = append(out, ve.Error())
	}
	return out
}
