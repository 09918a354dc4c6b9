package logctx

import (
	"context"
	"testing"
)

func TestContextValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if WithRequestID(ctx, "") != ctx || WithUser(ctx, "", "") != ctx {
		t.Error("empty values must leave the context unchanged")
	}
	ctx = WithRequestID(ctx, "r1")
	ctx = WithUser(ctx, "u1", "")
	if RequestID(ctx) != "r1" {
		t.Errorf("RequestID = %q", RequestID(ctx))
	}
	if u, a := User(ctx); u != "u1" || a != "" {
		t.Errorf("User = %q, %q", u, a)
	}
	if RequestID(context.Background()) != "" {
		t.Error("request id from an empty context")
	}
}
