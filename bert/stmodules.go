package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// A sentence-transformers model folder holds modules.json, which lists the modules the model runs
// in order (Transformer, Pooling, optionally Normalize), each with a folder of its own config.
// Two layouts are in use and both are read here:
//
//   - before sentence-transformers 6: types sentence_transformers.models.{Transformer,Pooling,
//     Normalize}; 1_Pooling/config.json has one boolean a mode (pooling_mode_cls_token, …);
//   - 6 and later: types such as sentence_transformers.base.modules.transformer.Transformer and
//     sentence_transformers.sentence_transformer.modules.pooling.Pooling; 1_Pooling/config.json has
//     "pooling_mode", a mode name or a list of them, and sentence_bert_config.json may leave out
//     max_seq_length, which then comes from the tokenizer's model_max_length.

// stModule is one entry of modules.json.
type stModule struct {
	Idx  int    `json:"idx"`
	Name string `json:"name"`
	Path string `json:"path"`
	Type string `json:"type"`
}

// kind is the module's class name without its Python package ("Pooling").
func (m stModule) kind() string { return m.Type[strings.LastIndexByte(m.Type, '.')+1:] }

// readModules reads modules.json; nil without error when the folder has none.
func readModules(dir string) ([]stModule, error) {
	path := filepath.Join(dir, "modules.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sentence-transformers modules: %w", err)
	}
	var mods []stModule
	if err := json.Unmarshal(data, &mods); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return mods, nil
}

// LoadPooling reads modules.json and the pooling module's config; nil when the folder is not a
// sentence-transformers model.
func LoadPooling(dir string) (*PoolingConfig, error) {
	mods, err := readModules(dir)
	if mods == nil || err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "modules.json")
	pc := &PoolingConfig{}
	for _, mod := range mods {
		switch mod.kind() {
		case "Transformer":
		case "Normalize":
			pc.Normalize = true
		case "Pooling":
			modes, includePrompt, err := readPoolingModes(filepath.Join(dir, filepath.FromSlash(mod.Path), "config.json"))
			if err != nil {
				return nil, err
			}
			pc.Modes, pc.IncludePrompt = modes, includePrompt
		default:
			return nil, fmt.Errorf("%s: module %q of type %s is not supported (supported: Transformer, Pooling, Normalize)", path, mod.Name, mod.Type)
		}
	}
	if len(pc.Modes) == 0 {
		return nil, fmt.Errorf("%s: no Pooling module", path)
	}
	return pc, nil
}

// stPoolingModes maps sentence-transformers' mode names, in both layouts, to ours. The legacy
// boolean keys are listed in the order sentence-transformers concatenates them.
var (
	stModeNames = map[string]Pooling{
		"cls": PoolCLS, "max": PoolMax, "mean": PoolMean, "mean_sqrt_len_tokens": PoolMeanSqrtLen,
		"weightedmean": "", "lasttoken": "",
	}
	stLegacyModeKeys = []struct{ key, mode string }{
		{"pooling_mode_cls_token", "cls"},
		{"pooling_mode_max_tokens", "max"},
		{"pooling_mode_mean_tokens", "mean"},
		{"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens"},
		{"pooling_mode_weightedmean_tokens", "weightedmean"},
		{"pooling_mode_lasttoken", "lasttoken"},
	}
)

