package checkpoint

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// shardIndex is model.safetensors.index.json.
type shardIndex struct {
	Metadata  map[string]json.RawMessage `json:"metadata"`
	WeightMap map[string]string          `json:"weight_map"`
}

// readShardedSafetensors reads every shard an index names. A tensor the index
// maps to a shard that does not hold it is an error; tensors a shard holds
// but the index does not list are left out with a warning.
func readShardedSafetensors(indexPath string, warn func(string)) (*Checkpoint, error) {
	index, err := readShardIndex(indexPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", indexPath, err)
	}
	byShard := map[string][]string{}
	for tensor, shard := range index.WeightMap {
		if !isLocalName(shard) {
			return nil, fmt.Errorf("%s: tensor %q: shard file name %q leaves the model folder; refusing", indexPath, tensor, shard)
		}
		byShard[shard] = append(byShard[shard], tensor)
	}
	shards := make([]string, 0, len(byShard))
	for shard := range byShard {
		shards = append(shards, shard)
	}
	sort.Strings(shards)

	ckpt := &Checkpoint{
		Tensors:  make(map[string]Tensor, len(index.WeightMap)),
		Format:   FormatSafetensorsSharded,
		Files:    []string{indexPath},
		Metadata: indexMetadata(index.Metadata),
	}
	dir := filepath.Dir(indexPath)
	for _, shard := range shards {
		path := filepath.Join(dir, filepath.FromSlash(shard))
		tensors, metadata, err := ReadSafetensors(path)
		if err != nil {
			return nil, fmt.Errorf("shard listed in %s: %w", indexPath, err)
		}
		ckpt.Files = append(ckpt.Files, path)
		for key, value := range metadata {
			if _, seen := ckpt.Metadata[key]; !seen {
				ckpt.Metadata[key] = value
			}
		}
		wanted := byShard[shard]
		sort.Strings(wanted)
		for _, name := range wanted {
			t, ok := tensors[name]
			if !ok {
				return nil, fmt.Errorf("%s: tensor %q: %s maps it to this shard, which does not hold it", path, name, indexPath)
			}
			ckpt.Tensors[name] = t
		}
		if extra := unlisted(tensors, index.WeightMap, shard); len(extra) > 0 {
			warn(fmt.Sprintf("%s: %d tensors are not assigned to this shard by %s and are left out: %s",
				path, len(extra), filepath.Base(indexPath), strings.Join(extra, ", ")))
		}
	}
	return ckpt, nil
}

// readShardIndex decodes and checks an index file.
func readShardIndex(path string) (*shardIndex, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var index shardIndex
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, fmt.Errorf("not a safetensors index (want {\"metadata\": {...}, \"weight_map\": {tensor: file}}): %w", err)
	}
	if len(index.WeightMap) == 0 {
		return nil, fmt.Errorf("weight_map is missing or empty")
	}
	return &index, nil
}

// indexMetadata turns the index's metadata into strings: JSON strings as
// their value, anything else (such as total_size) as its JSON text.
func indexMetadata(raw map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(raw))
	for key, value := range raw {
		var s string
		if err := json.Unmarshal(value, &s); err == nil {
			out[key] = s
		} else {
			out[key] = string(value)
		}
	}
	return out
}

// unlisted returns, sorted, the shard's tensor names the weight map does not
// assign to that shard.
func unlisted(tensors map[string]Tensor, weightMap map[string]string, shard string) []string {
	var extra []string
	for name := range tensors {
		if weightMap[name] != shard {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	return extra
}
