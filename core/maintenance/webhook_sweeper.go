package maintenance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/oslira/oslira/core/workflow"
)

// StaleWebhook is a stored webhook event that has not been processed.
type StaleWebhook struct {
	ID         string // the provider's event id (evt_…)
	Type       string
	AccountID  string // "" when unknown
	Payload    []byte // the stored event (JSON), nil when none was stored
	ReceivedAt time.Time
	LastError  string
	// Attempt is the event's latest processing attempt (1, 2, …; 0 is read as 1): its run is
	// WebhookRedrive.WorkflowID(ID, Attempt).
	Attempt int
}

// StaleWebhookQuery selects one page of unprocessed events, ordered by (ReceivedAt, ID).
type StaleWebhookQuery struct {
	ReceivedBefore time.Time // only events received before this
	// AfterReceived and AfterID are the last event of the previous page (zero for the first).
	AfterReceived time.Time
	AfterID       string
	Limit         int
}

// StaleWebhookSource lists unprocessed webhook events.
type StaleWebhookSource interface {
	// StaleWebhooks returns up to q.Limit unprocessed events received before q.ReceivedBefore,
	// after the cursor, oldest first. Fewer than q.Limit means the last page.
	StaleWebhooks(ctx context.Context, q StaleWebhookQuery) ([]StaleWebhook, error)
}

// WebhookRedrive says how a stored event is processed: which workflow definition runs it, under
// which run id, with which input. The billing feature supplies it (it owns the definition).
type WebhookRedrive struct {
	// Definition is the processing workflow's definition name. Required.
	Definition string
	// WorkflowID is the run id of attempt n (1, 2, …) of an event's processing; nil means
	// StripeAttemptWorkflowID. It must be the id the webhook endpoint starts that attempt with,
	// so a re-start is idempotent with it.
	WorkflowID func(eventID string, n int) string
	// Input builds the run's input from the stored event; nil passes the event id (a string).
	// An error marks the event stuck (for example a payload that no longer parses).
	Input func(StaleWebhook) (any, error)
}

// StripeWorkflowID is the run id of a Stripe event's first processing attempt:
// "stripe:<id>".
func StripeWorkflowID(eventID string) string { return "stripe:" + eventID }

// StripeAttemptWorkflowID is the run id of attempt n of a Stripe event's processing:
// StripeWorkflowID for the first, "stripe:<id>:<n>" after it (billing.EventAttemptWorkflowID).
func StripeAttemptWorkflowID(eventID string, n int) string {
	if n <= 1 {
		return StripeWorkflowID(eventID)
	}
	return StripeWorkflowID(eventID) + ":" + strconv.Itoa(n)
}

// WebhookSweeperConfig tunes WebhookSweeper. Zero fields take the defaults.
type WebhookSweeperConfig struct {
	// StaleAfter is how long after its receipt an unprocessed event counts as stalled. Default 1 h:
	// processing normally ends within seconds, and its retries within minutes.
	StaleAfter time.Duration
	PageSize   int // default 100
	// MaxPerRun bounds the events one sweep examines; default 1000. A sweep that stops at the
	// cap leaves a cursor, and the next one continues after it (then starts over from the
	// oldest once it reaches the end), so a backlog of in-flight events cannot hide newer ones.
	MaxPerRun int
}

// Defaults of WebhookSweeperConfig.
const (
	DefaultWebhookStaleAfter = time.Hour
	DefaultWebhookPageSize   = 100
	DefaultWebhookMaxPerRun  = 1000
)

