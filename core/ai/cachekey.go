package ai

// CacheKey identifies an answer in the response cache: provider, model, system prompt, user
// prompt and schema (name and document). The token budget and the reasoning effort are not part
// of it: they change how an answer is produced, not which answer is right. The cache adapter
// stores entries under a collision-resistant digest of every field (adapters/postgres: SHA-256 of
// the length-prefixed fields), which is why core never hashes it itself.
type CacheKey struct {
	Provider string
	Model    string
	System   string
	User     string
	Schema   Schema
}

// cacheKey is the key of req on route r.
func cacheKey(r Route, req Request) CacheKey {
	return CacheKey{Provider: r.Provider.Name(), Model: r.model(req.Tier), System: req.System, User: req.User, Schema: req.Schema}
}