// readPoolingModes reads a Pooling module's config.json in either layout. As in
// sentence-transformers 6, "pooling_mode" wins over the legacy booleans when both are present,
// and a config with neither means mean pooling (the default of every sentence-transformers
// version). Legacy booleans that are all false are refused: sentence-transformers 2 to 5 fail on
// them at the first batch and 6 turns them into mean pooling, so the file has no one meaning.
// includePrompt is the config's "include_prompt", true when absent.
func readPoolingModes(path string) (modes []Pooling, includePrompt bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("sentence-transformers pooling: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	includePrompt = true
	if v, ok := raw["include_prompt"]; ok {
		if err := json.Unmarshal(v, &includePrompt); err != nil {
			return nil, false, fmt.Errorf("%s: field \"include_prompt\": want true or false, got %s", path, v)
		}
	}
	var names []string
	if mode, ok := raw["pooling_mode"]; ok {
		if names, err = poolingModeNames(mode); err != nil {
			return nil, false, fmt.Errorf("%s: field \"pooling_mode\": %w", path, err)
		}
	} else if names, err = legacyPoolingModes(raw, path); err != nil {
		return nil, false, err
	} else if names == nil {
		names = []string{"mean"}
	}
	if len(names) == 0 {
		return nil, false, fmt.Errorf("%s: no pooling mode is enabled; set \"pooling_mode\" (cls, max, mean or mean_sqrt_len_tokens)", path)
	}
	modes = make([]Pooling, len(names))
	for i, name := range names {
		mode, known := stModeNames[name]
		switch {
		case !known:
			return nil, false, fmt.Errorf("%s: field \"pooling_mode\": unknown mode %q (sentence-transformers has cls, max, mean, mean_sqrt_len_tokens, weightedmean and lasttoken)", path, name)
		case mode == "":
			return nil, false, fmt.Errorf("%s: pooling mode %s is not supported (supported: cls, max, mean, mean_sqrt_len_tokens)", path, name)
		}
		modes[i] = mode
	}
	return modes, includePrompt, nil
}

// poolingModeNames decodes "pooling_mode": a mode name or a list of mode names.
func poolingModeNames(v json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(v, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(v, &many); err != nil {
		return nil, fmt.Errorf("want a mode name or a list of mode names, got %s", v)
	}
	return many, nil
}

// legacyPoolingModes collects the enabled pooling_mode_* booleans in concatenation order: nil
// when there is no such key, empty when every one is false.
func legacyPoolingModes(raw map[string]json.RawMessage, path string) ([]string, error) {
	var names []string
	for _, k := range stLegacyModeKeys {
		v, ok := raw[k.key]
		if !ok {
			continue
		}
		if names == nil {
			names = []string{}
		}
		var on bool
		if err := json.Unmarshal(v, &on); err != nil {
			return nil, fmt.Errorf("%s: field %q: want true or false, got %s", path, k.key, v)
		}
		if on {
			names = append(names, k.mode)
		}
	}
	return names, nil
}

// stTransformerConfigNames are the file names sentence-transformers tries, in order, for the
// Transformer module's config.
var stTransformerConfigNames = []string{
	"sentence_bert_config.json", "sentence_roberta_config.json", "sentence_distilbert_config.json",
	"sentence_camembert_config.json", "sentence_albert_config.json", "sentence_xlm-roberta_config.json",
	"sentence_xlnet_config.json",
}

// loadMaxSeqLength is the length sentence-transformers truncates inputs to, 0 when the folder
// does not set one (the caller then uses the position table). It follows sentence-transformers
// 6's Transformer module: the config's processor_kwargs (tokenizer_args) model_max_length, else
// its max_seq_length, else the tokenizer's model_max_length from tokenizer_config.json. The caller
// caps the result at the position table. The tokenizer fallback applies to sentence-transformers
// folders (with modules.json) only.
func loadMaxSeqLength(dir string) (int, error) {
	mods, err := readModules(dir)
	if err != nil {
		return 0, err
	}
	moduleDir := dir
	for _, mod := range mods {
		if mod.kind() == "Transformer" {
			moduleDir = filepath.Join(dir, filepath.FromSlash(mod.Path))
			break
		}
	}
	n, found, err := readSentenceConfigLength(moduleDir)
	if found || err != nil || mods == nil {
		return n, err
	}
	return readTokenizerMaxLength(filepath.Join(moduleDir, "tokenizer_config.json"))
}

// readSentenceConfigLength reads the Transformer module's config; found is false when no config
// file exists or it sets no length.
func readSentenceConfigLength(dir string) (n int, found bool, err error) {
	for _, name := range stTransformerConfigNames {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return 0, false, fmt.Errorf("sentence-transformers config: %w", err)
		}
		var c struct {
			MaxSeqLength    *int64 `json:"max_seq_length"`
			ProcessorKwargs struct {
				ModelMaxLength *int64 `json:"model_max_length"`
			} `json:"processor_kwargs"`
			TokenizerArgs struct {
				ModelMaxLength *int64 `json:"model_max_length"`
			} `json:"tokenizer_args"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			return 0, false, fmt.Errorf("%s: %w", path, err)
		}
		for _, f := range []struct {
			field string
			v     *int64
		}{
			{"processor_kwargs.model_max_length", c.ProcessorKwargs.ModelMaxLength},
			{"tokenizer_args.model_max_length", c.TokenizerArgs.ModelMaxLength},
			{"max_seq_length", c.MaxSeqLength},
		} {
			if f.v != nil {
				n, err := positiveLength(*f.v, path, f.field)
				return n, err == nil, err
			}
		}
		return 0, false, nil
	}
	return 0, false, nil
}

// readTokenizerMaxLength reads tokenizer_config.json's model_max_length; 0 when the file or the
// field is absent or the value is transformers' "no limit" (larger than any position table).
func readTokenizerMaxLength(path string) (int, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("tokenizer config: %w", err)
	}
	var c struct {
		ModelMaxLength *float64 `json:"model_max_length"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if c.ModelMaxLength == nil {
		return 0, nil
	}
	v := *c.ModelMaxLength
	if v != math.Trunc(v) {
		return 0, fmt.Errorf("%s: field \"model_max_length\": want a whole number, got %v", path, v)
	}
	if v > math.MaxInt32 {
		return 0, nil
	}
	return positiveLength(int64(v), path, "model_max_length")
}

func positiveLength(v int64, path, field string) (int, error) {
	if v <= 0 || v > math.MaxInt32 {
		return 0, fmt.Errorf("%s: field %q: must be a positive length, got %d", path, field, v)
	}
	return int(v), nil
}
