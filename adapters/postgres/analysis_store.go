package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
)

// AnalysisStore is the analyses in PostgreSQL (tables analyses, analysis_batches, leads,
// analysis_events and operations_ledger, migration 00015).
//
// As analyze.Submitter and analyze.RunStore it writes in the admin scope: a submit is one
// transaction (analysis rows, their debits through app.apply_credit, the workflow runs started
// with workflow.WithTx), and every finish or cancel changes a row under its lock together with
// the refund. As analyze.Reader it reads through the user scope (row-level security), filtering
// by the principal's account in SQL as well. Page cursors are signed with the deployment's
// CursorKey under domains of their own (see analysisCursorDomain and leadCursorDomain).
type AnalysisStore struct {
	db      *DB
	cursors CursorKey
}

var (
	_ analyze.Store  = (*AnalysisStore)(nil)
	_ analyze.Events = (*AnalysisStore)(nil)
)

// NewAnalysisStore returns an AnalysisStore over db that signs cursors with key (at least
// MinCursorKeyBytes; nil makes a random key that lives as long as the store).
func NewAnalysisStore(db *DB, key CursorKey) (*AnalysisStore, error) {
	key, err := newCursorSigner(key)
	if err != nil {
		return nil, err
	}
	return &AnalysisStore{db: db, cursors: key}, nil
}

// sqlLiveProfile finds the account's live business profile.
const sqlLiveProfile = `select exists (select 1 from public.business_profiles
where id = $2 and account_id = $1 and deleted_at is null)`

// sqlInsertBatch creates a batch row.
const sqlInsertBatch = `insert into public.analysis_batches (account_id, business_profile_id, type, total, requested_by)
values ($1, $2, $3, $4, $5)
returning id::text, created_at`

// sqlInsertAnalyses creates one pending analysis per handle of $7, skipping the handles that
// already have one in flight (the partial unique index analyses_in_flight_key: a concurrent
// insert of the same handle waits for the other transaction and then skips it if it committed).
const sqlInsertAnalyses = `insert into public.analyses (account_id, business_profile_id, batch_id, username, type, credits, requested_by)
select $1::uuid, $2::uuid, $3::uuid, u.name, $4::text, $5::bigint, $6::uuid from unnest($7::text[]) with ordinality as u(name, ord)
order by u.ord
on conflict (account_id, business_profile_id, username) where status in ('pending', 'running') do nothing
returning ` + analysisColumns

// sqlLockHandles takes a transaction-scoped advisory lock per (account, profile, handle) of a
// submission, in sorted order, before anything is inserted. Without it two bulk requests naming
// the same handles in different orders deadlock on each other's uncommitted index entries; with
// it a submitter waits for every other in-flight submit of its handles first, always in the
// same order, and then inserts without contention. The two-key form (class, hash) keeps these
// locks apart from the single-key session locks elsewhere; a hash collision only serialises
// two submits.
const sqlLockHandles = `select count(pg_advisory_xact_lock($1::int, hashtext($2::text || '/' || $3::text || '/' || s.u)))
from (select u from unnest($4::text[]) as t(u) order by u) s`

// handleLockClass is the first key of sqlLockHandles's locks: "anly" in ASCII.
const handleLockClass = 0x616e6c79

// sqlInFlight reads the analyses in flight for some handles of a profile.
const sqlInFlight = `select username, id::text from public.analyses
where account_id = $1 and business_profile_id = $2 and username = any($3::text[])
  and status in ('pending', 'running')`

// sqlBulkLimit is the account's plan's bulk limit: its subscription's plan while the
// subscription is in good standing (the statuses account_store.go treats as subscribed), else
// the free plan's.
const sqlBulkLimit = `select coalesce(
  (select p.bulk_limit from public.subscriptions s join public.plans p on p.name = s.plan
   where s.account_id = $1 and s.status in ('active', 'trialing', 'past_due')),
  (select bulk_limit from public.plans where name = 'free'))`

