package metrics

import "github.com/prometheus/client_golang/prometheus"

// The workflow instruments, fed by an adapters/dbos Executor (the Metrics value is its Observer):
//
//	workflow_runs_started_total{definition}        a body began (recoveries included)
//	workflow_runs_finished_total{definition,state} succeeded | failed | cancelled | interrupted
//	workflow_step_retries_total{definition,step}   a step attempt failed and is retried
func (m *Metrics) registerWorkflow() {
	m.runsStarted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "workflow_runs_started_total",
		Help: "Workflow run bodies begun in this process, by definition (re-executions after a recovery included).",
	}, []string{"definition"})
	m.runsFinished = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "workflow_runs_finished_total",
		Help: "Workflow run bodies ended in this process, by definition and resulting state (succeeded, failed, cancelled, interrupted).",
	}, []string{"definition", "state"})
	m.stepRetries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "workflow_step_retries_total",
		Help: "Workflow step attempts that failed and were retried, by definition and step.",
	}, []string{"definition", "step"})
	m.reg.MustRegister(m.runsStarted, m.runsFinished, m.stepRetries)
}

// RunStarted implements dbos.Observer.
func (m *Metrics) RunStarted(definition string) { m.runsStarted.WithLabelValues(definition).Inc() }

// RunFinished implements dbos.Observer.
func (m *Metrics) RunFinished(definition, state string) {
	m.runsFinished.WithLabelValues(definition, state).Inc()
}

// StepRetried implements dbos.Observer.
func (m *Metrics) StepRetried(definition, step string) {
	m.stepRetries.WithLabelValues(definition, step).Inc()
}
