package business

import (
	"context"
	"strconv"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
)

// Page sizes of the list (the original allowed at most 50).
const (
	DefaultPageSize = 20
	MaxPageSize     = 50
)

// ListFilter selects a page of profiles.
type ListFilter struct {
	Cursor string // "" for the first page
	Limit  int    // 1..MaxPageSize
}

// Page is one page of profiles; NextCursor is "" on the last.
type Page struct {
	Profiles   []Profile
	NextCursor string
}

// Service holds the business-profile use cases the hosts call.
type Service struct {
	store  Store
	engine workflow.Engine
}

// NewService builds the service over its ports; engine starts and reads onboarding runs.
func NewService(store Store, engine workflow.Engine) *Service {
	return &Service{store: store, engine: engine}
}

// Create validates c (Normalize) and stores a new profile of the principal's account.
func (s *Service) Create(ctx context.Context, p tenant.Principal, c Context) (Profile, error) {
	c, err := Normalize(c)
	if err != nil {
		return Profile{}, err
	}
	return s.store.Create(ctx, p, c)
}

// Get returns one of the principal's profiles. An id that is not a UUID is ErrNotFound, like
// an id of another account's profile.
func (s *Service) Get(ctx context.Context, p tenant.Principal, id string) (Profile, error) {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return Profile{}, ErrNotFound
	}
	return s.store.Get(ctx, p, id)
}

// List returns a page of the principal's profiles, newest first. limit 0 means DefaultPageSize;
// otherwise it must be 1..MaxPageSize (CodeInvalidPageSize).
func (s *Service) List(ctx context.Context, p tenant.Principal, cursor string, limit int) (Page, error) {
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit < 1 || limit > MaxPageSize {
		return Page{}, apperr.Validation(CodeInvalidPageSize, "page size out of range",
			apperr.FieldError{Field: "limit", Message: "must be between 1 and " + strconv.Itoa(MaxPageSize)})
	}
	return s.store.List(ctx, p, ListFilter{Cursor: cursor, Limit: limit})
}

// Update applies a merge patch to a profile's context and validates the result as a whole
// (Normalize), under the row's lock: two concurrent edits of different fields both survive.
func (s *Service) Update(ctx context.Context, p tenant.Principal, id string, patch Patch) (Profile, error) {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return Profile{}, ErrNotFound
	}
	return s.store.Update(ctx, p, id, func(cur Profile) (Context, error) {
		return Normalize(patch.Apply(cur.Context))
	})
}

// Delete soft-deletes a profile: it disappears from reads and lists; a second delete is
// ErrNotFound.
func (s *Service) Delete(ctx context.Context, p tenant.Principal, id string) error {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return ErrNotFound
	}
	return s.store.Delete(ctx, p, id)
}
