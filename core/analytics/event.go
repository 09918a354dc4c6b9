package analytics

import "time"

// Event is one HTTP request as analytics sees it. Zero values mean "unknown" or "none" and are
// stored as NULL (identifiers, analysis type, IP hash) or 0 (cost, credits).
type Event struct {
	// OccurredAt is when the request arrived (its partition: the UTC month of this instant).
	OccurredAt time.Time
	// RequestID is the X-Request-ID the request was answered with.
	RequestID string
	Method    string
	// Route is the route template ("/v1/analyses/:id"), never the raw path, or "unmatched".
	Route  string
	Status int
	// Latency is the time from the request's arrival to its final status.
	Latency time.Duration
	// UserID and AccountID are the authenticated caller's, "" for a public or refused request.
	UserID    string
	AccountID string
	// AnalysisType is the analysis the request submitted ("light", "deep", "xray"), if any.
	AnalysisType string
	// AICostMicros is the AI cost the request itself incurred, in micro-dollars (the cost of an
	// analysis run in the background is the operations record's, not the request's).
	AICostMicros int64
	// CreditsUsed is what the request debited.
	CreditsUsed int64
	// ClientIPHash identifies a client without storing its address: a salted hash, never the IP.
	ClientIPHash string
}
