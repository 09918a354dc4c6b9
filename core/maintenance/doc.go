// Package maintenance holds the periodic jobs of the cron host as use cases over ports: the
// free-plan monthly grant, retention cleanup, the stale-work reaper and the retention of
// finished workflow runs. It also defines when jobs are due (Schedule, Period) and the RunLog
// port that records each period's run.
//
// # Periods and idempotency
//
// A job runs once per period of its schedule (an interval window, a UTC day, a UTC month). The
// RunLog records (job, period) so a restarted or second process does not run a period again,
// and a period that was missed while no process ran is run once, as soon as one does (only the
// current period: older missed periods are not back-filled).
//
// Every job is also idempotent on its own, because the RunLog cannot make a run exactly-once: a
// process may die after the job's effects and before the run is recorded, and a run that failed
// half-way is retried. Running a job twice in the same period changes nothing the second time:
//   - FreeGrant writes ledger entries with reference "free-grant:<YYYY-MM>", and the ledger is
//     idempotent per (account, kind, reference);
//   - Retention and WorkflowRetention delete what is older than a cutoff: a second pass finds
//     nothing left;
//   - the Reaper re-starts workflows by their fixed id (workflow.Engine.Start is idempotent by
//     id) and only when no run with that id exists.
//
// The package imports only the standard library and core.
package maintenance
