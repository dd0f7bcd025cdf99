"""Expected outputs of the real all-MiniLM-L6-v2 (fetched by `make model`, never committed)."""

import numpy as np

import refoutputs as ro
from refjson import f32

LHS_ROWS = 4  # last_hidden_state is kept for the first rows only, to keep the file small
LONG = (
    "The history of natural language processing generally started in the 1950s, although work can be found "
    "from earlier periods. In 1950, Alan Turing published an article titled Computing Machinery and "
    "Intelligence which proposed what is now called the Turing test as a criterion of intelligence. "
    "The Georgetown experiment in 1954 involved fully automatic translation of more than sixty Russian "
    "sentences into English. The authors claimed that within three or five years, machine translation would "
    "be a solved problem. However, real progress was much slower, and after the ALPAC report in 1966, which "
    "found that ten years of research had failed to fulfill the expectations, funding for machine translation "
    "was dramatically reduced. Little further research in machine translation was conducted until the late "
    "1980s when the first statistical machine translation systems were developed. Some notably successful "
    "natural language processing systems developed in the 1960s were SHRDLU, a natural language system "
    "working in restricted blocks worlds with restricted vocabularies, and ELIZA, a simulation of a Rogerian "
    "psychotherapist, written by Joseph Weizenbaum between 1964 and 1966. Using almost no information about "
    "human thought or emotion, ELIZA sometimes provided a startlingly human-like interaction. When the "
    "patient exceeded the very small knowledge base, ELIZA might provide a generic response, for example, "
    "responding to My head hurts with Why do you say your head hurts? During the 1970s, many programmers "
    "began to write conceptual ontologies, which structured real-world information into computer-understandable "
    "data. Examples are MARGIE, SAM, PAM, TaleSpin, QUALM, Politics, and Plot Units. During this time, many "
    "chatterbots were written including PARRY, Racter, and Jabberwacky. Up to the 1980s, most natural "
    "language processing systems were based on complex sets of hand-written rules. Starting in the late 1980s, "
    "however, there was a revolution in natural language processing with the introduction of machine learning "
    "algorithms for language processing."
)
TEXTS = [
    "A man is eating food.",
    "The quick brown fox jumps over the lazy dog.",
    "Café crème brûlée à Paris, s'il vous plaît.",
    "我爱自然语言处理。",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "",
    "Hello",
    "Über die Brücke gehen Fußgänger; naïve façade, coöperate, Ångström.",
    "¿Dónde está la biblioteca? ¡Mañana!",
    "東京は日本の首都です。ソウルは韓国の首都です。",
    "서울은 한국의 수도입니다.",
    "Москва — столица России.",
    "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
    "I love pizza 🍕🍕 and coffee ☕! 😀👍🏽",
    "Visit https://example.com/path?q=1&r=2 or mail info@example.org — now!!!",
    "Numbers: 3.14159, 2,718, 1e-9, $1,000,000 and 50% off.",
    "  Leading and trailing   spaces\tand\ttabs\nand newlines  ",
    "UPPER case and MiXeD CaSe WoRdS",
    "don't won't can't it's we're they'll",
    "antidisestablishmentarianism supercalifragilisticexpialidocious",
    LONG,
]
SHORT_TEXT = "A man is eating food."


def golden(folder, header):
    """Golden data for the real model: token ids from its own tokenizer, sentence embeddings from
    SentenceTransformer.encode, last_hidden_state for the first LHS_ROWS rows, and a padding-invariance
    case that pads a short sentence beside a 512-token row (the checkpoint's max_position_embeddings)."""
    st = ro.load_sentence_transformer(folder)
    model = st[0].auto_model
    tokenizer = st.tokenizer
    max_len = st.max_seq_length

    features = st.preprocess(TEXTS)
    inputs = _rows(features)
    if max(sum(r["attention_mask"]) for r in inputs) != max_len:
        raise RuntimeError(f"the long paragraph should be truncated to max_seq_length {max_len}")
    encoded = st.encode(TEXTS, batch_size=len(TEXTS), convert_to_numpy=True, normalize_embeddings=False)
    batch = {k: features[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
    forward = ro.sentence_embedding(st, batch)
    if ro.max_abs_diff(encoded, forward) > 1e-6:
        raise RuntimeError("encode and forward on the stored ids disagree")
    lhs_len = max(sum(r["attention_mask"]) for r in inputs[:LHS_ROWS])
    first = {k: v[:LHS_ROWS, :lhs_len] for k, v in batch.items()}
    lhs = ro.encoder_outputs(model, first)["last_hidden_state"]

    long_ids = tokenizer(LONG + " " + LONG, truncation=True, max_length=model.config.max_position_embeddings)
    short_ids = tokenizer(SHORT_TEXT)
    long_row = {"input_ids": long_ids["input_ids"], "token_type_ids": long_ids["token_type_ids"]}
    short_row = {"input_ids": short_ids["input_ids"], "token_type_ids": short_ids["token_type_ids"]}
    alone_inputs, alone_batch = ro.pad([short_row])
    padded_inputs, padded_batch = ro.pad([long_row, short_row])
    if len(padded_inputs[0]["input_ids"]) != model.config.max_position_embeddings:
        raise RuntimeError("the long row should fill max_position_embeddings")

    out = header(
        "all-MiniLM-L6-v2", model, model_env="BERTBATCH_MODEL_DIR", max_seq_length=max_len,
        pooling_mode="mean", normalize=True, texts=TEXTS, last_hidden_state_rows=LHS_ROWS,
    )
    out["inputs"] = inputs
    out["sentence_embedding"] = f32(encoded)
    out["last_hidden_state"] = f32(lhs)
    out["padding_invariance"] = {
        "row": 1,
        "alone": {
            "inputs": alone_inputs,
            "last_hidden_state": f32(ro.encoder_outputs(model, alone_batch)["last_hidden_state"]),
            "sentence_embedding": f32(ro.sentence_embedding(st, alone_batch)),
        },
        "padded": {"inputs": padded_inputs, "sentence_embedding": f32(ro.sentence_embedding(st, padded_batch))},
    }
    return out


def _rows(features):
    """The tokenized batch as JSON rows."""
    keys = ("input_ids", "attention_mask", "token_type_ids")
    arrays = {k: np.asarray(features[k]) for k in keys}
    return [{k: [int(x) for x in arrays[k][i]] for k in keys} for i in range(len(arrays["input_ids"]))]

