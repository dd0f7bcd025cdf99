package jobs

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bertbatch/bertbatch/bert/outputs"
	"github.com/bertbatch/bertbatch/io/dataset"
)

// checkJob reports contradictory options (each at the field that contradicts another) and clears the fields
// that do not apply to the job's kind, so that a returned Job holds no value it will not use.
func (d *decoder) checkJob(j *Job) {
	d.checkModel(&j.Model)
	d.checkInput(&j.Input)
	d.checkOutput(j)
	d.checkBatching(&j.Batching)
	d.checkFolders(j)
}

// has reports whether the file gives the field at path.
func (d *decoder) has(path string) bool { return d.given[path] != nil }

// at records a problem at the value of the field at path (which the file gives).
func (d *decoder) at(path, format string, args ...any) {
	d.problem(d.given[path], path, format, args...)
}

// item returns the node of entry i of the list field at path, or nil.
func (d *decoder) item(path string, i int) *yaml.Node {
	if n := d.given[path]; n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return resolveAlias(n.Content[i])
	}
	return nil
}

func (d *decoder) checkModel(m *Model) {
	if m.Ref == "" {
		return
	}
	if m.IsLocal() {
		for _, p := range []string{"model.revision", "model.cache_dir"} {
			if d.has(p) {
				d.at(p, "applies to Hub models only, and model.ref is the local folder %s; remove it", m.Ref)
			}
		}
		m.Revision = ""
		return
	}
	if d.has("model.revision") {
		if err := checkRevision(m.Revision); err != nil {
			d.at("model.revision", "%v", err)
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

var tokenColumnFields = []string{"input.input_ids_column", "input.attention_mask_column", "input.token_type_ids_column"}

func (d *decoder) checkInput(in *Input) {
	if in.TextColumn != "" {
		for _, p := range tokenColumnFields {
			if d.has(p) {
				d.at(p, "cannot be combined with input.text_column; read either token columns or text")
			}
		}
		in.InputIDsColumn, in.AttentionMaskColumn, in.TokenTypeIDsColumn = "", "", ""
		if in.TextPairColumn == in.TextColumn {
			d.at("input.text_pair_column", "names the same column as input.text_column; a pair needs two columns")
		}
	} else {
		d.checkTokenInput(in)
	}
	seen := map[string]int{}
	for i, c := range in.Passthrough {
		if first, dup := seen[c]; dup && c != "" {
			d.problem(d.item("input.passthrough", i), fmt.Sprintf("input.passthrough[%d]", i),
				"column %q is listed twice (first as input.passthrough[%d])", c, first)
			continue
		}
		seen[c] = i
	}
}

// checkTokenInput checks a job that reads token ids rather than text.
func (d *decoder) checkTokenInput(in *Input) {
	if d.has("input.text_pair_column") && in.TextPairColumn != "" {
		d.at("input.text_pair_column", "needs input.text_column (pairs are read as text)")
	}
	if d.has("input.input_ids_column") && in.InputIDsColumn == "" {
		d.at("input.input_ids_column", "must not be empty; name the token-id column or set input.text_column")
	}
	names := map[string]string{}
	for _, p := range tokenColumnFields {
		col := d.tokenColumn(in, p)
		if first, dup := names[col]; dup && col != "" && d.has(p) {
			d.at(p, "names the same column as %s", first)
		}
		names[col] = p
	}
	if f := dataset.Format(in.Format); f.Delimited() {
		d.at("input.format", "%s cannot hold token-id lists; set input.text_column, or use parquet, arrow or jsonl", strings.ToUpper(string(f)))
		return
	}
	if in.Format != FormatAuto {
		return
	}
	for i, p := range in.Paths {
		if f, err := dataset.FormatOf(p); err == nil && f.Delimited() {
			d.problem(d.item("input.paths", i), fmt.Sprintf("input.paths[%d]", i),
				"%s cannot hold token-id lists; set input.text_column to read text from it", strings.ToUpper(string(f)))
		}
	}
}

func (d *decoder) tokenColumn(in *Input, path string) string {
	switch path {
	case "input.input_ids_column":
		return in.InputIDsColumn
	case "input.attention_mask_column":
		return in.AttentionMaskColumn
	}
	return in.TokenTypeIDsColumn
}

var embeddingOnlyFields = []string{"output.embedding_column", "output.pooling", "output.normalize",
	"output.truncate_dims", "output.dtype"}

func (d *decoder) checkOutput(j *Job) {
	out := &j.Output
	if j.Model.Head != HeadNone {
		for _, p := range embeddingOnlyFields {
			if d.has(p) {
				d.at(p, "applies to embeddings, but model.head is %s (a head writes %s); remove it",
					j.Model.Head, strings.Join(outputs.HeadColumns(), ", "))
			}
		}
		out.EmbeddingColumn, out.Pooling, out.Normalize, out.TruncateDims = "", "", "", 0
		out.DType = OutputFloat32
	} else if d.has("output.embedding_column") && out.EmbeddingColumn == "" {
		d.at("output.embedding_column", "must not be empty")
	}
	if out.WriteTokenIDs && j.Input.TextColumn == "" {
		d.at("output.write_token_ids", "applies to text input only; copy token columns with input.passthrough")
	}
	written := d.writtenColumns(j)
	for i, c := range j.Input.Passthrough {
		if from, clash := written[c]; clash {
			d.problem(d.item("input.passthrough", i), fmt.Sprintf("input.passthrough[%d]", i),
				"column %q is also written by %s; output columns must differ", c, from)
		}
	}
}

// writtenColumns maps each column the job writes, besides passthrough columns, to the field that makes it.
func (d *decoder) writtenColumns(j *Job) map[string]string {
	written := map[string]string{}
	if j.Model.Head != HeadNone {
		for _, c := range outputs.HeadColumns() {
			written[c] = "model.head"
		}
	} else if j.Output.EmbeddingColumn != "" {
		written[j.Output.EmbeddingColumn] = "output.embedding_column"
	}
	if j.Output.WriteTokenIDs {
		for _, c := range []string{ColumnInputIDs, ColumnAttentionMask, ColumnTokenTypeIDs} {
			written[c] = "output.write_token_ids"
		}
	}
	return written
}

func (d *decoder) checkBatching(b *Batching) {
	if b.MaxLength == 0 || b.MaxLength <= b.MaxTokens {
		return
	}
	p := "batching.max_length"
	if !d.has(p) {
		p = "batching.max_tokens"
	}
	d.problem(d.given[p], p, "batching.max_length %d exceeds batching.max_tokens %d, so a row that long fits no batch; "+
		"raise max_tokens or lower max_length", b.MaxLength, b.MaxTokens)
}

// checkFolders refuses an output folder that overlaps an input folder: inputs are read recursively, so a later
// run would read its own output.
func (d *decoder) checkFolders(j *Job) {
	out := j.Output.Dir
	if out == "" {
		return
	}
	for i, in := range j.Input.Paths {
		if in != "" && overlaps(in, out) {
			d.at("output.dir", "overlaps input.paths[%d] (%s); inputs are read recursively, so a run would read "+
				"its own output. Choose a folder outside the input", i, in)
		}
	}
}
