"""Writes random-weight MPNet and ModernBERT folders whose head size (32) runs the CUDA packed attention
kernel, for `bench/device_run.sh parity` to compare GPU with CPU float32 (the tiny test models have a head
size of 8, which runs padded on a GPU). Run here with .venv-ref, before bench/gpu_pack.sh:

    .venv-ref/bin/python bench/make_arch_models.py .gpu/models

MPNet's relative position bias is drawn N(0, 1) so that it matters; ModernBERT's local layers see 32 tokens
each side, so that rows of up to 256 tokens (gpucheck's longest) reach past the window and whole key tiles
are skipped.
"""

import os
import sys

import torch
from transformers import ModernBertConfig, ModernBertModel, MPNetConfig, MPNetModel


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    mpnet = MPNetModel(MPNetConfig(vocab_size=2000, hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
                                   intermediate_size=256, max_position_embeddings=514, relative_attention_num_buckets=32,
                                   pad_token_id=1))
    with torch.no_grad():
        mpnet.encoder.relative_attention_bias.weight.normal_(0, 1.0)
    mpnet.save_pretrained(os.path.join(out, "mpnet-hd32"))
    modern = ModernBertModel(ModernBertConfig(
        vocab_size=2000, hidden_size=128, num_hidden_layers=3, num_attention_heads=4, intermediate_size=192,
        max_position_embeddings=1024, local_attention=64, pad_token_id=0, bos_token_id=None, eos_token_id=None,
        cls_token_id=None, sep_token_id=None,
        layer_types=["full_attention", "sliding_attention", "sliding_attention"]))
    modern.save_pretrained(os.path.join(out, "modernbert-hd32"))


if __name__ == "__main__":
    main()
