package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/bertbatch/bertbatch/embed"
	"github.com/bertbatch/bertbatch/io/objstore"
)

func init() {
	register(&command{
		name:    "pull",
		summary: "fetch a model's files from the Hugging Face Hub or object storage into the cache (for offline and cron runs)",
		run:     runPull,
	})
}

// runPull resolves one model reference (Hub id or local folder) and prints the resolved commit, the
// folder and the files a job will read. Flags may come before or after the model.
func runPull(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pull", flag.ContinueOnError)
	fs.SetOutput(stderr)
	revision := fs.String("revision", "", "branch, tag or 40-hex commit (default main)")
	cacheDir := fs.String("cache-dir", "", "Hub cache folder (default: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub)")
	offline := fs.Bool("offline", false, "use the cache only and send no request (also set by HF_HUB_OFFLINE=1)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch pull <model> [--revision R] [--cache-dir D] [--offline]")
		fmt.Fprintln(stderr, "\n<model> is a Hub id (namespace/name), a local folder (./path, /path, ~/path) or an object-storage")
		fmt.Fprintln(stderr, "folder (s3://bucket/prefix, gs://…, azblob://…: its files are copied into the cache once per version).")
		fmt.Fprintln(stderr, "The endpoint comes from HF_ENDPOINT, the token from HF_TOKEN or the huggingface token file.")
		fmt.Fprintln(stderr, "Exit status 0 when the model is ready, 1 when it could not be fetched, 2 on bad usage.")
		fs.PrintDefaults()
	}
	refs, code, ok := parseOperands(fs, args, anyCount)
	if !ok {
		return code
	}
	if len(refs) != 1 {
		fmt.Fprintf(stderr, "bertbatch pull: want exactly one model, got %d\n", len(refs))
		fs.Usage()
		return exitUsage
	}
	snap, err := embed.Resolve(ctx, refs[0], embed.WithRevision(*revision), embed.WithCacheDir(*cacheDir),
		embed.WithOffline(*offline), embed.WithWarnings(func(s string) {
			fmt.Fprintf(stderr, "bertbatch pull: warning: %s\n", s)
		}))
	if err != nil {
		fmt.Fprintf(stderr, "bertbatch pull: %v\n", err)
		if errors.Is(err, embed.ErrInvalidReference) {
			return exitUsage
		}
		return exitFailed
	}
	printSnapshot(stdout, snap)
	return exitOK
}

func printSnapshot(w io.Writer, snap *embed.Snapshot) {
	switch {
	case snap.RepoID != "":
		fmt.Fprintf(w, "model     %s\nrevision  %s\ncommit    %s\n", snap.RepoID, snap.Revision, snap.Commit)
	case objstore.IsRemote(snap.Ref):
		fmt.Fprintf(w, "model     %s (copied from object storage)\n", snap.Ref)
	default:
		fmt.Fprintf(w, "model     %s (local folder)\n", snap.Ref)
	}
	fmt.Fprintf(w, "folder    %s\nfiles     %d\n", snap.Dir, len(snap.Files))
	for _, f := range snap.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
}
