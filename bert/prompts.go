package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// Prompts are the texts a sentence-transformers model prepends to its inputs, as kept in
// config_sentence_transformers.json: "prompts" maps a name to its text and "default_prompt_name"
// names the one applied when the caller asks for none. sentence-transformers prepends the text to
// the input (to the first text of a pair) before tokenization; an empty text means no prompt.
type Prompts struct {
	// Texts maps each prompt name to its text (a null text in the file reads as "").
	Texts map[string]string
	// Default is the prompt applied when a job names none; "" when the model has no default.
	Default string
}

// Names lists the prompt names in sorted order.
func (p Prompts) Names() []string {
	names := make([]string, 0, len(p.Texts))
	for name := range p.Texts {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Text returns the text of the prompt called name, or an error listing the model's prompt names.
func (p Prompts) Text(name string) (string, error) {
	if text, ok := p.Texts[name]; ok {
		return text, nil
	}
	if len(p.Texts) == 0 {
		return "", fmt.Errorf("prompt %q: the model has no prompts (config_sentence_transformers.json lists none)", name)
	}
	quoted := make([]string, 0, len(p.Texts))
	for _, n := range p.Names() {
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	return "", fmt.Errorf("prompt %q: the model has no prompt of that name (it has %s)", name, strings.Join(quoted, ", "))
}

// DefaultText is the text of the default prompt; "" when the model has none.
func (p Prompts) DefaultText() string { return p.Texts[p.Default] }

// stConfigName is the file sentence-transformers keeps a model's prompts in.
const stConfigName = "config_sentence_transformers.json"

// LoadPrompts reads a model folder's config_sentence_transformers.json; no prompts when the file
// is absent. As in sentence-transformers, a default_prompt_name that names no prompt is an error.
func LoadPrompts(dir string) (Prompts, error) {
	path := filepath.Join(dir, stConfigName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Prompts{}, nil
	} else if err != nil {
		return Prompts{}, fmt.Errorf("sentence-transformers config: %w", err)
	}
	var c struct {
		Prompts           map[string]*string `json:"prompts"`
		DefaultPromptName *string            `json:"default_prompt_name"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return Prompts{}, fmt.Errorf("%s: %w", path, err)
	}
	p := Prompts{Texts: make(map[string]string, len(c.Prompts))}
	for name, text := range c.Prompts {
		p.Texts[name] = ""
		if text != nil {
			p.Texts[name] = *text
		}
	}
	if c.DefaultPromptName != nil {
		if _, ok := p.Texts[*c.DefaultPromptName]; !ok {
			return Prompts{}, fmt.Errorf("%s: field \"default_prompt_name\": %q names no prompt of field \"prompts\" (%s)",
				path, *c.DefaultPromptName, strings.Join(p.Names(), ", "))
		}
		p.Default = *c.DefaultPromptName
	}
	return p, nil
}

// PromptLength is the number of leading tokens a prompt takes in every row it is prepended to,
// counted as sentence-transformers does: the prompt tokenized alone (special tokens included,
// truncated to maxLength), less its last token when that is the special token the tokenizer ends
// every input with. The leading special token ([CLS], <s>) is counted, so pooling that leaves the
// prompt out leaves it out too. An empty prompt takes none.
func PromptLength(tok tokenizer.Tokenizer, prompt string, maxLength int) int {
	if prompt == "" {
		return 0
	}
	ids := tok.Encode(tokenizer.Input{Text: prompt}, maxLength).InputIDs
	n := len(ids)
	// The ids of an empty input are the special tokens alone: their last one, when the prompt's
	// ids end with it too, is the closing special token.
	if specials := tok.Encode(tokenizer.Input{}, 0).InputIDs; n > 0 && len(specials) > 0 && ids[n-1] == specials[len(specials)-1] {
		n--
	}
	return n
}
