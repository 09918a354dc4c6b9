package ai

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// cacheKeyVersion changes when the key's composition does, so old entries are never misread.
const cacheKeyVersion = "oslira-llm-cache-v1"

// CacheKey is the response cache's key of a call: the hex SHA-256 of provider, model, system
// prompt, user prompt, schema name and schema document, each length-prefixed so no two
// different calls can produce the same byte stream. The token budget and the reasoning effort
// are not part of it: they change how an answer is produced, not which answer is right.
func CacheKey(provider, model, system, user string, s Schema) string {
	h := sha256.New()
	var n [8]byte
	write := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, f := range []string{cacheKeyVersion, provider, model, system, user, s.Name} {
		write([]byte(f))
	}
	write(s.JSON)
	return hex.EncodeToString(h.Sum(nil))
}
