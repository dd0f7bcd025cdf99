package stages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/bert/tokenizer"
	"github.com/bertbatch/bertbatch/embed"
	"github.com/bertbatch/bertbatch/hub"
	"github.com/bertbatch/bertbatch/jobs"
	"github.com/bertbatch/bertbatch/mlx"
)

// loaded is the model of a job: resolved once, loaded once, shared by every worker. It is opened
// through package embed, the one way to open a model; the job's workers call the engine directly,
// so the facade starts no worker of its own and closing the engine frees everything.
type loaded struct {
	snap      *embed.Snapshot
	model     *bert.Model
	tokenizer tokenizer.Tokenizer // nil unless the job reads text
	prompt    string              // prepended to every text (input.prompt_name, input.prompt or the model's default)
	commit    string              // Hub commit, or "sha256:…" of a local folder's files
	device    mlx.DeviceType
}

// loadModel resolves the job's model reference and loads it.
func loadModel(ctx context.Context, job *jobs.Job, hubOpts hub.Options, logf func(string, ...any)) (*loaded, error) {
	if hubOpts.Logf == nil {
		hubOpts.Logf = logf
	}
	dtype, err := mlx.ParseDtype(string(job.Model.DType))
	if err != nil {
		return nil, err
	}
	device, err := mlx.ParseDevice(string(job.Model.Device))
	if err != nil {
		return nil, err
	}
	head, err := bert.ParseHead(string(job.Model.Head))
	if err != nil {
		return nil, err
	}
	em, err := embed.Open(ctx, job.Model.Ref, embed.WithHubOptions(hubOpts),
		embed.WithRevision(job.Model.Revision), embed.WithCacheDir(job.Model.CacheDir),
		embed.WithOffline(hubOpts.Offline || job.Model.Offline),
		embed.WithDType(dtype), embed.WithDevice(device), embed.WithHead(head),
		embed.WithWarnings(func(s string) { logf("warning: %s", s) }))
	if err != nil {
		if !job.Model.IsLocal() && !job.Model.IsRemote() && ctx.Err() == nil {
			return nil, fmt.Errorf("%w (a folder in model.ref is relative to the job file)", err)
		}
		return nil, err
	}
	m, snap := em.Engine(), em.Snapshot()
	in := job.Input
	if !m.UsesTokenTypes() && (in.TextPairColumn != "" || (in.TextColumn == "" && in.TokenTypeIDsColumn != "")) {
		logf("model %s (%s) has no token type embedding: token_type_ids are ignored, as in transformers", job.Model.Ref, m.Config.Arch)
	}
	if ok, why := m.PacksWhy(device); !ok {
		logf("batches run padded: %s", why)
	}
	l := &loaded{snap: snap, model: m, commit: snap.Commit, device: device}
	if job.Input.TextColumn != "" {
		if l.tokenizer, err = em.Tokenizer(); err != nil {
			em.Close()
			return nil, err
		}
		if l.prompt, err = jobPrompt(job, m, logf); err != nil {
			m.Close()
			return nil, err
		}
	}
	if l.commit == "" {
		if l.commit, err = folderHash(snap.Dir, snap.Files); err != nil {
			em.Close()
			return nil, err
		}
	}
	return l, nil
}

// jobPrompt is the prompt a text job prepends, chosen as sentence-transformers does: input.prompt as
// written, else the model's prompt named by input.prompt_name, else the model's default prompt (for
// embeddings: a classification head runs the text as given).
func jobPrompt(job *jobs.Job, m *bert.Model, logf func(string, ...any)) (string, error) {
	in := job.Input
	var prompt, from string
	switch {
	case in.Prompt != nil:
		prompt, from = *in.Prompt, "input.prompt"
	case in.PromptName != "":
		text, err := m.Prompts.Text(in.PromptName)
		if err != nil {
			return "", fmt.Errorf("input.prompt_name: model %s: %w", job.Model.Ref, err)
		}
		prompt, from = text, fmt.Sprintf("the model's prompt %q", in.PromptName)
	case m.Prompts.Default != "" && job.Model.Head == jobs.HeadNone:
		prompt, from = m.Prompts.DefaultText(), fmt.Sprintf("the model's default prompt %q (input.prompt: \"\" turns it off)", m.Prompts.Default)
	}
	if prompt != "" {
		logf("prompt %q prepended to every text: %s", prompt, from)
	}
	return prompt, nil
}

// folderHash identifies a local model folder by the content of the files a job reads.
func folderHash(dir string, files []string) (string, error) {
	if len(files) == 0 {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return "", err
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, e.Name())
			}
		}
	}
	sort.Strings(files)
	h := sha256.New()
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return "", fmt.Errorf("hashing model folder: %w", err)
		}
		fmt.Fprintf(h, "%s\x00", name)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("hashing model folder: %w", err)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// maxLength is the job's max_length, or the model's own (max_seq_length, the tokenizer's
// limit, the position table), whichever is smallest when the job leaves it at 0.
func (l *loaded) maxLength(job *jobs.Job) (int, error) {
	limit := l.model.MaxLength
	if l.tokenizer != nil && l.tokenizer.MaxLength() > 0 {
		limit = min(limit, l.tokenizer.MaxLength())
	}
	n := job.Batching.MaxLength
	if n == 0 {
		return limit, nil
	}
	if n > l.model.Config.MaxSequenceLength() {
		return 0, fmt.Errorf("batching.max_length %d is longer than the model's %d positions", n, l.model.Config.MaxSequenceLength())
	}
	return n, nil
}