// inFlightRetries bounds how often an insert is retried for handles whose in-flight analysis
// finished between the conflict and the read of its id.
const inFlightRetries = 3

// Submit implements analyze.Submitter: see submit.
func (s *AnalysisStore) Submit(ctx context.Context, sub analyze.Submission, start analyze.StartFunc) (analyze.Analysis, error) {
	var out analyze.Analysis
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		as, err := submit(ctx, q, submission{
			accountID: sub.AccountID, profileID: sub.BusinessProfileID, usernames: []string{sub.Username},
			typ: string(sub.Type), credits: sub.Credits, requestedBy: sub.RequestedBy,
		}, start)
		if err != nil {
			return err
		}
		out = as[0]
		return nil
	})
	if err != nil {
		return analyze.Analysis{}, err
	}
	return out, nil
}

// SubmitBatch implements analyze.Submitter: a batch row, then submit for every handle, in one
// transaction.
func (s *AnalysisStore) SubmitBatch(ctx context.Context, b analyze.BatchSubmission, start analyze.StartFunc) (analyze.Batch, []analyze.Analysis, error) {
	var (
		batch analyze.Batch
		items []analyze.Analysis
	)
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		sub := submission{
			accountID: b.AccountID, profileID: b.BusinessProfileID, usernames: b.Usernames,
			typ: string(b.Type), credits: b.Credits, requestedBy: b.RequestedBy,
		}
		if err := sub.check(ctx, q); err != nil {
			return err
		}
		batch = analyze.Batch{AccountID: sub.accountID, BusinessProfileID: sub.profileID, Type: b.Type, Total: len(b.Usernames)}
		err := q.QueryRow(ctx, sqlInsertBatch, sub.accountID, sub.profileID, sub.typ, batch.Total, nullUUID(sub.requestedBy)).
			Scan(&batch.ID, &batch.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert analysis batch: %w", err)
		}
		batch.CreatedAt = batch.CreatedAt.UTC()
		sub.batchID = batch.ID
		items, err = submit(ctx, q, sub, start)
		return err
	})
	if err != nil {
		return analyze.Batch{}, nil, err
	}
	return batch, items, nil
}

// BulkLimit implements analyze.Submitter. An account id that is not a UUID has no subscription:
// it gets the free plan's limit.
func (s *AnalysisStore) BulkLimit(ctx context.Context, accountID string) (int, error) {
	var id *string
	if v, ok := tenant.ParseUUID(accountID); ok {
		id = &v
	}
	var n int
	if err := s.db.Pool().QueryRow(ctx, sqlBulkLimit, id).Scan(&n); err != nil {
		return 0, MapError(fmt.Errorf("read bulk limit: %w", err))
	}
	return n, nil
}

// submission is what Submit and SubmitBatch have in common.
type submission struct {
	accountID, profileID, batchID string
	usernames                     []string
	typ                           string
	credits                       int64
	requestedBy                   string
}

// check canonicalises the ids and makes sure the profile is the account's and live
// (business.ErrNotFound otherwise).
func (sub *submission) check(ctx context.Context, q Querier) error {
	var okA, okP bool
	sub.accountID, okA = tenant.ParseUUID(sub.accountID)
	sub.profileID, okP = tenant.ParseUUID(sub.profileID)
	if !okA || !okP {
		return business.ErrNotFound
	}
	var live bool
	if err := q.QueryRow(ctx, sqlLiveProfile, sub.accountID, sub.profileID).Scan(&live); err != nil {
		return fmt.Errorf("find business profile: %w", err)
	}
	if !live {
		return business.ErrNotFound
	}
	return nil
}

