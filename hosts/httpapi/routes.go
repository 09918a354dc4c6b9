package httpapi

import "github.com/gin-gonic/gin"

// routes lists every route the API serves, in one screen.
//
// Every route is authenticated unless it is registered on the public group below. When a route
// is added, it goes on the authenticated group (arriving with the auth middleware) by default;
// putting it on public is a deliberate, reviewed decision.
func routes(r *gin.Engine, health *Health) {
	public := r.Group("")
	{
		public.GET("/health/live", health.Live)   // process is up
		public.GET("/health/ready", health.Ready) // critical dependencies work
		public.GET("/health", health.Full)        // per-dependency status and latency
	}
}
