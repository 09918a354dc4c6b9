package dbos

import "testing"

func TestQueueConfigDefaults(t *testing.T) {
	t.Parallel()
	c := Config{ApplicationVersion: "v1", Queues: []QueueConfig{
		{Name: "capped", GlobalConcurrency: 4},
		{Name: "unbounded", WorkerConcurrency: -1},
		{Name: "set", WorkerConcurrency: 2, PollInterval: 7},
	}}.WithDefaults()
	cases := map[string]QueueConfig{
		"other":     {Name: "other", WorkerConcurrency: DefaultWorkerConcurrency, PollInterval: DefaultPollInterval},
		"capped":    {Name: "capped", WorkerConcurrency: 4, GlobalConcurrency: 4, PollInterval: DefaultPollInterval},
		"unbounded": {Name: "unbounded", PollInterval: DefaultPollInterval},
		"set":       {Name: "set", WorkerConcurrency: 2, PollInterval: 7},
	}
	for name, want := range cases {
		if got := c.queueConfig(name); got != want {
			t.Errorf("queueConfig(%q) = %+v, want %+v", name, got, want)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}
