package httpapi

import (
	"testing"

	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

// TestMain drops the package's pgtest database (used by the contract and isolation tests) at the end.
func TestMain(m *testing.M) { pgtest.Main(m) }