// WebhookSweeper re-starts the processing of webhook events that were stored but never
// processed: the endpoint stores the event and starts its run in one transaction, so a lost run
// is rare (a run deleted by workflow retention while its event stayed unprocessed, an event
// stored by hand), but a lost webhook means lost credits.
//
// For each stalled event it looks up the run of its latest attempt (StaleWebhook.Attempt):
//   - no run: it starts one (Start is idempotent by id, so a racing start changes nothing);
//   - a run enqueued or running: in flight, left alone (a run stranded on a dead executor is the
//     janitor's to move);
//   - a run that failed, was cancelled, or succeeded without marking the event processed:
//     stuck — reported (and logged) for an operator, who fixes the cause and starts a new
//     attempt (`oslira webhooks retry`; Stripe's next redelivery does it too); starting one
//     automatically would undo the janitor's cap on poison runs. (Once workflow retention
//     deletes that run, the next sweep starts it afresh: processing is idempotent per event.)
type WebhookSweeper struct {
	src     StaleWebhookSource
	engine  workflow.Engine
	redrive WebhookRedrive
	cfg     WebhookSweeperConfig
	log     *slog.Logger

	mu     sync.Mutex
	cursor StaleWebhookQuery // where the next sweep starts (AfterReceived, AfterID)
}

var _ Sweeper = (*WebhookSweeper)(nil)

// NewWebhookSweeper returns the sweeper. log may be nil.
func NewWebhookSweeper(src StaleWebhookSource, engine workflow.Engine, redrive WebhookRedrive, cfg WebhookSweeperConfig, log *slog.Logger) (*WebhookSweeper, error) {
	if redrive.Definition == "" {
		return nil, errors.New("webhook sweeper: WebhookRedrive.Definition is required")
	}
	if redrive.WorkflowID == nil {
		redrive.WorkflowID = StripeAttemptWorkflowID
	}
	if redrive.Input == nil {
		redrive.Input = func(e StaleWebhook) (any, error) { return e.ID, nil }
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = DefaultWebhookStaleAfter
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultWebhookPageSize
	}
	if cfg.MaxPerRun <= 0 {
		cfg.MaxPerRun = DefaultWebhookMaxPerRun
	}
	if log == nil {
		log = slog.Default()
	}
	return &WebhookSweeper{src: src, engine: engine, redrive: redrive, cfg: cfg, log: log}, nil
}

// Name implements Sweeper.
func (s *WebhookSweeper) Name() string { return "webhooks" }

// Sweep implements Sweeper.
func (s *WebhookSweeper) Sweep(ctx context.Context, now time.Time) (SweepReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rep SweepReport
	q := s.cursor
	q.ReceivedBefore = now.Add(-s.cfg.StaleAfter)
	for {
		q.Limit = min(s.cfg.PageSize, s.cfg.MaxPerRun-rep.Found)
		events, err := s.src.StaleWebhooks(ctx, q)
		if err != nil {
			return rep, fmt.Errorf("list stale webhook events: %w", err)
		}
		for _, e := range events {
			rep.Found++
			if err := s.one(ctx, e, &rep); err != nil {
				return rep, err
			}
			q.AfterReceived, q.AfterID = e.ReceivedAt, e.ID
			s.cursor = q
		}
		if len(events) < q.Limit { // the end: the next sweep starts from the oldest
			s.cursor = StaleWebhookQuery{}
			break
		}
		if rep.Found >= s.cfg.MaxPerRun {
			break
		}
	}
	if rep.Stuck > 0 {
		s.log.Warn("webhook events stuck unprocessed: an operator must look", "count", rep.Stuck, "event_ids", rep.StuckIDs)
	}
	if rep.Restarted > 0 {
		s.log.Warn("re-started the processing of lost webhook events", "count", rep.Restarted)
	}
	return rep, nil
}

// one handles one stalled event.
func (s *WebhookSweeper) one(ctx context.Context, e StaleWebhook, rep *SweepReport) error {
	id := s.redrive.WorkflowID(e.ID, max(e.Attempt, 1))
	st, err := s.engine.Status(ctx, id)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		in, err := s.redrive.Input(e)
		if err != nil {
			s.log.Warn("cannot rebuild the input of a webhook event", "event_id", e.ID, "error", err)
			rep.stuck(e.ID)
			return nil
		}
		if _, err := s.engine.Start(ctx, s.redrive.Definition, in, id); err != nil {
			return fmt.Errorf("re-start %s: %w", id, err)
		}
		rep.Restarted++
	case err != nil:
		return fmt.Errorf("status of %s: %w", id, err)
	case !st.State.Terminal():
		rep.InFlight++
	default:
		rep.stuck(e.ID)
	}
	return nil
}
