package analyze

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
)

// Store is every storage port of the analyses.
type Store interface {
	Submitter
	RunStore
	Reader
}

// Service holds the analysis use cases the hosts call.
type Service struct {
	store  Store
	engine workflow.Engine
	log    *slog.Logger
}

// NewService returns the use cases over store and engine (runs are started on engine inside the
// submit transaction; the engine must join the store's transactions: see workflow.WithTx).
func NewService(store Store, engine workflow.Engine, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, engine: engine, log: log}
}

// SubmitInput is a request for one analysis, as the client sent it.
type SubmitInput struct {
	Username          string
	BusinessProfileID string
	Type              string
}

// Submit accepts one analysis: validation (handle, type, profile id), then one transaction that
// debits the type's credits, creates the analysis pending and starts its run. Errors: Invalid
// with field errors; business.ErrNotFound for a profile that is not the account's (or deleted);
// credit.ErrInsufficient (402); a *DuplicateError (409) when the same handle is in flight for
// the profile.
func (s *Service) Submit(ctx context.Context, p tenant.Principal, in SubmitInput) (Analysis, error) {
	typ, cost, profileID, fields := target(in.Type, in.BusinessProfileID)
	h, err := lead.ParseHandle(in.Username, "username")
	if e, ok := apperr.As(err); ok {
		fields = append(e.Fields, fields...)
	}
	if len(fields) > 0 {
		return Analysis{}, invalidRequest(fields)
	}
	return s.store.Submit(ctx, Submission{
		AccountID: p.AccountID, BusinessProfileID: profileID, Username: h.String(),
		Type: typ, Credits: cost, RequestedBy: p.UserID,
	}, s.start)
}

// BulkInput is a bulk request as the client sent it.
type BulkInput struct {
	Usernames         []string
	BusinessProfileID string
	Type              string
}

// SubmitBulk accepts one analysis per handle, all or nothing: every handle must parse, no two
// may be the same after normalisation (CodeDuplicateUsernames, each repeat named by its index),
// their number must be within the plan's bulk limit (CodeBulkLimit); then one transaction
// debits every analysis, creates the batch and starts one run per handle. The runs share the
// analyses queue, whose global and per-account concurrency caps pace them.
func (s *Service) SubmitBulk(ctx context.Context, p tenant.Principal, in BulkInput) (Batch, []Analysis, error) {
	typ, cost, profileID, fields := target(in.Type, in.BusinessProfileID)
	if len(fields) > 0 {
		return Batch{}, nil, invalidRequest(fields)
	}
	if len(in.Usernames) == 0 {
		return Batch{}, nil, apperr.Validation(apperr.CodeInvalidRequest, "no usernames",
			apperr.FieldError{Field: "usernames", Message: "must name at least one handle"})
	}
	limit, err := s.store.BulkLimit(ctx, p.AccountID)
	if err != nil {
		return Batch{}, nil, err
	}
	if len(in.Usernames) > limit {
		return Batch{}, nil, apperr.Validation(CodeBulkLimit, "too many usernames for your plan",
			apperr.FieldError{Field: "usernames", Message: "at most " + strconv.Itoa(limit) + " handles per request on your plan"})
	}
	names, err := distinctHandles(in.Usernames)
	if err != nil {
		return Batch{}, nil, err
	}
	return s.store.SubmitBatch(ctx, BatchSubmission{
		AccountID: p.AccountID, BusinessProfileID: profileID, Usernames: names,
		Type: typ, Credits: cost, RequestedBy: p.UserID,
	}, s.start)
}

