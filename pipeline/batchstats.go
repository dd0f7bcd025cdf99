package pipeline

// BatchStats counts what a Batcher produced. Safe for concurrent reads while
// the batcher runs; the zero value is ready to use.
type BatchStats struct {
	Items        Counter // items batched
	Batches      Counter // batches emitted
	Tokens       Counter // sum of item lengths
	PaddedTokens Counter // sum of batch costs (items × padded length)
	Oversized    Counter // items longer than MaxTokens, each sent alone
	// BusyNanos is the time spent sorting sort windows and cutting them into batches, in
	// nanoseconds: the batcher's own work, not its waits for items or for its consumer.
	BusyNanos Counter
}

// PaddingRatio returns the share of padded tokens that are padding, from 0
// (none) towards 1; 0 when nothing was batched.
func (s *BatchStats) PaddingRatio() float64 {
	padded := s.PaddedTokens.Load()
	if padded == 0 {
		return 0
	}
	return float64(padded-s.Tokens.Load()) / float64(padded)
}

// recordBatch adds one batch to s; a nil s records nothing.
func recordBatch[T any](s *BatchStats, b Batch[T], maxTokens int) {
	if s == nil {
		return
	}
	s.Items.Add(int64(len(b.Items)))
	s.Batches.Add(1)
	s.Tokens.Add(int64(b.Tokens))
	s.PaddedTokens.Add(int64(b.PaddedTokens()))
	if b.PaddedLen > maxTokens {
		s.Oversized.Add(int64(len(b.Items)))
	}
}
