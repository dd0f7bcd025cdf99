"""The tiny random-weight fixtures: configs, weights, tokenizer, sentence-transformers wrappers, inputs."""

import json
import os

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    BertTokenizerFast,
    DistilBertConfig,
    DistilBertForSequenceClassification,
    DistilBertModel,
    JinaEmbeddingsV3Config,
    JinaEmbeddingsV3ForSequenceClassification,
    JinaEmbeddingsV3Model,
    ModernBertConfig,
    ModernBertForSequenceClassification,
    ModernBertModel,
    MPNetConfig,
    MPNetForSequenceClassification,
    MPNetModel,
    RobertaConfig,
    RobertaModel,
    XLMRobertaConfig,
    XLMRobertaForSequenceClassification,
)

import refformats as rf

VOCAB = 512
HIDDEN = 32
MAX_POSITIONS = 128
PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = (
    "the of and to in is was for on that with as by at from he it an are his be this which or had not "
    "but first one their has also its new after were who they have two been her she all other when "
    "there time into more during only may over some would most can about many year world city state "
    "people these such than between what will through where film school up out made later under war "
    "known used while part both three since however being team season well them before then we our "
    "you your do did does no yes so if good great small large long short old young man woman food eat "
    "quick brown fox jumps lazy dog cat house water day night"
).split()


def vocabulary():
    """512 WordPiece tokens: the five BERT specials, ASCII punctuation, letters and digits with their
    ## continuations, common words, and two-letter pieces to fill up."""
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    vocab = SPECIALS + [chr(c) for c in range(33, 127) if not chr(c).isupper()] + ["##" + c for c in letters]
    vocab += [w for w in WORDS if w not in vocab]
    pieces = [a + b for a in "etaoinshrdlcum" for b in "etaoinshrdlcum"]
    vocab += [p for p in pieces + ["##" + p for p in pieces] if p not in vocab][: VOCAB - len(vocab)]
    if len(vocab) != VOCAB or len(set(vocab)) != VOCAB:
        raise RuntimeError(f"vocabulary has {len(vocab)} tokens, {len(set(vocab))} distinct; want {VOCAB}")
    return vocab


def tokenizer(max_length=MAX_POSITIONS):
    """A lowercasing BERT WordPiece tokenizer over vocabulary(), as transformers saves it."""
    vocab = vocabulary()
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", CLS), ("[SEP]", SEP)]
    )
    tok.decoder = decoders.WordPiece(prefix="##")
    return BertTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]", model_max_length=max_length, do_lower_case=True,
    )


def write_tokenizer(folder, max_length=MAX_POSITIONS):
    """tokenizer.json, tokenizer_config.json and vocab.txt."""
    tokenizer(max_length).save_pretrained(folder)
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(vocabulary()) + "\n")


def bert_config(**extra):
    """The shared tiny BERT config: 2 layers, 4 heads, hidden 32, exact-erf GELU."""
    return BertConfig(
        vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=MAX_POSITIONS, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12,
        pad_token_id=PAD, **extra,
    )


def distilbert_config(**extra):
    """The shared tiny DistilBERT config: 2 layers, 4 heads, dim 32, learned positions."""
    return DistilBertConfig(
        vocab_size=VOCAB, dim=HIDDEN, n_layers=2, n_heads=4, hidden_dim=64, activation="gelu",
        max_position_embeddings=MAX_POSITIONS, sinusoidal_pos_embds=False, pad_token_id=PAD, **extra,
    )


# RoBERTa, XLM-R and MPNet count positions from padding_idx + 1 = 2: a table of 130 positions takes
# rows of 128 tokens. Their padding id 1 is [UNK] in the shared vocabulary, so a row holding [UNK]
# exercises the rule that any token equal to padding_idx gets position padding_idx.
ROBERTA_PAD = 1
ROBERTA_POSITIONS = MAX_POSITIONS + ROBERTA_PAD + 1


def roberta_config(cls=RobertaConfig, **extra):
    """The shared tiny RoBERTa / XLM-R config: BERT's shape, one token type, layer_norm_eps 1e-5."""
    return cls(
        vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=ROBERTA_POSITIONS, type_vocab_size=1, hidden_act="gelu", layer_norm_eps=1e-5,
        pad_token_id=ROBERTA_PAD, bos_token_id=CLS, eos_token_id=SEP, **extra,
    )


