// Package credit is the money of the product: an account's balance of analysis credits, the
// append-only ledger that is the only way to change it, what each analysis costs, and what packs
// of credits cost in cents. All arithmetic is in integers; there are no floats anywhere near money.
package credit
