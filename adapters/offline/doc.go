// Package offline is the deterministic language model of the embedded default and of tests: an
// ai.Provider (name "offline", model "offline", free) that answers any schema of contracts/ai
// without a network, from the structured inputs of the call (ai.Facts: the profile, its metrics,
// the business and its ICP).
//
// It walks the requested JSON Schema and fills every property: fields the product knows (score,
// summary, lead_tier, strengths, niche, budget_tier, one_liner, …) from a fit assessment of the
// facts — follower range and minimum engagement of the ICP, niche and theme overlap, posting
// activity, account type — and any other field with plain text about the subject, honouring
// types, enums, numeric bounds, item counts and length patterns. The same call always gets the
// same answer; different facts get different answers. It never replaces a real provider in
// production configuration: the host selects it only when no API key is configured.
package offline