def mpnet_config(**extra):
    """The shared tiny MPNet config: BERT's shape, 32 relative attention buckets, no token types."""
    return MPNetConfig(
        vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=ROBERTA_POSITIONS, relative_attention_num_buckets=32, hidden_act="gelu",
        layer_norm_eps=1e-5, pad_token_id=ROBERTA_PAD, bos_token_id=CLS, eos_token_id=SEP, **extra,
    )


# ModernBERT's local layers attend 8 tokens each side here (local_attention 16), so that rows of up
# to 128 tokens reach far beyond the window.
MODERNBERT_LOCAL = 16


def modernbert_config(**extra):
    """The shared tiny ModernBERT config: 3 layers (global, local, local), 4 heads, hidden 32, GeGLU of
    intermediate 48, no biases (as ModernBERT-base), rotary bases 160000 (global) and 10000 (local)."""
    return ModernBertConfig(
        vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=3, num_attention_heads=4, intermediate_size=48,
        max_position_embeddings=MAX_POSITIONS, hidden_activation="gelu", norm_eps=1e-5, norm_bias=False,
        attention_bias=False, mlp_bias=False, local_attention=MODERNBERT_LOCAL,
        layer_types=["full_attention", "sliding_attention", "sliding_attention"],
        rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 160000.0},
                         "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},
        pad_token_id=PAD, bos_token_id=CLS, eos_token_id=SEP, cls_token_id=CLS, sep_token_id=SEP, **extra,
    )


# Jina v3 has no position table: its rotary positions reach as far as max_position_embeddings says,
# 1024 here, so that rows run past 512 tokens.
JINA_POSITIONS = 1024


def jina_config(**extra):
    """The shared tiny Jina embeddings v3 config: BERT's shape, one token type, pad id 1 as XLM-R,
    layer_norm_eps 1e-5, rotary base 20000 (the default) over 1024 positions."""
    return JinaEmbeddingsV3Config(
        vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=JINA_POSITIONS, type_vocab_size=1, hidden_act="gelu", layer_norm_eps=1e-5,
        rope_parameters={"rope_type": "default", "rope_theta": 20000.0},
        pad_token_id=ROBERTA_PAD, bos_token_id=CLS, eos_token_id=SEP, **extra,
    )


@torch.no_grad()
def randomize(model, seed):
    """Seeded weights large enough that attention is far from uniform and every tensor matters:
    linear weights N(0, 0.2²), embeddings N(0, 0.5²), LayerNorm scales 1 + N(0, 0.1²), biases N(0, 0.1²)."""
    g = torch.Generator().manual_seed(seed)
    for name, p in sorted(model.named_parameters()):
        noise = torch.randn(p.shape, generator=g)
        if "norm" in name.lower() and name.endswith("weight"):
            p.copy_(1 + 0.1 * noise)
        elif name.endswith("bias"):
            p.copy_(0.1 * noise)
        elif "embeddings" in name:
            p.copy_(0.5 * noise)
        else:
            p.copy_(0.2 * noise)
    return model.eval()


def save_model(model, folder):
    """save_pretrained (model.safetensors + config.json) into an emptied folder."""
    rf.fresh_folder(folder)
    model.save_pretrained(folder)


def write_tiny_bert(folder):
    """tiny-bert: BertModel with pooler, tokenizer, and the sentence-transformers files in the layout
    of most Hub repos (sentence-transformers 2.x: legacy module names and pooling keys, no 2_Normalize)."""
    model = randomize(BertModel(bert_config(architectures=["BertModel"])), seed=1)
    save_model(model, folder)
    write_tokenizer(folder)
    files = {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": MAX_POSITIONS, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": HIDDEN, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
        },
        "config_sentence_transformers.json": {
            "__version__": {"sentence_transformers": "2.0.0", "transformers": "4.6.1", "pytorch": "1.8.1"}
        },
    }
    for name, data in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
    return model


def write_tiny_distilbert(folder):
    """tiny-distilbert: DistilBertModel saved through sentence-transformers 6 (Transformer → mean Pooling →
    Normalize), so the folder has the current module names, pooling keys and 2_Normalize/config.json."""
    model = randomize(DistilBertModel(distilbert_config(architectures=["DistilBertModel"])), seed=6)
    staging = folder + ".staging"
    save_model(model, staging)
    write_tokenizer(staging)
    st = SentenceTransformer(modules=[Transformer(staging), Pooling(HIDDEN, pooling_mode="mean"), Normalize()])
    rf.fresh_folder(folder)
    st.save(folder)
    rf.shutil.rmtree(staging)
    os.remove(os.path.join(folder, "README.md"))  # model card: prose only, rewritten on each save
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(vocabulary()) + "\n")
    return model


