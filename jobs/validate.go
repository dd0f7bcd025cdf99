package jobs

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bertbatch/bertbatch/bert/outputs"
	"github.com/bertbatch/bertbatch/io/dataset"
	"github.com/bertbatch/bertbatch/io/shard"
)

// checkJob reports contradictory options (each at the field that contradicts another) and clears the fields
// that do not apply to the job's kind, so that a returned Job holds no value it will not use.
func (d *decoder) checkJob(j *Job) {
	d.job = j
	d.checkModel(&j.Model)
	d.checkInput(&j.Input)
	d.checkOutput(j)
	d.checkBatching(&j.Batching)
	d.checkFolders(j)
	if d.has(&j.Shard) {
		if err := shard.Check(j.Shard); err != nil {
			d.at(&j.Shard, "%v", err)
		}
	}
}

// path is the dotted path of the field of the job being checked that field points to (see pathOf).
func (d *decoder) path(field any) string { return pathOf(d.job, field) }

// has reports whether the file gives the field that field points to.
func (d *decoder) has(field any) bool { return d.given[d.path(field)] != nil }

// at records a problem at the value of the field that field points to (which the file gives).
func (d *decoder) at(field any, format string, args ...any) {
	p := d.path(field)
	d.problem(d.given[p], p, format, args...)
}

// atItem records a problem at entry i of the list field that list points to.
func (d *decoder) atItem(list *[]string, i int, format string, args ...any) {
	p := d.path(list)
	var n *yaml.Node
	if l := d.given[p]; l != nil && l.Kind == yaml.SequenceNode && i < len(l.Content) {
		n = resolveAlias(l.Content[i])
	}
	d.problem(n, fmt.Sprintf("%s[%d]", p, i), format, args...)
}

func (d *decoder) checkModel(m *Model) {
	if m.Ref == "" {
		return
	}
	if m.IsLocal() {
		for _, f := range []*string{&m.Revision, &m.CacheDir} {
			if d.has(f) {
				d.at(f, "applies to Hub models only, and %s is the local folder %s; remove it", d.path(&m.Ref), m.Ref)
			}
		}
		m.Revision = ""
		return
	}
	if m.IsRemote() {
		if d.has(&m.Revision) {
			d.at(&m.Revision, "applies to Hub models only, and %s is the object-storage folder %s; remove it", d.path(&m.Ref), m.Ref)
		}
		m.Revision = ""
		return
	}
	if d.has(&m.Revision) {
		if err := checkRevision(m.Revision); err != nil {
			d.at(&m.Revision, "%v", err)
		}
	}
}

// checkRevision applies the rules a Hub revision must meet before it becomes a path under the cache's refs/.
func checkRevision(rev string) error {
	switch {
	case rev == "":
		return fmt.Errorf("must not be empty; leave it out for main")
	case strings.ContainsAny(rev, " \t\r\n\\") || strings.Contains(rev, ".."):
		return fmt.Errorf("%q is not a branch, tag or commit (no spaces, backslashes or ..)", rev)
	case strings.HasPrefix(rev, "/") || strings.HasSuffix(rev, "/"):
		return fmt.Errorf("%q must not start or end with /", rev)
	}
	return nil
}

// tokenColumns points to the fields that name token columns, in the order they are read.
func tokenColumns(in *Input) []*string {
	return []*string{&in.InputIDsColumn, &in.AttentionMaskColumn, &in.TokenTypeIDsColumn}
}

func (d *decoder) checkInput(in *Input) {
	if in.TextColumn != "" {
		for _, f := range tokenColumns(in) {
			if d.has(f) {
				d.at(f, "cannot be combined with %s; read either token columns or text", d.path(&in.TextColumn))
			}
		}
		in.InputIDsColumn, in.AttentionMaskColumn, in.TokenTypeIDsColumn = "", "", ""
		if in.TextPairColumn == in.TextColumn {
			d.at(&in.TextPairColumn, "names the same column as %s; a pair needs two columns", d.path(&in.TextColumn))
		}
	} else {
		d.checkTokenInput(in)
	}
	d.checkPrompt(in)
	seen := map[string]int{}
	for i, c := range in.Passthrough {
		if first, dup := seen[c]; dup && c != "" {
			d.atItem(&in.Passthrough, i, "column %q is listed twice (first as %s[%d])", c, d.path(&in.Passthrough), first)
			continue
		}
		seen[c] = i
	}
}

// checkPrompt checks input.prompt_name and input.prompt: one or the other, for embeddings of text. Which
// names a model has is known only once it is loaded (stages refuses a name the model lacks).
func (d *decoder) checkPrompt(in *Input) {
	name, text := d.path(&in.PromptName), d.path(&in.Prompt)
	if d.has(&in.PromptName) && in.PromptName == "" {
		d.at(&in.PromptName, "must not be empty; leave it out for the model's default prompt, or write %s: \"\" for no prompt", fieldName(text))
	}
	if d.has(&in.PromptName) && d.has(&in.Prompt) {
		d.at(&in.Prompt, "cannot be combined with %s; give a prompt's name or its text, not both", name)
	}
	for _, f := range []any{&in.PromptName, &in.Prompt} {
		switch {
		case !d.has(f):
		case in.TextColumn == "":
			d.at(f, "applies to text input only (set %s)", d.path(&in.TextColumn))
		case d.job.Model.Head != HeadNone:
			d.at(f, "applies to embeddings, but %s is %s; remove it", d.path(&d.job.Model.Head), d.job.Model.Head)
		}
	}
}

