package worker

import "go.uber.org/fx"

// Module runs the worker Runner for the application's lifetime. It needs a *slog.Logger.
var Module = fx.Module("worker",
	fx.Provide(NewRunner),
	fx.Invoke(func(lc fx.Lifecycle, r *Runner) {
		lc.Append(fx.StartStopHook(r.Start, r.Stop))
	}),
)
