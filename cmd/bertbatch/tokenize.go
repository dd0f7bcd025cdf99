package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/bertbatch/bertbatch/bert/autotokenizer"
	"github.com/bertbatch/bertbatch/bert/tokenizer"
	"github.com/bertbatch/bertbatch/embed"
	"github.com/bertbatch/bertbatch/hub"
)

func init() {
	register(&command{
		name:    "tokenize",
		summary: "print the token ids a model is fed for JSON Lines texts ({\"text\", \"text_pair\"}) on stdin",
		run:     runTokenize,
	})
}

// tokenizeChunk is how many lines are tokenized together (in parallel) before their output is written.
const tokenizeChunk = 2048

// runTokenize reads {"text": ..., "text_pair": ...} lines and writes one
// {"input_ids": [...], "token_type_ids": [...]} line for each, in order.
func runTokenize(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "model folder holding tokenizer.json (WordPiece, Unigram or BPE), or vocab.txt and tokenizer_config.json (required)")
	maxLength := fs.Int("max-length", 0, "truncate to at most N ids, special tokens included (0: the model's own limit)")
	input := fs.String("input", "-", "JSON Lines file to read; - for standard input")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch tokenize --model DIR [--max-length N] [--input FILE] < texts.jsonl")
		fmt.Fprintln(stderr, "\nEach input line is {\"text\": \"...\"} or {\"text\": \"...\", \"text_pair\": \"...\"}; blank lines are skipped.")
		fmt.Fprintln(stderr, "Each output line is {\"input_ids\": [...], \"token_type_ids\": [...]}; the attention mask is all ones.")
		fmt.Fprintln(stderr, "Exit status 0 on success, 1 when the model or an input line is bad, 2 on bad usage.")
		fs.PrintDefaults()
	}
	extra, code, ok := parseOperands(fs, args, anyCount)
	if !ok {
		return code
	}
	if *model == "" || len(extra) > 0 || *maxLength < 0 {
		fmt.Fprintln(stderr, "bertbatch tokenize: need --model, no positional arguments, and --max-length >= 0")
		fs.Usage()
		return exitUsage
	}
	dir, err := tokenizerDir(ctx, *model)
	if err != nil {
		fmt.Fprintf(stderr, "bertbatch tokenize: %v\n", err)
		return exitFailed
	}
	tok, err := autotokenizer.Load(dir)
	if err != nil {
		fmt.Fprintf(stderr, "bertbatch tokenize: %v\n", err)
		return exitFailed
	}
	for _, note := range tok.Info().Notes {
		fmt.Fprintf(stderr, "bertbatch tokenize: note: %s\n", note)
	}
	if err := tok.CheckMaxLength(*maxLength, false); err != nil {
		fmt.Fprintf(stderr, "bertbatch tokenize: --max-length: %v\n", err)
		return exitUsage
	}
	in, closeIn, err := openInput(*input)
	if err != nil {
		fmt.Fprintf(stderr, "bertbatch tokenize: %v\n", err)
		return exitFailed
	}
	defer closeIn()
	out := bufio.NewWriterSize(stdout, 1<<16)
	err = tokenizeLines(ctx, tok, *maxLength, in, *input, out)
	if flushErr := out.Flush(); err == nil {
		err = flushErr
	}
	if err != nil {
		fmt.Fprintf(stderr, "bertbatch tokenize: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// tokenizerDir turns --model (a local folder or a Hub id, resolved through the shared cache) into
// the folder to load.
func tokenizerDir(ctx context.Context, model string) (string, error) {
	if ref, err := hub.ParseReference(model); err == nil && ref.LocalDir != "" {
		info, err := os.Stat(ref.LocalDir)
		if err != nil {
			return "", fmt.Errorf("--model %s: %w (give a local model folder or a Hub id)", model, err)
		}
		if !info.IsDir() {
			return "", fmt.Errorf("--model %s is not a folder", model)
		}
		return ref.LocalDir, nil
	}
	snap, err := embed.Resolve(ctx, model)
	if err != nil {
		return "", fmt.Errorf("--model %s: %w", model, err)
	}
	return snap.Dir, nil
}

func openInput(path string) (io.Reader, func(), error) {
	if path == "-" {
		return os.Stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// tokenizeLines tokenizes in chunks of lines, in parallel within a chunk, and writes the output
// lines in input order. name labels the input in error messages.
func tokenizeLines(ctx context.Context, tok tokenizer.Tokenizer, maxLength int, r io.Reader, name string, w *bufio.Writer) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var inputs []tokenizer.Input
	var buf []byte
	lineNo := 0
	for {
		line, readErr := br.ReadBytes('\n')
		if len(line) > 0 {
			lineNo++
			in, skip, err := parseLine(line)
			if err != nil {
				return fmt.Errorf("%s: line %d: %w", inputName(name), lineNo, err)
			}
			if in.Pair != nil {
				if err := tok.CheckMaxLength(maxLength, true); err != nil {
					return fmt.Errorf("%s: line %d: --max-length: %w", inputName(name), lineNo, err)
				}
			}
			if !skip {
				inputs = append(inputs, in)
			}
		}
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return fmt.Errorf("%s: %w", inputName(name), readErr)
		}
		if len(inputs) == tokenizeChunk || (readErr != nil && len(inputs) > 0) {
			if err := ctx.Err(); err != nil {
				return err
			}
			for _, enc := range tok.EncodeBatch(inputs, maxLength) {
				buf = appendEncodingJSON(buf[:0], enc)
				if _, err := w.Write(buf); err != nil {
					return err
				}
			}
			inputs = inputs[:0]
		}
		if readErr != nil {
			return nil
		}
	}
}

func inputName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}

// tokenizeLine is one input line.
type tokenizeLine struct {
	Text     *string `json:"text"`
	TextPair *string `json:"text_pair"`
}

// parseLine decodes one JSON Lines row; skip is true for a blank line.
func parseLine(line []byte) (in tokenizer.Input, skip bool, err error) {
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 {
		return in, true, nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var row tokenizeLine
	if err := dec.Decode(&row); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return in, false, fmt.Errorf("field %q must be a string, not a JSON %s", typeErr.Field, typeErr.Value)
		}
		return in, false, fmt.Errorf("not a JSON object with a \"text\" string: %w", err)
	}
	if dec.More() {
		return in, false, errors.New("more than one JSON value on the line")
	}
	if row.Text == nil {
		return in, false, errors.New(`no "text" field (each line is {"text": "...", "text_pair": "..."}, text_pair optional)`)
	}
	return tokenizer.Input{Text: *row.Text, Pair: row.TextPair}, false, nil
}

// appendEncodingJSON appends {"input_ids":[...],"token_type_ids":[...]} and a newline.
func appendEncodingJSON(buf []byte, enc tokenizer.Encoding) []byte {
	buf = append(buf, `{"input_ids":[`...)
	buf = appendInts(buf, enc.InputIDs)
	buf = append(buf, `],"token_type_ids":[`...)
	buf = appendInts(buf, enc.TokenTypeIDs)
	return append(buf, "]}\n"...)
}

func appendInts(buf []byte, ids []int32) []byte {
	for i, id := range ids {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, int64(id), 10)
	}
	return buf
}
