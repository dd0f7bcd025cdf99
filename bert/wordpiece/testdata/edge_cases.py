"""Hand-made inputs where BERT tokenizer implementations tend to differ (used by gen_parity.py)."""

WHITESPACE = [
    "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007",
    "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u0085",
    "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\t", "\n", "\r",
]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u180e", "\u00ad",
             "\u061c", "\u2066", "\u2069", "\ufff9", "\U000e0001", "\U000e0041"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x80", "\x9f", "\ufffd", "\ue000", "\uf8ff",
           "\U000f0000", "\U0010fffd", "\ufffe", "\uffff", "\U000e01ef"]

# CJK blocks and their edges, including the extension ranges where implementations disagree.
CJK = [0x3400, 0x4DBF, 0x4DC0, 0x4E00, 0x9FFF, 0xF900, 0xFA0E, 0xFAFF, 0x20000, 0x2A6DF, 0x2A6E0,
       0x2A700, 0x2B73F, 0x2B740, 0x2B81F, 0x2B820, 0x2B91F, 0x2B920, 0x2CEAF, 0x2CEB0, 0x2EBE0,
       0x2F800, 0x2FA1F, 0x30000, 0x31350, 0x2E80, 0x2F00, 0x3007, 0x3005, 0x31C0]

# Code points whose class changed between Unicode 8.0 (tokenizers' category tables), 9.0 (its
# NFD), 15.0 (Go) and 17.0 (Rust's lowercase).
SKEW = [0x166D, 0x111C9, 0x2E52, 0x2E5D, 0x1E95E, 0x061D, 0x0890, 0x08E2, 0x110CD, 0x13430, 0x1343F,
        0x1734, 0x07FD, 0x0898, 0x1ABF, 0x1DF6, 0x1E944, 0x11938, 0x1C89, 0xA7CB, 0xA7CC, 0xA7DC,
        0x10D50, 0x16EA0, 0x1E030, 0x11F00, 0x0C3C]


