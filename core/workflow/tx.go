package workflow

import "context"

type txKey struct{}

// WithTx returns a copy of ctx carrying tx, the caller's open database transaction, so that an
// Engine.Start made with the returned context joins it: the run exists if and only if the
// transaction commits. This is how "store the webhook event and start its workflow" becomes one
// atomic act.
//
// tx is opaque to core. Each engine accepts the transaction types it can join — the DBOS adapter
// a pgx.Tx or *sql.Tx on the database holding its schema, workflowtest its own *Tx — and fails
// with ErrTxNotSupported for anything else rather than starting outside the transaction. The
// code that opens transactions (the postgres adapter's admin scope, glued by the host) puts them
// here; use cases never see them. A nil tx hides any transaction carried by ctx.
func WithTx(ctx context.Context, tx any) context.Context {
	return context.WithValue(ctx, txKey{}, txBox{tx})
}

// TxFrom returns the transaction carried by ctx, or nil.
func TxFrom(ctx context.Context) any {
	b, _ := ctx.Value(txKey{}).(txBox)
	return b.tx
}

// txBox lets WithTx store nil, which hides an outer transaction.
type txBox struct{ tx any }
