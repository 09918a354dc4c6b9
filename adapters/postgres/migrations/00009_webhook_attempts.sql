-- Webhook processing attempts (issue 7): an event whose processing run failed can be processed
-- again by a new run. Each run is one attempt; attempts counts them, so the latest attempt's run
-- id is known: "stripe:<event id>" for the first (the id every run had before this column), and
-- "stripe:<event id>:<n>" for attempt n > 1 (billing.EventAttemptWorkflowID). The webhook
-- intake and `oslira webhooks retry` raise it, under the row's lock, in the transaction that
-- starts the new run, so concurrent redeliveries start one new attempt.

-- +goose Up

alter table public.webhook_events
  add column attempts integer not null default 1
    constraint webhook_events_attempts_positive check (attempts >= 1);

comment on column public.webhook_events.attempts is
  'processing attempts started; the latest run is stripe:<id> (1) or stripe:<id>:<attempts>';

-- +goose Down

alter table public.webhook_events drop column attempts;
