package account

// MaxCached exposes the cache bound to the external tests (cache_test.go).
const MaxCached = maxCached