// distinctHandles parses every handle and refuses repeats; all problems are reported at once.
func distinctHandles(raw []string) ([]string, error) {
	var (
		fields []apperr.FieldError
		names  = make([]string, 0, len(raw))
		first  = make(map[string]int, len(raw))
		dup    bool
	)
	for i, r := range raw {
		field := "usernames[" + strconv.Itoa(i) + "]"
		h, err := lead.ParseHandle(r, field)
		if err != nil {
			if e, ok := apperr.As(err); ok {
				fields = append(fields, e.Fields...)
			}
			continue
		}
		if j, seen := first[h.String()]; seen {
			dup = true
			fields = append(fields, apperr.FieldError{Field: field,
				Message: "repeats usernames[" + strconv.Itoa(j) + "] (" + h.String() + ")"})
			continue
		}
		first[h.String()] = i
		names = append(names, h.String())
	}
	switch {
	case len(fields) == 0:
		return names, nil
	case dup:
		return nil, apperr.Validation(CodeDuplicateUsernames, "some usernames are repeated", fields...)
	default:
		return nil, apperr.Validation(lead.CodeInvalidUsername, "some usernames are invalid", fields...)
	}
}

// target parses what every submit carries besides its handles: the analysis type (and its
// cost) and the business profile id. Problems come back as field errors, so that a request's
// every mistake is reported at once.
func target(typ, profileID string) (analysis.Type, int64, string, []apperr.FieldError) {
	var fields []apperr.FieldError
	t, err := analysis.ParseType(typ)
	if e, ok := apperr.As(err); ok {
		fields = append(fields, e.Fields...)
	}
	id, ok := tenant.ParseUUID(profileID)
	if !ok {
		fields = append(fields, apperr.FieldError{Field: "business_profile_id", Message: "must be a business profile id (a UUID)"})
	}
	if len(fields) > 0 {
		return "", 0, "", fields
	}
	cost, _ := t.Cost() // ParseType accepted it: it has a cost
	return t, cost.Int64(), id, nil
}

// invalidRequest is the error of a submit with field errors.
func invalidRequest(fields []apperr.FieldError) error {
	return apperr.Validation(apperr.CodeInvalidRequest, "invalid analysis request", fields...)
}

// start is the StartFunc of every submit: the analysis run, partitioned by account so the
// queue's per-account cap applies.
func (s *Service) start(ctx context.Context, a Analysis) error {
	_, err := s.engine.Start(workflow.WithPartition(ctx, a.AccountID), Workflow, runInput{AnalysisID: a.ID, AccountID: a.AccountID}, a.RunID())
	return err
}

// Get returns one analysis of the principal's account.
func (s *Service) Get(ctx context.Context, p tenant.Principal, id string) (Analysis, error) {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return Analysis{}, ErrNotFound
	}
	return s.store.Get(ctx, p, id)
}

// List returns a page of the account's analyses, newest first.
func (s *Service) List(ctx context.Context, p tenant.Principal, f AnalysisFilter) (Page[Analysis], error) {
	var err error
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return Page[Analysis]{}, err
	}
	var fields []apperr.FieldError
	if f.Status != "" && !f.Status.Valid() {
		fields = append(fields, apperr.FieldError{Field: "status", Message: "must be pending, running, completed, failed or cancelled"})
	}
	if f.Type != "" {
		if _, err := analysis.ParseType(string(f.Type)); err != nil {
			fields = append(fields, apperr.FieldError{Field: "type", Message: "must be light, deep or xray"})
		}
	}
	for _, id := range []struct{ field, v string }{{"business_profile_id", f.BusinessProfileID}, {"lead_id", f.LeadID}} {
		if _, ok := tenant.ParseUUID(id.v); id.v != "" && !ok {
			fields = append(fields, apperr.FieldError{Field: id.field, Message: "must be a UUID"})
		}
	}
	if len(fields) > 0 {
		return Page[Analysis]{}, apperr.Validation(apperr.CodeInvalidRequest, "invalid filter", fields...)
	}
	return s.store.List(ctx, p, f)
}

// Batch returns a batch with its items' state.
func (s *Service) Batch(ctx context.Context, p tenant.Principal, id string) (BatchView, error) {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return BatchView{}, ErrNotFound
	}
	return s.store.Batch(ctx, p, id)
}