def write_sentence_encoder(model, folder, max_length=MAX_POSITIONS):
    """Saves model through sentence-transformers 6 (Transformer → mean Pooling → Normalize) with the
    shared tokenizer (model_max_length max_length), as tiny-distilbert."""
    staging = folder + ".staging"
    save_model(model, staging)
    write_tokenizer(staging, max_length)
    st = SentenceTransformer(modules=[Transformer(staging), Pooling(HIDDEN, pooling_mode="mean"), Normalize()])
    rf.fresh_folder(folder)
    st.save(folder)
    rf.shutil.rmtree(staging)
    os.remove(os.path.join(folder, "README.md"))  # model card: prose only, rewritten on each save
    return model


def write_tiny_roberta(folder):
    """tiny-roberta: RobertaModel with pooler behind a sentence-transformers pipeline."""
    return write_sentence_encoder(randomize(RobertaModel(roberta_config(architectures=["RobertaModel"])), seed=8), folder)


def write_tiny_mpnet(folder):
    """tiny-mpnet: MPNetModel with pooler behind a sentence-transformers pipeline."""
    return write_sentence_encoder(randomize(MPNetModel(mpnet_config(architectures=["MPNetModel"])), seed=9), folder)


def write_tiny_modernbert(folder):
    """tiny-modernbert: ModernBertModel behind a sentence-transformers pipeline."""
    model = ModernBertModel(modernbert_config(architectures=["ModernBertModel"]))
    return write_sentence_encoder(randomize(model, seed=13), folder)


def write_tiny_jina(folder):
    """tiny-jina: JinaEmbeddingsV3Model with pooler behind a sentence-transformers pipeline whose
    max_seq_length is the model's 1024 positions."""
    model = JinaEmbeddingsV3Model(jina_config(architectures=["JinaEmbeddingsV3Model"]))
    return write_sentence_encoder(randomize(model, seed=15), folder, JINA_POSITIONS)


def classifier(model_cls, config, seed, folder):
    """Saves a randomized sequence-classification model."""
    model = randomize(model_cls(config), seed)
    save_model(model, folder)
    return model


LABELS = {
    "tiny-bert-cls": ["negative", "neutral", "positive"],
    "tiny-bert-multilabel": ["sports", "politics", "science", "arts"],
    "tiny-bert-binary": ["NEGATIVE", "POSITIVE"],
    "tiny-distilbert-cls": ["contradiction", "entailment", "neutral"],
    "tiny-xlm-roberta-cls": ["anger", "joy", "sadness"],
    "tiny-mpnet-cls": ["contradiction", "entailment", "neutral"],
    "tiny-modernbert-cls": ["negative", "neutral", "positive"],
    "tiny-jina-cls": ["anger", "joy", "sadness"],
}


def labelled(name, problem_type=None):
    """Config keywords for a head: id2label/label2id from LABELS and, when given, problem_type."""
    labels = LABELS[name]
    kw = {"num_labels": len(labels), "id2label": dict(enumerate(labels)), "label2id": {l: i for i, l in enumerate(labels)}}
    if problem_type:
        kw["problem_type"] = problem_type
    return kw


BERT_HEAD = ["BertForSequenceClassification"]
DISTIL_HEAD = ["DistilBertForSequenceClassification"]
HEADS = {
    "tiny-bert-cls": lambda d: classifier(BertForSequenceClassification, bert_config(
        architectures=BERT_HEAD, **labelled("tiny-bert-cls", "single_label_classification")), 2, d),
    "tiny-bert-multilabel": lambda d: classifier(BertForSequenceClassification, bert_config(
        architectures=BERT_HEAD, **labelled("tiny-bert-multilabel", "multi_label_classification")), 3, d),
    "tiny-bert-regression": lambda d: classifier(BertForSequenceClassification, bert_config(
        architectures=BERT_HEAD, num_labels=1, problem_type="regression"), 4, d),
    "tiny-bert-binary": lambda d: classifier(BertForSequenceClassification, bert_config(
        architectures=BERT_HEAD, **labelled("tiny-bert-binary")), 5, d),
    "tiny-distilbert-cls": lambda d: classifier(DistilBertForSequenceClassification, distilbert_config(
        architectures=DISTIL_HEAD, **labelled("tiny-distilbert-cls", "single_label_classification")), 7, d),
    "tiny-xlm-roberta-cls": lambda d: classifier(XLMRobertaForSequenceClassification, roberta_config(
        XLMRobertaConfig, architectures=["XLMRobertaForSequenceClassification"],
        **labelled("tiny-xlm-roberta-cls", "single_label_classification")), 10, d),
    "tiny-mpnet-cls": lambda d: classifier(MPNetForSequenceClassification, mpnet_config(
        architectures=["MPNetForSequenceClassification"], **labelled("tiny-mpnet-cls", "single_label_classification")), 12, d),
    "tiny-modernbert-cls": lambda d: classifier(ModernBertForSequenceClassification, modernbert_config(
        architectures=["ModernBertForSequenceClassification"], classifier_pooling="mean",
        **labelled("tiny-modernbert-cls", "single_label_classification")), 14, d),
    "tiny-jina-cls": lambda d: classifier(JinaEmbeddingsV3ForSequenceClassification, jina_config(
        architectures=["JinaEmbeddingsV3ForSequenceClassification"], **labelled("tiny-jina-cls", "single_label_classification")), 16, d),
}

