package bootstrap

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/workflow"
)

// Analyses provides the analysis use cases of the HTTP host: *analyze.Service (submit, bulk,
// batches, reads) over an AnalysisStore that signs cursors with the deployment's CursorKey and
// over the workflow engine, and *analyze.Anonymous (the landing page's light analysis, run in
// the request) over the scraper, the LLM gateway and the anonymous results cache. It needs
// postgres.Module, the Scraping and LLM modules and an engine (worker.Module or
// dbos.ClientModule).
var Analyses = fx.Module("analyses", fx.Provide(newAnalysisService, newAnonymousAnalysis))

func newAnalysisService(db *postgres.DB, key postgres.CursorKey, engine workflow.Engine, log *slog.Logger) (*analyze.Service, error) {
	store, err := postgres.NewAnalysisStore(db, key)
	if err != nil {
		return nil, err
	}
	return analyze.NewService(store, engine, log), nil
}

func newAnonymousAnalysis(scraper lead.Scraper, llm ai.LLM, cache analyze.AnonymousCache) *analyze.Anonymous {
	return analyze.NewAnonymous(scraper, llm, cache, time.Now)
}

type analysisDefinitionParams struct {
	fx.In

	DB  *postgres.DB
	Log *slog.Logger
	// Scraper and LLM are absent from graphs that only hold a workflow client (cron, operator
	// commands): they never run a body.
	Scraper lead.Scraper `optional:"true"`
	LLM     ai.LLM       `optional:"true"`
}

// analysisDefinition is analysis.v1 over an AnalysisStore (its run store and progress events;
// runs read no pages, so its cursor key is a throwaway one), the cached scraper chain and the LLM
// gateway. Without them (a client-only graph) the body refuses to run.
func analysisDefinition(p analysisDefinitionParams) (workflow.Definition, error) {
	store, err := postgres.NewAnalysisStore(p.DB, nil)
	if err != nil {
		return workflow.Definition{}, err
	}
	var (
		scraper lead.Scraper = noScraper{}
		llm     ai.LLM       = noModel{}
	)
	if p.Scraper != nil && p.LLM != nil {
		scraper, llm = p.Scraper, p.LLM
	}
	return analyze.Definition(store, store, scraper, llm, time.Now, analyze.WithLogger(p.Log)), nil
}

var errNoProviders = errors.New("bootstrap: this process has no scraper or LLM module; analyses execute on workers")

// noScraper and noModel stand in for the providers in graphs that never execute runs.
type (
	noScraper struct{}
	noModel   struct{}
)

func (noScraper) Scrape(context.Context, string) (lead.ScrapeResult, error) {
	return lead.ScrapeResult{}, workflow.Permanent(errNoProviders)
}

func (noModel) Complete(context.Context, ai.Request) (ai.Response, error) {
	return ai.Response{}, workflow.Permanent(errNoProviders)
}
