package workflow

import "context"

type partitionKey struct{}

// WithPartition returns a copy of ctx that makes Engine.Start put the run in partition key of
// its queue: engines that support partitioned queues (the DBOS adapter) apply their
// per-partition concurrency cap to it (the analyses queue is partitioned by account, so one
// account's bulk batch cannot take every slot). Engines without partitions ignore it; an empty
// key means none.
func WithPartition(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, partitionKey{}, key)
}

// PartitionFrom returns the partition key carried by ctx, or "".
func PartitionFrom(ctx context.Context) string {
	k, _ := ctx.Value(partitionKey{}).(string)
	return k
}
