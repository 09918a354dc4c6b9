// Package cron is the scheduling host (`oslira cron`, or part of `oslira serve`): it runs the
// maintenance jobs of core/maintenance on their schedules, with exactly one runner across all
// processes.
//
// # One runner: a scheduler under a PostgreSQL advisory lock
//
// Every cron process runs a Scheduler. On each tick (Config.Tick) it asks the leader lock — a
// session-level advisory lock held on a connection of its own (postgres.LeaderLock) — whether
// it leads. Only the leader runs jobs; followers try again on their next tick. The leader's lock
// lives as long as its session: when the process dies or its connection is dropped, the server
// releases the lock and a follower takes over within a tick. A leader that finds its session
// gone cancels the jobs it is running.
//
// Leadership alone does not make a period run once (a deposed leader may still be finishing a
// job when the new one starts, and a process may die after a job's effects and before it is
// recorded). Two more layers do: the run log (table cron_runs, unique per job and period) grants
// each period to one run at a time and records its outcome, so a restart never runs a finished
// period again and a period missed while no process ran is run once on start; and every job is
// idempotent on its own (see core/maintenance).
//
// Why not DBOS schedules: they would give the same exactly-once-per-tick start through DBOS's
// database, but they cannot target our engine-neutral definitions directly (workflow-engines.md
// pitfall 18: a dispatcher workflow is needed), need a seconds field in their cron syntax
// (pitfall 21), and would tie scheduling to launched DBOS executors (the cron host only holds a
// client). The lock-and-run-log scheduler is a hundred lines over PostgreSQL alone, is tested by
// killing a connection, and keeps the jobs plain functions over ports.
//
// # Jobs (NewJobs)
//
//   - janitor (every 30 s): dbos.Janitor.RunOnce, which moves runs away from dead executors;
//   - reaper (every 10 min): re-starts the processing of webhook events stored over an hour ago
//     and still unprocessed (maintenance.WebhookSweeper); the analysis reaper joins it later;
//   - free-grant (monthly, day Config.FreeGrantDay): the free plan's monthly credits;
//   - retention (daily 02:00 UTC): processed webhook events and cron runs past their age;
//   - workflow-retention (daily 02:30 UTC): finished workflow runs past Config.WorkflowRetentionDays.
//
// A failed run of a period is retried Config.RetryAfter later, as long as the period lasts.
package cron
