package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/bert/autotokenizer"
	"github.com/bertbatch/bertbatch/bert/checkpoint"
	"github.com/bertbatch/bertbatch/bert/tokenizer"
	"github.com/bertbatch/bertbatch/embed"
	"github.com/bertbatch/bertbatch/io/dataset"
	"github.com/bertbatch/bertbatch/io/inputfile"
	"github.com/bertbatch/bertbatch/io/objstore"
)

func init() {
	register(&command{name: "inspect", summary: "describe a model (config, parameters, files) or a dataset (schema, rows)", run: runInspect})
}

func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	revision := fs.String("revision", "", "Hub revision of a model")
	cacheDir := fs.String("cache-dir", "", "Hugging Face cache folder")
	offline := fs.Bool("offline", false, "resolve a Hub model from the cache only")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch inspect [--revision R] [--cache-dir D] [--offline] <model | dataset path or glob>")
		fs.PrintDefaults()
	}
	targets, code, ok := parseOperands(fs, args, 1)
	if !ok {
		return code
	}
	target := targets[0]
	var err error
	if looksLikeDataset(target) {
		err = inspectDataset(target, stdout)
	} else {
		err = inspectModel(ctx, target, stdout, stderr, embed.WithRevision(*revision), embed.WithCacheDir(*cacheDir), embed.WithOffline(*offline))
	}
	if err != nil {
		fmt.Fprintln(stderr, "bertbatch inspect:", err)
		return exitFailed
	}
	return exitOK
}

// looksLikeDataset: a data file, a glob, or a folder (or object-storage prefix) without config.json.
func looksLikeDataset(p string) bool {
	if objstore.IsRemote(p) {
		return remoteLooksLikeDataset(p)
	}
	if strings.ContainsAny(p, "*?[") {
		return true
	}
	if _, err := dataset.FormatOf(p); err == nil {
		return true
	}
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() {
		return false
	}
	_, err = os.Stat(filepath.Join(p, "config.json"))
	return err != nil
}

// remoteLooksLikeDataset: an object-storage location is a dataset unless it is a prefix holding
// config.json (a model folder).
func remoteLooksLikeDataset(p string) bool {
	loc, err := objstore.Parse(p)
	if err != nil || strings.ContainsAny(loc.Prefix, "*?[") {
		return true
	}
	if _, err := dataset.FormatOf(loc.Prefix); err == nil {
		return true
	}
	_, err = inputfile.Stat(inputfile.ObjectPath(loc, path.Join(loc.Prefix, "config.json")))
	return err != nil
}

func inspectDataset(p string, w io.Writer) error {
	files, err := dataset.Discover([]string{p}, dataset.FormatAuto)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "files: %d\n", len(files))
	var total int64
	var first *arrow.Schema
	for _, f := range files {
		schema, rows, err := dataset.FileSchema(f)
		if err != nil {
			return err
		}
		if first == nil {
			first = schema
		}
		rowText := "rows unknown until read"
		if rows >= 0 && total >= 0 {
			total += rows
			rowText = fmt.Sprintf("%d rows", rows)
		} else {
			total = -1
		}
		fmt.Fprintf(w, "  %s (%s, %d bytes, %s)\n", f.Path, f.Format, f.Size, rowText)
		if !schema.Equal(first) {
			fmt.Fprintf(w, "    schema differs from the first file's: %s\n", schema)
		}
	}
	if total >= 0 {
		fmt.Fprintf(w, "rows: %d\n", total)
	}
	fmt.Fprintln(w, "schema (first file):")
	for _, f := range first.Fields() {
		fmt.Fprintf(w, "  %s: %s\n", f.Name, f.Type)
	}
	return nil
}

