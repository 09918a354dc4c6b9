package cron

import (
	"testing"

	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
