// Package dbos implements the workflow port (core/workflow) on DBOS Transact Go v1.8.0, in
// schema "dbos" of the application's PostgreSQL database.
//
// Roles. A process either drives workflows or runs them, never both by accident:
//   - Client (http host, cron host): a DBOS client that is never launched. It enqueues, reads
//     status, cancels, resumes and lists. It needs the definitions' names and queues only.
//   - Executor (worker, serve): a launched DBOS context that registers every definition and
//     its queue, recovers the runs its executor id left pending, polls the queues, and writes a
//     heartbeat. Every executor must be given every definition: DBOS makes each launched process
//     consume every queue.
//
// Both work on their own small pool cloned from the application's (same database and
// credentials, see ownPool), because DBOS's Shutdown closes the pool it runs on.
//
// Schema. Migrate (from `oslira migrate`, after postgres.Migrate) creates DBOS's tables and the
// adapter's two (oslira_executors for heartbeats, oslira_janitor for resume counts) under an
// advisory lock; hosts start with SkipMigrations and fail when the schema is behind.
//
// Identity. Config.ApplicationVersion is explicit (DBOS would hash the binary, stranding every
// pending run at each deploy); bump it only when a change makes in-flight runs unsafe to
// continue (reordered or renamed steps under the same definition name — prefer a new definition
// name for that), and move stragglers with Cancel + Resume on an executor of the new version,
// or let them drain on an old one. Config.ExecutorID must be unique among live processes and
// stable across restarts (default "<hostname>-<role>"; set it when several workers share a
// host). The DBOS__VMID and DBOS__APPVERSION environment overrides are refused.
//
// Steps. A workflow.Run's Step is one DBOS step with DBOS's retries at zero: attempts, backoff,
// Retry-After, per-attempt timeout and panics are handled by workflow.Retrier, exactly as in
// workflowtest. The step records its output or its error as a *workflow.Error, registered with
// encoding/gob, so permanence, kind and code survive the database.
//
// Transactions. Engine.Start joins a pgx.Tx or *sql.Tx carried by the context
// (workflow.WithTx) through DBOS's WithEnqueueTransaction: the run exists only if the caller
// commits. The transaction must be on the same database and able to write schema "dbos" (the
// admin scope; the RLS user scope cannot).
//
// Recovery. A restarted executor (same id, same version) recovers its own pending runs at
// launch. Runs of an executor that does not come back are moved by the Janitor, which the cron
// host runs periodically.
package dbos