func inspectModel(ctx context.Context, ref string, w, stderr io.Writer, opts ...embed.Option) error {
	opts = append(opts, embed.WithWarnings(func(s string) { fmt.Fprintln(stderr, s) }))
	snap, err := embed.Resolve(ctx, ref, opts...)
	if err != nil {
		return err
	}
	cfg, err := bert.LoadConfig(filepath.Join(snap.Dir, "config.json"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "model: %s\nfolder: %s\n", ref, snap.Dir)
	if snap.Commit != "" {
		fmt.Fprintf(w, "commit: %s\n", snap.Commit)
	}
	fmt.Fprintf(w, "architecture: %s\nhidden size %d, %d layers, %d heads, intermediate %d, vocabulary %d, positions %d, activation %s\n",
		cfg.Arch, cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize, cfg.VocabSize, cfg.MaxPositionEmbeddings, cfg.HiddenAct)
	fmt.Fprintf(w, "inputs: %s\n", strings.Join(cfg.Traits(), "; "))
	if len(cfg.ID2Label) > 0 {
		ids := make([]int, 0, len(cfg.ID2Label))
		for id := range cfg.ID2Label {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		var labels []string
		for _, id := range ids {
			labels = append(labels, fmt.Sprintf("%d=%s", id, cfg.ID2Label[id]))
		}
		fmt.Fprintf(w, "labels: %s (problem_type %q)\n", strings.Join(labels, ", "), cfg.ProblemType)
	}
	ck, err := checkpoint.LoadDir(snap.Dir, func(s string) { fmt.Fprintln(stderr, "warning:", s) })
	if err != nil {
		return err
	}
	params, dtypes := 0, map[checkpoint.DType]int{}
	for _, t := range ck.Tensors {
		params += t.NumElements()
		dtypes[t.DType] += t.NumElements()
	}
	fmt.Fprintf(w, "weights: %s, %d tensors, %.1fM parameters", ck.Format, len(ck.Tensors), float64(params)/1e6)
	for dt, n := range dtypes {
		fmt.Fprintf(w, ", %s %.1fM", dt, float64(n)/1e6)
	}
	fmt.Fprintln(w)
	describeTokenizer(w, snap.Dir)
	if err := describeSentenceTransformers(w, snap.Dir); err != nil {
		return err
	}
	fmt.Fprintln(w, "files:")
	for _, f := range snap.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	return nil
}

// describeTokenizer prints the kind and the pipeline of the model's tokenizer. A model without
// one, or with one bertbatch cannot read, is still described: it can embed token id columns.
func describeTokenizer(w io.Writer, dir string) {
	tok, err := autotokenizer.Load(dir)
	switch {
	case errors.Is(err, tokenizer.ErrNoTokenizer):
		fmt.Fprintln(w, "tokenizer: none (jobs must give token id columns)")
		return
	case err != nil:
		fmt.Fprintf(w, "tokenizer: cannot be used: %v\n", err)
		return
	}
	info := tok.Info()
	limit := "no limit"
	if info.MaxLength > 0 {
		limit = fmt.Sprintf("max length %d (%s)", info.MaxLength, info.MaxLengthFrom)
	}
	fmt.Fprintf(w, "tokenizer: %s, vocabulary %d, %s\n", info.Kind, tok.VocabSize(), limit)
	for _, c := range info.Components {
		fmt.Fprintf(w, "  %s\n", c)
	}
}

// describeSentenceTransformers prints the model's sentence-transformers pooling and its prompts, the
// names a job's input.prompt_name may give.
func describeSentenceTransformers(w io.Writer, dir string) error {
	pc, err := bert.LoadPooling(dir)
	if err != nil {
		return err
	}
	if pc != nil {
		modes := make([]string, len(pc.Modes))
		for i, m := range pc.Modes {
			modes[i] = string(m)
		}
		line := "pooling: " + strings.Join(modes, " + ")
		if pc.Normalize {
			line += ", normalized"
		}
		if !pc.IncludePrompt {
			line += ", prompt tokens left out (include_prompt false)"
		}
		fmt.Fprintln(w, line)
	}
	prompts, err := bert.LoadPrompts(dir)
	if err != nil {
		return err
	}
	names := prompts.Names()
	if len(names) == 0 {
		fmt.Fprintln(w, "prompts: none")
		return nil
	}
	def := "no default"
	if prompts.Default != "" {
		def = fmt.Sprintf("default %s", prompts.Default)
	}
	fmt.Fprintf(w, "prompts (input.prompt_name; %s):\n", def)
	for _, name := range names {
		fmt.Fprintf(w, "  %s: %q\n", name, prompts.Texts[name])
	}
	return nil
}
