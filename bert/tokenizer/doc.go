// Package tokenizer is the tokenizer contract of bertbatch and the parts every tokenizer model
// shares. A Tokenizer turns a text, or a pair of texts, into the input ids and token type ids a
// model is fed, truncated to a limit with the special tokens counted.
//
// The pipeline is the one of Hugging Face tokenizers (0.23.3), which is the spec: added tokens
// are split off first, then each remaining piece goes through the normalizer, the
// pre-tokenizer, the model (WordPiece, Unigram, BPE: each in its own package) and finally the
// post-processor adds the special tokens. Each component is chosen by its "type" in
// tokenizer.json; a type this package does not implement is a load error naming the file, the
// field and the value (*UnsupportedError).
//
// Invariants:
//   - A Tokenizer is immutable once loaded; Encode and EncodeBatch may be called from any
//     number of goroutines at once.
//   - Encode never fails and never panics, whatever the input bytes (invalid UTF-8 is read as
//     U+FFFD).
//   - Every id is in [0, VocabSize()).
//   - With a limit in force of at least SpecialTokens(pair), len(InputIDs) never exceeds it.
//   - Ids are never padded: the attention mask is all ones over InputIDs.
package tokenizer