def edge_singles():
    rows = [
        "", " ", "   ", "\t\n\r", "  leading and trailing  ", "a", "A", ".", "...", "[", "]",
        "Hello, world!", "HELLO WORLD", "hello\tworld\nnew line\r\nwindows",
        # accents and case
        "Héllo Wörld café naïve façade Ångström crème brûlée", "ÀÉÎÕÜ àéîõü ÇÑ çñ", "e\u0301 a\u0308\u0301 o\u0328\u0304",
        "İstanbul ıi İI", "ǅungla ǈ ǋ ǲ", "Straße STRASSE ß ẞ", "Ὀδυσσεύς ΣΊΣΥΦΟΣ ΟΔΟΣ σοφός", "ﬁ ﬂ ﬃ ﬀ",
        "Ⅻ ① ⅷ ²³ ½", "Tiếng Việt có dấu", "Привет, мир! Ёё Йй", "Łódź Żółć źdźbło", "Český Krumlov ůňěščř",
        "Ærøskøbing Ǿ ǿ", "Ångström Å Å", "ΐ ΰ ǖ ǘ ṩ ẛ", "\u212a\u212b \u2126", "ﬃ\u0301",
        "ǰ ẖ ẗ ẘ ẙ ẚ", "ŉ", "ᾈ ᾼ ῼ", "Ǆ ǅ ǆ",
        # scripts
        "مرحبا بالعالم", "שָׁלוֹם עוֹלָם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "გამარჯობა", "Բարեւ աշխարհ",
        "வணக்கம் உலகம்", "ಕನ್ನಡ ಲಿಪಿ", "ᏣᎳᎩ", "ꦗꦮ", "ᠮᠣᠩᠭᠣᠯ", "𐌰𐌱𐌲", "𝐀𝐁𝐂 𝔸𝔹 𝕒", "한국어 텍스트 입니다",
        "日本語のテキスト。カタカナ ひらがな ｶﾀｶﾅ", "野口里佳 Noguchi Rika", "你好，世界！「引用」（括号）",
        "１２３ ＡＢＣ ａｂｃ", "١٢٣ १२३ ๑๒๓",
        # emoji
        "👍🏽 👨‍👩‍👧 🇫🇷 ❤️ 🙂 text🙂text", "1️⃣ #️⃣ ©️ ™", "🏳️‍🌈 🧑🏿‍💻", "😀😃😄😁😆😅🤣😂",
        # punctuation and symbols
        "Hello!!! ¿Qué? ¡Sí! «quotes» „German“ “smart” ‘single’ — dash – en … ellipsis",
        "$100 + 5% = <tag> ^caret^ `tick` |pipe| ~tilde~ {brace} [bracket] (paren) \\back/",
        "email@example.com http://x.y/z?q=1&r=2#frag", "C++ C# F# .NET node.js", "don't won't y'all rock'n'roll",
        "3.14159 1,000,000 -42 +7 1e-9 0x1F", "§ ¶ † ‡ • ° ′ ″ ‰ ※ ‽ ⁂", "፨ ᙭ ⸰ ⹏ ꛲ ௹ ֍",
        "←→↑↓ ∀∃∅∇ ≤≥≠ ⊂⊃ ∞", "€£¥₹₽₿ ¢", "___ --- ***", "a_b-c.d/e\\f", "@#$%^&*", "<<<>>>",
        # special tokens in the text
        "[CLS] [SEP] [MASK] [PAD] [UNK]", "[cls] [Sep] [MASK", "a[SEP]b", "[SEP][SEP]", "[[SEP]]",
        "[UNK]nown [MASK]ed", "x [CLS]", "<ent> <ent>x y<ent>z", "New York NEW YORK new york", "foo foobar barfoo foo.",
        "[E1] [E1]  after", "hello Hello HELLO", "Ωmega ωmega ΩMEGA", "<q> a<q>b <q>", "[SEP2]",
        # very long words
        "a" * 99, "a" * 100, "a" * 101, "b" * 500, "supercalifragilistic" * 6,
        "é" * 60, "é" * 101, "e\u0301" * 80, "ß" * 99 + " x", "中" * 200, "😀" * 120, "ab" * 60 + " end",
        "https://example.com/" + "path/" * 50 + "?q=" + "x" * 300, "pneumonoultramicroscopicsilicovolcanoconiosis",
        "unbelievablyunbelievablyunbelievably", "antidisestablishmentarianism!", "x" * 12, "x" * 13,
        # repeated words, to exceed every limit
        "word " * 600, "the quick brown fox " * 40, "。" * 30,
        # long texts, longer than the chunks a right-truncated text is normalized in
        "Héllo wörld e\u0301 \u0301x " * 150, "[SEP] " + "a " * 1100 + "[CLS] tail", "中文 " * 1000,
        "x" * 2100 + " after", " " * 3000 + "end", "a " * 1030 + "\u0301b " * 40, "ÀB " * 900,
        ("lorem ipsum dolor " * 150) + "New York <ent> foo [E1] Ωmega",
    ]
    rows += [f"a{c}b {c} c{c}{c}d" for c in WHITESPACE]
    rows += [f"a{c}b {c} c{c}{c}d" for c in INVISIBLE]
    rows += [f"a{c}b {c} c{c}{c}d" for c in CONTROL]
    rows += [f"x{chr(cp)}y {chr(cp)} z{chr(cp)}{chr(cp)}" for cp in CJK]
    rows += [f"A{chr(cp)}B {chr(cp)} {chr(cp)}{chr(cp)}c" for cp in SKEW]
    rows += ["a\U0001D165\U00016FF0b x\U00011938\u0301y e\u0301\u1DFA\u0316 \u1715\u0334", "ka\u1ABF\u0301\u0316"]
    rows.append("".join(WHITESPACE + INVISIBLE + CONTROL))
    rows.append(" ".join(chr(cp) for cp in CJK + SKEW))
    return rows


def edge_pairs():
    long_a = "alpha " * 300
    long_b = "beta " * 150
    return [
        ("", ""), ("", "only the second"), ("only the first", ""), ("a b c d e", "f g h i j k"),
        (long_a, "short"), ("short", long_a), (long_a, long_b), (long_b, long_a), ("one two three", long_b),
        ("x " * 10, "y " * 10), ("x " * 10, "y " * 11), ("x " * 11, "y " * 10), ("x " * 3, "y " * 40),
        ("Héllo wörld " * 20, "日本語 " * 30), ("[SEP] inside [CLS]", "[MASK] " * 5),
        ("unbelievably " * 8, "q"), ("👍🏽 " * 30, "\u200b\u00a0 " * 30), ("a" * 101, "b" * 101),
        ("What is the capital of France?", "Paris is the capital and most populous city of France."),
        ("<ent> New York <ent>", "foo [E1] Ωmega"),
    ]
