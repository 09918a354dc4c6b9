package main

import (
	"errors"
	"reflect"
	"strings"
)

// rootCause strips the layers fx and dig wrap around a constructor or hook error (function names,
// source paths) so the message on stderr is the adapter's own. fx's logger has already written
// the full chain to the log.
func rootCause(err error) error {
	for {
		t := reflect.TypeOf(err)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if !strings.HasPrefix(t.PkgPath(), "go.uber.org/") {
			return err
		}
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