// submit creates, debits and starts one analysis per handle of sub inside the caller's
// transaction, in the order of sub.usernames. Handles in flight make it fail with a
// *analyze.DuplicateError naming all of them; any error leaves the transaction to be rolled
// back.
func submit(ctx context.Context, q Querier, sub submission, start analyze.StartFunc) ([]analyze.Analysis, error) {
	if sub.batchID == "" {
		if err := sub.check(ctx, q); err != nil {
			return nil, err
		}
	}
	amount, err := credit.NewAmount(sub.credits)
	if err != nil {
		return nil, err
	}
	as, err := insertAnalyses(ctx, q, sub)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		_, err := ApplyCredit(ctx, q, credit.EntryRequest{
			AccountID: a.AccountID, Kind: credit.AnalysisDebit, Amount: amount, Reference: a.RunID(),
			Description: describe(a), CreatedBy: sub.requestedBy,
		})
		if err != nil {
			return nil, err
		}
	}
	for _, a := range as {
		if err := start(workflow.WithTx(ctx, q), a); err != nil {
			return nil, err
		}
	}
	return as, nil
}

// describe is an analysis's ledger description ("light analysis of @name").
func describe(a analyze.Analysis) string {
	return fmt.Sprintf("%s analysis of @%s", a.Type, a.Username)
}

// insertAnalyses locks sub's handles (sqlLockHandles) and inserts its analyses. A handle whose insert was skipped has an analysis in
// flight: its id is read (the statement after the insert sees the other transaction's commit)
// and reported in a *analyze.DuplicateError. When that analysis finished in the meantime the
// insert is tried again for it.
func insertAnalyses(ctx context.Context, q Querier, sub submission) ([]analyze.Analysis, error) {
	order := make(map[string]int, len(sub.usernames))
	for i, u := range sub.usernames {
		order[u] = i
	}
	if _, err := q.Exec(ctx, sqlLockHandles, handleLockClass, sub.accountID, sub.profileID, sub.usernames); err != nil {
		return nil, fmt.Errorf("lock handles: %w", err)
	}
	var (
		out     []analyze.Analysis
		dup     = map[string]string{}
		pending = sub.usernames
	)
	for range inFlightRetries {
		rows, err := q.Query(ctx, sqlInsertAnalyses, sub.accountID, sub.profileID, nullUUID(sub.batchID),
			sub.typ, sub.credits, nullUUID(sub.requestedBy), pending)
		if err != nil {
			return nil, fmt.Errorf("insert analyses: %w", err)
		}
		inserted, err := pgx.CollectRows(rows, scanAnalysisRow)
		if err != nil {
			return nil, fmt.Errorf("insert analyses: %w", err)
		}
		out = append(out, inserted...)
		if len(inserted) == len(pending) {
			break
		}
		done := make(map[string]bool, len(inserted))
		for _, a := range inserted {
			done[a.Username] = true
		}
		var skipped []string
		for _, u := range pending {
			if !done[u] {
				skipped = append(skipped, u)
			}
		}
		if err := readInFlight(ctx, q, sub, skipped, dup); err != nil {
			return nil, err
		}
		pending = slices.DeleteFunc(skipped, func(u string) bool { _, ok := dup[u]; return ok })
		if len(pending) == 0 {
			break
		}
	}
	switch {
	case len(dup) > 0:
		return nil, &analyze.DuplicateError{Existing: dup}
	case len(out) != len(sub.usernames):
		return nil, errBusy.WithCause(errors.New("in-flight analyses kept finishing during the submit"))
	}
	slices.SortFunc(out, func(a, b analyze.Analysis) int { return order[a.Username] - order[b.Username] })
	return out, nil
}

// readInFlight adds the in-flight analysis of each of names to dup.
func readInFlight(ctx context.Context, q Querier, sub submission, names []string, dup map[string]string) error {
	rows, err := q.Query(ctx, sqlInFlight, sub.accountID, sub.profileID, names)
	if err != nil {
		return fmt.Errorf("read analyses in flight: %w", err)
	}
	var u, id string
	_, err = pgx.ForEachRow(rows, []any{&u, &id}, func() error { dup[u] = id; return nil })
	if err != nil {
		return fmt.Errorf("read analyses in flight: %w", err)
	}
	return nil
}

// nullUUID sends "" (or anything that is not a UUID) as NULL.
func nullUUID(s string) *string {
	if v, ok := tenant.ParseUUID(s); ok {
		return &v
	}
	return nil
}
