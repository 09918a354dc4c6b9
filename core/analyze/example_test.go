package analyze_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/oslira/oslira/adapters/jsonschema"
	"github.com/oslira/oslira/adapters/offline"
	"github.com/oslira/oslira/adapters/samplescraper"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/analyze/analyzetest"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// Example builds the analysis service as a Go library, without a database, HTTP or a host:
// the offline analyzer behind the real AI gateway (with the contracts' JSON Schemas and their
// validator), the bundled sample profiles as the scraper, the in-memory workflow engine and the
// in-memory store. It analyses the sample profile lumen.coffee (light) for a café-marketing
// business. Every part is deterministic (the sample scraper runs on a fixed clock), so the
// output is too.
//
// (The example lives in core as a test file: test files are not part of core's import graph,
// which hosts/archtest keeps to the standard library; the adapters it uses are the embedded
// defaults of `make run`.)
func Example() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

	// The ports: an LLM, a scraper, a store (with its progress events) and a workflow engine.
	llm, err := ai.NewGateway(ai.GatewayConfig{
		Routes:  []ai.Route{{Provider: offline.New(), Small: offline.Model, Strong: offline.Model}},
		Schemas: contracts.AISchemas(),
	}, ai.GatewayPorts{Validator: jsonschema.New()})
	if err != nil {
		log.Fatal(err)
	}
	scraper, err := samplescraper.New(clock)
	if err != nil {
		log.Fatal(err)
	}
	store := analyzetest.New(analyzetest.WithClock(clock))
	engine := workflowtest.New([]workflow.Definition{analyze.Definition(store, store, scraper, llm, clock)})
	service := analyze.NewService(store, engine, nil)

	// A caller: an account with 10 credits and one business profile.
	caller := tenant.Principal{UserID: store.NewID(), AccountID: store.NewID(), Roles: []tenant.Role{tenant.RoleUser}}
	store.Fund(caller.AccountID, 10)
	maxFollowers := int64(300_000)
	profile := business.Profile{ID: store.NewID(), AccountID: caller.AccountID, Context: business.Context{
		BusinessName:   "Bean & Brand",
		TargetAudience: "independent cafés and roasters",
		Tone:           business.ToneFriendly,
		ICP:            business.ICP{MinFollowers: 1_000, MaxFollowers: &maxFollowers, ContentThemes: []string{"coffee"}},
	}}
	store.AddProfile(profile)

	// Submit (debit + analysis + run start), run the workflow, read the result.
	a, err := service.Submit(ctx, caller, analyze.SubmitInput{Username: "@lumen.coffee", BusinessProfileID: profile.ID, Type: "light"})
	if err != nil {
		log.Fatal(err)
	}
	engine.Drain(ctx)
	a, err = service.Get(ctx, caller, a.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", a.Status, "outcome:", a.Outcome)
	fmt.Println("score:", *a.Score, "tier:", a.Tier)
	fmt.Println("credits left:", store.Balance(caller.AccountID))
	// Output:
	// status: completed outcome: scored
	// score: 88 tier: hot
	// credits left: 9
}
