"""Writes the model folders of the end-to-end benchmarks (bench/gpu_e2e.sh): for each shape, a BERT
with random weights (seeded, float16 safetensors, made by transformers), the tokenizer files of the
folder given (all-MiniLM-L6-v2's uncased WordPiece, 30,522 ids) and sentence-transformers modules
(Transformer, mean Pooling; max_seq_length 256), so that bertbatch and sentence-transformers read one
folder the same way. The shapes are those of bench/internal/shapes.

Usage: python bench/make_e2e_models.py OUT_DIR TOKENIZER_DIR [SHAPE ...]   (default: minilm-l6 bert-base)
"""
import json
import pathlib
import shutil
import sys

import torch
from transformers import BertConfig, BertModel

SHAPES = {
    "minilm-l6": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536),
    "bert-base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
    "bert-large": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096),
}
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]


def main():
    out, tok = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    for shape in sys.argv[3:] or ["minilm-l6", "bert-base"]:
        if shape not in SHAPES:
            sys.exit(f"make_e2e_models: unknown shape {shape} (want one of {', '.join(SHAPES)})")
        d = out / shape
        if (d / "model.safetensors").exists():
            continue
        torch.manual_seed(0)
        cfg = BertConfig(vocab_size=30522, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12,
                         **SHAPES[shape])
        BertModel(cfg, add_pooling_layer=False).half().save_pretrained(d, safe_serialization=True)
        for name in TOKENIZER_FILES:
            shutil.copy(tok / name, d / name)
        (d / "modules.json").write_text(json.dumps([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
        (d / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 256, "do_lower_case": False}))
        (d / "1_Pooling").mkdir(exist_ok=True)
        (d / "1_Pooling" / "config.json").write_text(json.dumps({
            "word_embedding_dimension": cfg.hidden_size, "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False}))
        print(f"{d}: {shape}, random float16 weights", file=sys.stderr)


if __name__ == "__main__":
    main()