// checkTokenInput checks a job that reads token ids rather than text.
func (d *decoder) checkTokenInput(in *Input) {
	text := d.path(&in.TextColumn)
	if d.has(&in.TextPairColumn) && in.TextPairColumn != "" {
		d.at(&in.TextPairColumn, "needs %s (pairs are read as text)", text)
	}
	if d.has(&in.InputIDsColumn) && in.InputIDsColumn == "" {
		d.at(&in.InputIDsColumn, "must not be empty; name the token-id column or set %s", text)
	}
	names := map[string]string{}
	for _, f := range tokenColumns(in) {
		if first, dup := names[*f]; dup && *f != "" && d.has(f) {
			d.at(f, "names the same column as %s", first)
		}
		names[*f] = d.path(f)
	}
	if f := dataset.Format(in.Format); f.Delimited() {
		d.at(&in.Format, "%s cannot hold token-id lists; set %s, or use parquet, arrow or jsonl", strings.ToUpper(string(f)), text)
		return
	}
	if in.Format != FormatAuto {
		return
	}
	for i, p := range in.Paths {
		if f, err := dataset.FormatOf(p); err == nil && f.Delimited() {
			d.atItem(&in.Paths, i, "%s cannot hold token-id lists; set %s to read text from it", strings.ToUpper(string(f)), text)
		}
	}
}

// embeddingOnly points to the output fields that apply to embeddings only.
func embeddingOnly(out *Output) []any {
	return []any{&out.EmbeddingColumn, &out.Pooling, &out.Normalize, &out.TruncateDims, &out.DType}
}

func (d *decoder) checkOutput(j *Job) {
	out := &j.Output
	if j.Model.Head != HeadNone {
		for _, f := range embeddingOnly(out) {
			if d.has(f) {
				d.at(f, "applies to embeddings, but %s is %s (a head writes %s); remove it",
					d.path(&j.Model.Head), j.Model.Head, strings.Join(outputs.HeadColumns(), ", "))
			}
		}
		out.EmbeddingColumn, out.Pooling, out.Normalize, out.TruncateDims = "", "", "", 0
		out.DType = OutputFloat32
	} else if d.has(&out.EmbeddingColumn) && out.EmbeddingColumn == "" {
		d.at(&out.EmbeddingColumn, "must not be empty")
	}
	if out.WriteTokenIDs && j.Input.TextColumn == "" {
		d.at(&out.WriteTokenIDs, "applies to text input only; copy token columns with %s", d.path(&j.Input.Passthrough))
	}
	written := d.writtenColumns(j)
	for i, c := range j.Input.Passthrough {
		if from, clash := written[c]; clash {
			d.atItem(&j.Input.Passthrough, i, "column %q is also written by %s; output columns must differ", c, from)
		}
	}
}

// writtenColumns maps each column the job writes, besides passthrough columns, to the field that makes it.
func (d *decoder) writtenColumns(j *Job) map[string]string {
	written := map[string]string{}
	if j.Model.Head != HeadNone {
		for _, c := range outputs.HeadColumns() {
			written[c] = d.path(&j.Model.Head)
		}
	} else if j.Output.EmbeddingColumn != "" {
		written[j.Output.EmbeddingColumn] = d.path(&j.Output.EmbeddingColumn)
	}
	if j.Output.WriteTokenIDs {
		for _, c := range []string{ColumnInputIDs, ColumnAttentionMask, ColumnTokenTypeIDs} {
			written[c] = d.path(&j.Output.WriteTokenIDs)
		}
	}
	return written
}

func (d *decoder) checkBatching(b *Batching) {
	if b.MaxLength == 0 || b.MaxLength <= b.MaxTokens {
		return
	}
	var at any = &b.MaxLength
	if !d.has(at) {
		at = &b.MaxTokens
	}
	d.at(at, "%s %d exceeds %s %d, so a row that long fits no batch; raise %s or lower %s",
		d.path(&b.MaxLength), b.MaxLength, d.path(&b.MaxTokens), b.MaxTokens, fieldName(d.path(&b.MaxTokens)), fieldName(d.path(&b.MaxLength)))
}

// fieldName is the last element of a dotted path.
func fieldName(path string) string { return path[strings.LastIndex(path, ".")+1:] }

// checkFolders refuses an output folder that overlaps an input folder: inputs are read recursively, so a later
// run would read its own output.
func (d *decoder) checkFolders(j *Job) {
	out := j.Output.Dir
	if out == "" {
		return
	}
	for i, in := range j.Input.Paths {
		if in != "" && overlaps(in, out) {
			d.at(&j.Output.Dir, "overlaps %s[%d] (%s); inputs are read recursively, so a run would read "+
				"its own output. Choose a folder outside the input", d.path(&j.Input.Paths), i, in)
		}
	}
}