# Heads whose model has no token type embedding (their rows carry type 0) and which pad with id 1.
NO_TOKEN_TYPES = ("tiny-distilbert-cls", "tiny-xlm-roberta-cls", "tiny-mpnet-cls", "tiny-modernbert-cls", "tiny-jina-cls")
PAD_ID = {"tiny-xlm-roberta-cls": ROBERTA_PAD, "tiny-mpnet-cls": ROBERTA_PAD, "tiny-roberta": ROBERTA_PAD,
          "tiny-mpnet": ROBERTA_PAD, "tiny-jina": ROBERTA_PAD, "tiny-jina-cls": ROBERTA_PAD}


def _row(ids, types=None):
    return {"input_ids": [int(i) for i in ids], "token_type_ids": [int(t) for t in (types or [0] * len(ids))]}


def _single(rng, n):
    """[CLS] + n random content ids + [SEP]."""
    return _row([CLS, *rng.integers(5, VOCAB, n), SEP])


def _pair(rng, a, b):
    """[CLS] A [SEP] B [SEP] with token type 1 on B and its [SEP]."""
    ids = [CLS, *rng.integers(5, VOCAB, a), SEP, *rng.integers(5, VOCAB, b), SEP]
    return _row(ids, [0] * (a + 2) + [1] * (b + 1))


def encoder_rows(seed, token_types, longest=MAX_POSITIONS):
    """The encoder batch: rows of longest (128 = max_position_embeddings), 1, 2, 15 (pair), 6, 60 (pair), 20
    (with [UNK], [MASK] and the largest id), 33 tokens. Returns rows, the short row index, the long row."""
    rng = np.random.default_rng(seed)
    rows = [
        _single(rng, longest - 2),
        _row([CLS]),
        _row([CLS, SEP]),
        _pair(rng, 7, 5),
        _single(rng, 4),
        _pair(rng, 30, 27),
        _row([CLS, UNK, VOCAB - 1, MASK, 5, *rng.integers(5, VOCAB, 14), SEP]),
        _single(rng, 31),
    ]
    rows = rows if token_types else without_token_types(rows)
    return rows, 4, rows[0]


def head_rows(seed):
    """The head batch: 12 rows of 1 to 30 tokens; plus a row of 128 tokens kept out of the batch (it only
    pads the short row in the padding-invariance case). Returns rows, the short row index, the long row."""
    rng = np.random.default_rng(seed)
    rows = [_single(rng, 10), _row([CLS]), _pair(rng, 8, 9), _single(rng, 5), _single(rng, 28), _single(rng, 16),
            _pair(rng, 12, 11), _row([CLS, SEP]), _single(rng, 3), _pair(rng, 4, 20), _single(rng, 22),
            _single(rng, 7)]
    return rows, 3, _single(rng, MAX_POSITIONS - 2)


def jina_texts():
    """The texts tiny-jina embeds from text: sentences over the tiny vocabulary (with capitals, accents,
    punctuation and a character outside it), one of about 700 tokens and one truncated at 1024."""
    words = [w for w in WORDS if len(w) > 1]
    rng = np.random.default_rng(300)
    sentence = lambda n: " ".join(rng.choice(words, n))
    texts = ["The quick brown fox jumps over the lazy dog.", "Café, naïve: école!", "dog", "x ≠ y",
             "Where was the film made? In a small city, during the war.", sentence(40), sentence(12) + ". " + sentence(9)]
    texts += [sentence(680), sentence(1500)]
    return texts


def without_token_types(rows):
    """The same rows with all token types 0 (DistilBERT has no token type embeddings)."""
    return [_row(r["input_ids"]) for r in rows]