// CancelBatch cancels the batch's items that have not started: each is marked cancelled and
// refunded in one transaction, then its run is cancelled in the engine (a run the engine starts
// anyway finds its analysis cancelled and stops). Items already running finish normally. It
// returns the batch as it is afterwards and the number of items cancelled.
func (s *Service) CancelBatch(ctx context.Context, p tenant.Principal, id string) (BatchView, int, error) {
	b, err := s.Batch(ctx, p, id)
	if err != nil {
		return BatchView{}, 0, err
	}
	cancelled, err := s.store.CancelPending(ctx, b.AccountID, b.ID)
	if err != nil {
		return BatchView{}, 0, err
	}
	for _, a := range cancelled {
		if err := s.engine.Cancel(ctx, a.RunID()); err != nil && !errors.Is(err, workflow.ErrNotFound) {
			s.log.WarnContext(ctx, "cancel analysis run", "run_id", a.RunID(), "error", err.Error())
		}
	}
	b, err = s.store.Batch(ctx, p, b.ID)
	return b, len(cancelled), err
}

// Leads returns a page of a business profile's leads (business.ErrNotFound for a profile that
// is not the account's).
func (s *Service) Leads(ctx context.Context, p tenant.Principal, f LeadFilter) (Page[Lead], error) {
	var err error
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return Page[Lead]{}, err
	}
	var fields []apperr.FieldError
	if _, ok := tenant.ParseUUID(f.BusinessProfileID); !ok {
		fields = append(fields, apperr.FieldError{Field: "business_profile_id", Message: "is required: a business profile id (a UUID)"})
	}
	switch f.Sort {
	case "":
		f.Sort = SortLastAnalyzed
	case SortLastAnalyzed, SortFollowers, SortScore:
	default:
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "must be last_analyzed, followers or score"})
	}
	if len(f.Search) > 30 {
		fields = append(fields, apperr.FieldError{Field: "search", Message: "must be at most 30 characters"})
	}
	if len(fields) > 0 {
		return Page[Lead]{}, apperr.Validation(apperr.CodeInvalidRequest, "invalid filter", fields...)
	}
	return s.store.Leads(ctx, p, f)
}

// Lead returns one lead with its latest completed analysis.
func (s *Service) Lead(ctx context.Context, p tenant.Principal, id string) (Lead, error) {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return Lead{}, ErrNotFound
	}
	return s.store.Lead(ctx, p, id)
}

// LeadAnalyses returns a page of one lead's analyses, newest first (ErrNotFound for a lead that
// is not the account's).
func (s *Service) LeadAnalyses(ctx context.Context, p tenant.Principal, leadID, cursor string, limit int) (Page[Analysis], error) {
	l, err := s.Lead(ctx, p, leadID)
	if err != nil {
		return Page[Analysis]{}, err
	}
	return s.List(ctx, p, AnalysisFilter{LeadID: l.ID, Cursor: cursor, Limit: limit})
}

// DeleteLead soft-deletes a lead; its analyses stay readable.
func (s *Service) DeleteLead(ctx context.Context, p tenant.Principal, id string) error {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return ErrNotFound
	}
	return s.store.DeleteLead(ctx, p, id)
}

// Active returns the account's analyses in flight (pending or running), newest first, with
// their latest percent and step: what a page that just loaded shows before its live stream
// takes over.
func (s *Service) Active(ctx context.Context, p tenant.Principal) ([]Analysis, error) {
	return s.store.Active(ctx, p, MaxActive)
}

// pageSize applies DefaultPageSize and checks the range.
func pageSize(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultPageSize, nil
	case n < 1 || n > MaxPageSize:
		return 0, apperr.Validation(CodeInvalidPageSize, "page size out of range",
			apperr.FieldError{Field: "limit", Message: "must be between 1 and " + strconv.Itoa(MaxPageSize)})
	}
	return n, nil
}
