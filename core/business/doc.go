// Package business is what a customer tells Oslira about their own business, and what the
// analyses score leads against: the business profile (name, one-liner, summary, audience, tone,
// selling points, outreach goals) and its ideal customer profile (ICP: follower range, minimum
// engagement rate, content themes, niches, geography, company sizes).
//
// It holds the entity and its validation (field errors named as the API's JSON fields), the
// merge-patch rules of an edit (absent keeps, null clears, a value replaces), the pure ICP
// matcher the analyses use as a pre-check (MatchICP), the use cases over the Store port
// (create, get, list with counts and cursor pages, edit, soft delete), and onboarding: a durable
// workflow that has the model write the one-liner and the four-sentence summary (ContextWriter
// port) and saves them.
//
// Compared with the original: the minimum engagement rate is a fraction from 0 to 1 everywhere
// (the original mixed percents and fractions), the follower range is validated (min ≤ max), and
// the ICP is matched by code, not only pasted into prompts.
package business
