package dbos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"
	"github.com/jackc/pgx/v5"
)

// janitorLock is the session advisory-lock key of a janitor pass: "dbosjan" in ASCII.
const janitorLock int64 = 0x64626f736a616e

// pruneAfter is how long the heartbeat row of an executor that stopped beating is kept.
const pruneAfter = 7 * 24 * time.Hour

// Janitor moves runs away from dead executors. DBOS recovers a run only when the process with
// the same executor id and application version launches again; a replica that is gone for good
// (scaled down, renamed, crash-looping) strands its runs as pending. The janitor finds pending
// runs whose executor has not written a heartbeat for Janitor.StaleAfter and resumes them on
// their queue, where any live executor of their version takes them and continues after their
// last recorded step. A run resumed Janitor.MaxResumes times that is stranded again is
// cancelled instead (a poison run that kills every process that touches it); an operator can
// still Resume it.
//
// DBOS resets its own recovery counter on every resume, so the janitor keeps its count in
// dbos.oslira_janitor. The cron host calls RunOnce periodically; a pass holds an advisory lock,
// so concurrent passes (several cron processes) skip instead of racing.
type Janitor struct {
	e   *Engine
	cfg JanitorConfig
	log *slog.Logger
}

// JanitorReport says what one pass did.
type JanitorReport struct {
	Skipped        bool     // another pass held the lock
	DeadExecutors  []string // executors past the threshold that still own pending runs
	Resumed        []string // runs put back on their queue
	GaveUp         []string // runs cancelled after MaxResumes resumes
	PrunedRows     int64    // janitor rows of deleted runs, and old executor rows, removed
	PendingScanned int
}

// NewJanitor returns a janitor over e (a Client's or an Executor's engine).
func NewJanitor(e *Engine, cfg JanitorConfig, log *slog.Logger) (*Janitor, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &Janitor{e: e, cfg: cfg, log: log.With("component", "dbos-janitor")}, nil
}

// RunOnce makes one pass. It is idempotent: a second pass right after the first finds the runs
// it resumed enqueued (or running on a live executor) and leaves them alone.
func (j *Janitor) RunOnce(ctx context.Context) (JanitorReport, error) {
	var rep JanitorReport
	conn, err := j.e.pool.Acquire(ctx)
	if err != nil {
		return rep, fmt.Errorf("janitor: acquire: %w", err)
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, "select pg_try_advisory_lock($1)", janitorLock).Scan(&locked); err != nil {
		return rep, fmt.Errorf("janitor: lock: %w", err)
	}
	if !locked {
		rep.Skipped = true
		return rep, nil
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "select pg_advisory_unlock($1)", janitorLock) }()

	live, dbNow, err := j.liveExecutors(ctx, conn.Conn())
	if err != nil {
		return rep, err
	}
	pending, err := sdk.ListWorkflows(j.e.on(ctx), sdk.WithFilterStatus(sdk.WorkflowStatusPending),
		sdk.WithFilterLoadInput(false), sdk.WithFilterLoadOutput(false),
		sdk.WithFilterSortDesc(), sdk.WithFilterLimit(10*j.cfg.Limit))
	if err != nil {
		return rep, mapError("janitor: list pending", err)
	}
	rep.PendingScanned = len(pending)
	dead := map[string]bool{}
	handled := 0
	for _, w := range pending {
		// A run claimed moments ago by an executor whose first beat is not visible yet is left
		// alone: it must look stranded for the whole threshold.
		if live[w.ExecutorID] || dbNow.Sub(w.UpdatedAt) < j.cfg.StaleAfter || handled >= j.cfg.Limit {
			continue
		}
		handled++
		if !dead[w.ExecutorID] {
			dead[w.ExecutorID] = true
			rep.DeadExecutors = append(rep.DeadExecutors, w.ExecutorID)
		}
		if err := j.handle(ctx, conn.Conn(), w, &rep); err != nil {
			return rep, err
		}
	}
	if rep.PrunedRows, err = j.prune(ctx, conn.Conn()); err != nil {
		return rep, err
	}
	if len(rep.Resumed)+len(rep.GaveUp) > 0 {
		j.log.Warn("janitor moved runs of dead executors", "dead_executors", rep.DeadExecutors,
			"resumed", rep.Resumed, "gave_up", rep.GaveUp)
	}
	return rep, nil
}

