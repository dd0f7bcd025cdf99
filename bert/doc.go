// Package bert loads BERT-family checkpoints (BERT and the models built on it — MiniLM, BGE, E5 —,
// DistilBERT, RoBERTa, XLM-RoBERTa, MPNet, ModernBERT and Jina embeddings v3) from a model folder
// and runs them through MLX, with outputs that match Hugging Face transformers and
// sentence-transformers.
//
// A Model holds its weights once, evaluated after loading, and is shared by every worker. Each
// worker runs Forward, Embed or Classify inside its own mlx.Scope, on the OS thread that owns the
// scope's stream (see package mlx). Nothing falls back silently: a missing field, tensor or file
// is an error that names it; random weights are used only when Options.RandomInit asks for them.
package bert
