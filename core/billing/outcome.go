package billing

// Result says what processing an event did.
type Result string

// Results of Processor.Handle.
const (
	ResultGranted     Result = "granted"      // credits were added (purchase or subscription grant)
	ResultChargedBack Result = "charged_back" // credits were taken for a refund
	ResultUpdated     Result = "updated"      // the subscription changed (and nothing was granted)
	ResultStale       Result = "stale"        // an out-of-order subscription change was not applied
	ResultIgnored     Result = "ignored"      // nothing to do: unknown type, unpaid, no account, …
)

// Outcome is the result of processing one event. It is stored with the event record.
type Outcome struct {
	Result    Result `json:"result"`
	Detail    string `json:"detail"`     // short, human-readable: why, or what was granted
	AccountID string `json:"account_id"` // the account the event concerned, "" when none was found
	// Credits is the signed ledger delta of the event's entry: positive for a grant, negative
	// (or zero, at a zero balance) for a chargeback. On a replay it is the delta the first run
	// wrote when the ledger reports it, and 0 when the event record already said processed.
	Credits int64 `json:"credits"`
	// Replay is true when this call changed nothing because an earlier run (or a concurrent
	// one) already had: the event was marked processed, or the ledger entry existed.
	Replay bool `json:"replay"`
}