// liveExecutors returns the executors that beat within StaleAfter, and the database's clock.
func (j *Janitor) liveExecutors(ctx context.Context, conn *pgx.Conn) (map[string]bool, time.Time, error) {
	rows, err := conn.Query(ctx, `select executor_id, now() from dbos.oslira_executors
		where heartbeat_at > now() - make_interval(secs => $1)`, j.cfg.StaleAfter.Seconds())
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("janitor: read heartbeats: %w", err)
	}
	live := map[string]bool{}
	var now time.Time
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &now); err != nil {
			return nil, time.Time{}, fmt.Errorf("janitor: read heartbeats: %w", err)
		}
		live[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, fmt.Errorf("janitor: read heartbeats: %w", err)
	}
	if now.IsZero() {
		if err := conn.QueryRow(ctx, "select now()").Scan(&now); err != nil {
			return nil, time.Time{}, fmt.Errorf("janitor: read clock: %w", err)
		}
	}
	return live, now, nil
}

// handle counts one more resume of w, then resumes it, or cancels it when the count is spent.
// The count is written first, so a janitor dying in between never grants a free resume.
func (j *Janitor) handle(ctx context.Context, conn *pgx.Conn, w sdk.WorkflowStatus, rep *JanitorReport) error {
	var resumes int
	err := conn.QueryRow(ctx, `
		insert into dbos.oslira_janitor (workflow_uuid, resumes, last_resumed_at, last_executor_id)
		values ($1, 1, now(), $2)
		on conflict (workflow_uuid) do update set
			resumes = oslira_janitor.resumes + 1,
			last_resumed_at = now(),
			last_executor_id = excluded.last_executor_id
		where oslira_janitor.resumes < $3
		returning resumes`, w.ID, w.ExecutorID, j.cfg.MaxResumes).Scan(&resumes)
	if errors.Is(err, pgx.ErrNoRows) { // the count is spent
		if err := j.e.Cancel(ctx, w.ID); err != nil {
			return fmt.Errorf("janitor: cancel %s: %w", w.ID, err)
		}
		if _, err := conn.Exec(ctx, `update dbos.oslira_janitor set gave_up_at = now()
			where workflow_uuid = $1 and gave_up_at is null`, w.ID); err != nil {
			return fmt.Errorf("janitor: record give-up of %s: %w", w.ID, err)
		}
		rep.GaveUp = append(rep.GaveUp, w.ID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("janitor: count resume of %s: %w", w.ID, err)
	}
	queue := w.QueueName
	if q, ok := j.e.queues[w.Name]; ok {
		queue = q
	}
	var opts []sdk.ResumeWorkflowOption
	if queue != "" {
		opts = append(opts, sdk.WithResumeQueue(queue))
	}
	if _, err := sdk.ResumeWorkflow[json.RawMessage](j.e.on(ctx), w.ID, opts...); err != nil {
		return mapError("janitor: resume "+w.ID, err)
	}
	rep.Resumed = append(rep.Resumed, w.ID)
	return nil
}

// prune removes janitor rows of runs that no longer exist (retention deleted them) and heartbeat
// rows of executors silent for a week.
func (j *Janitor) prune(ctx context.Context, conn *pgx.Conn) (int64, error) {
	a, err := conn.Exec(ctx, `delete from dbos.oslira_janitor j where not exists
		(select 1 from dbos.workflow_status w where w.workflow_uuid = j.workflow_uuid)`)
	if err != nil {
		return 0, fmt.Errorf("janitor: prune: %w", err)
	}
	b, err := conn.Exec(ctx, `delete from dbos.oslira_executors
		where heartbeat_at < now() - make_interval(secs => $1)`, pruneAfter.Seconds())
	if err != nil {
		return 0, fmt.Errorf("janitor: prune: %w", err)
	}
	return a.RowsAffected() + b.RowsAffected(), nil
}
