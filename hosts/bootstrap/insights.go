package bootstrap

import (
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/insights"
)

// newInsightsService is the operator analytics (core/insights) over the database, with the wall
// clock; part of Core. The HTTP API takes it as an optional dependency (the admin analytics routes).
func newInsightsService(db *postgres.DB) *insights.Service {
	return insights.NewService(postgres.NewInsightsStore(db), nil)
}
