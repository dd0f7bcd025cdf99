// Package wordpiece is a BERT WordPiece tokenizer that gives the same ids as Hugging Face
// tokenizers (0.23.3) for BERT-family models: BertNormalizer, BertPreTokenizer, WordPiece,
// TemplateProcessing, BertProcessing or RobertaProcessing, and longest_first truncation. It is
// pure Go and implements bert/tokenizer's Tokenizer.
//
// Load reads a model folder: tokenizer.json when present, else vocab.txt with
// tokenizer_config.json; sentence_bert_config.json adds sentence-transformers' max_seq_length
// and do_lower_case. A file that asks for anything else (another model, normalizer or
// pre-tokenizer, only_first truncation, ...) is refused with an *UnsupportedError;
// bert/autotokenizer picks the package of the file's model type. The post-processor, added
// tokens and truncation are bert/tokenizer's, shared with the other models.
//
// Invariants:
//   - A Tokenizer is immutable after Load; Encode and EncodeBatch may be called from any number
//     of goroutines at once.
//   - Encode never fails and never panics, whatever the input bytes (invalid UTF-8 is read as
//     U+FFFD, as Go's range loop reads it).
//   - Every id is in [0, VocabSize()).
//   - With a limit in force (maxLength > 0, or the tokenizer's own MaxLength) and a limit of at
//     least SpecialTokens(pair), len(InputIDs) never exceeds it.
//   - Ids are never padded: the attention mask is all ones over InputIDs; PadID is for the caller.
//
// Where Go's Unicode tables (15.0) and those tokenizers was built with (categories of
// Unicode 8.0, NFD of 9.0, lowercase of 17.0) differ, bert/tokenizer/hfchar carries the
// difference, derived from a per-code-point dump of the reference (testdata/gen_unicode.py).
package wordpiece
