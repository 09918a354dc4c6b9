package secret

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/oslira/oslira/core/apperr"
)

// Set is a resolved bundle of secrets, keyed by name. Its String method never prints values, so a
// Set that slips into a log line leaks nothing.
type Set struct{ values map[string]string }

// Value returns the secret called name and whether it was loaded.
func (s Set) Value(name string) (string, bool) {
	v, ok := s.values[name]
	return v, ok
}

// Names lists the loaded names, sorted.
func (s Set) Names() []string {
	names := make([]string, 0, len(s.values))
	for n := range s.values {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// String lists names only.
func (s Set) String() string { return "secret.Set[" + strings.Join(s.Names(), ",") + "]" }

// Load resolves every required name and as many optional names as exist.
//
// It asks for every name even after a failure so that one start-up error lists every missing
// secret at once (CodeMissing, kind Invalid). An Unavailable failure of the store wins over
// "missing": a store that cannot be reached says nothing about which secrets exist.
func Load(ctx context.Context, p Provider, required, optional []string) (Set, error) {
	set := Set{values: make(map[string]string, len(required)+len(optional))}
	var missing []string
	var unavailable error
	fetch := func(name string, isRequired bool) error {
		v, err := p.Get(ctx, name)
		switch {
		case err == nil:
			set.values[name] = v
		case errors.Is(err, ErrNotFound):
			if isRequired {
				missing = append(missing, name)
			}
		case apperr.KindOf(err) == apperr.Unavailable:
			if unavailable == nil {
				unavailable = err
			}
		default:
			return err
		}
		return nil
	}
	for _, n := range required {
		if err := fetch(n, true); err != nil {
			return Set{}, err
		}
	}
	for _, n := range optional {
		if err := fetch(n, false); err != nil {
			return Set{}, err
		}
	}
	if unavailable != nil {
		return Set{}, unavailable
	}
	if len(missing) > 0 {
		return Set{}, apperr.New(apperr.Invalid, CodeMissing, "missing secrets: "+strings.Join(missing, ", "))
	}
	return set, nil
}

// GoString keeps %#v from printing values.
func (s Set) GoString() string { return s.String() }
