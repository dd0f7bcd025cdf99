// Package autotokenizer opens the tokenizer of a model folder, whatever its model type: it
// reads tokenizer.json's model.type and hands the file to the package registered for it.
// Adding a model type means adding its package and one line to models.
package autotokenizer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bertbatch/bertbatch/bert/bpe"
	"github.com/bertbatch/bertbatch/bert/tokenizer"
	"github.com/bertbatch/bertbatch/bert/unigram"
	"github.com/bertbatch/bertbatch/bert/wordpiece"
)

// loader builds a tokenizer from a tokenizer.json read from the folder dir.
type loader func(dir string, f *tokenizer.File) (tokenizer.Tokenizer, error)

// models maps tokenizer.json's model.type to the package that implements it.
var models = map[string]loader{
	"WordPiece": loadWordPiece,
	"Unigram":   unigram.Load,
	"BPE":       bpe.Load,
}

// Types lists the supported model types, sorted.
func Types() []string {
	out := make([]string, 0, len(models))
	for t := range models {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Load reads the tokenizer of a model folder: tokenizer.json when present, else vocab.txt with
// tokenizer_config.json (a BERT WordPiece tokenizer, as transformers builds it). The configs
// beside them (sentence_bert_config.json, tokenizer_config.json) set the length limit.
func Load(dir string) (tokenizer.Tokenizer, error) {
	path := filepath.Join(dir, "tokenizer.json")
	_, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nilIfErr(wordpiece.Load(dir)) // vocab.txt, or ErrNoTokenizer
	case err != nil:
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	f, err := tokenizer.ReadFile(path)
	if err != nil {
		return nil, err
	}
	typ, err := f.ModelType()
	if err != nil {
		return nil, err
	}
	load, ok := models[typ]
	if !ok {
		return nil, fmt.Errorf("%w (bertbatch reads %s models)", &tokenizer.UnsupportedError{File: path, Field: "model.type", Value: typ},
			strings.Join(Types(), ", "))
	}
	return load(dir, f)
}

// loadWordPiece reads a WordPiece tokenizer with bert/wordpiece's BERT pipeline (its own fast
// normalizer and pre-tokenizer) when the file's components are BERT's, else with the WordPiece
// model inside bert/tokenizer's pipeline of the file's components.
func loadWordPiece(dir string, f *tokenizer.File) (tokenizer.Tokenizer, error) {
	tok, err := wordpiece.LoadFile(dir, f)
	var unsupported *tokenizer.UnsupportedError
	if err == nil || !errors.As(err, &unsupported) ||
		!(strings.HasPrefix(unsupported.Field, "normalizer") || strings.HasPrefix(unsupported.Field, "pre_tokenizer")) {
		return nilIfErr(tok, err)
	}
	m, err := wordpiece.ReadModel(f)
	if err != nil {
		return nil, err
	}
	return tokenizer.Load(dir, f, "WordPiece", m)
}

// nilIfErr keeps a failed load from returning a non-nil interface holding a nil pointer.
func nilIfErr(t *wordpiece.Tokenizer, err error) (tokenizer.Tokenizer, error) {
	if err != nil {
		return nil, err
	}
	return t, nil
}
