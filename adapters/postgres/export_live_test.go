package postgres

import "time"

// Test-only knobs of the live adapters (this file compiles only into the package's tests).

// SetLiveGapGrace sets how long s waits for a missing event ID.
func SetLiveGapGrace(s *LiveSource, d time.Duration) { s.grace = d }

// SetListenerBackoff sets l's reconnection backoff.
func SetListenerBackoff(l *Listener, lo, hi time.Duration) { l.min, l.max = lo, hi }
