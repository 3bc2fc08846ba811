"""The sentences of retrieved passages that bear on the question, within a token budget.

A retrieved chunk is up to 200 tokens of which a question usually needs one or two
sentences; on a 2-core CPU every prompt token costs the customer time before the
first word of the answer, and a small model quotes whatever it is given. So each
passage is cut to its sentences that share keywords with the question (the BM25
tokens: jieba for Chinese, words for English, stop words left out), the
best-scoring first, into the budget and into the prompt.
"""

from __future__ import annotations

import re

from assistant.components.tokens import count_tokens, truncate_to_tokens
from assistant.retrieval.tokenize import tokenize

# A sentence ends at Chinese end punctuation or ! ? ; (kept with it), at a line break, or at a full stop before
# a space and a capital (so "5.5 litres" and "e.g. this" stay whole).
_SENTENCES = re.compile(r"[^。！？!?；;]+[。！？!?；;]*")
_FULL_STOP = re.compile(r"(?<=[^\s.])\.\s+(?=[A-Z(\"'])")


def sentences_of(text: str) -> list[str]:
    """The sentences (and list items, heading lines) of `text`, in order, without empty ones."""
    pieces: list[str] = []
    for line in text.splitlines():
        for part in _FULL_STOP.sub(".\n", line).splitlines():
            pieces.extend(match.group(0).strip() for match in _SENTENCES.finditer(part) if match.group(0).strip())
    return pieces


def relevant_sentences(text: str, question: str, budget_tokens: int) -> str:
    """`text` cut to its sentences that share the most keywords with `question`, at most `budget_tokens` long.

    With no sentence sharing a keyword (the passage was found by meaning alone) its first sentences are kept.
    The best sentence is kept even when it alone is over the budget, cut to it.
    """
    sentences = sentences_of(text)
    if not sentences:
        return ""
    wanted = set(tokenize(question))
    scored = [(len(wanted & set(tokenize(sentence))), index) for index, sentence in enumerate(sentences)]
    if not any(score for score, _ in scored):
        order = list(range(len(sentences)))
    else:
        order = [index for score, index in sorted(scored, key=lambda pair: (-pair[0], pair[1])) if score > 0]
    chosen: list[int] = []
    used = 0
    for index in order:
        cost = count_tokens(sentences[index]) + 1
        if used + cost > budget_tokens:
            if not chosen:
                return truncate_to_tokens(sentences[index], budget_tokens)
            continue
        chosen.append(index)
        used += cost
    # Best first: a small model leans on the first sentence it reads. Measured with the 1.5B model: in document
    # order "We do not sell gift cards" came after "You can pay with … a gift card", and the answer was "Yes, we sell
    # gift cards"; with the best-matching sentence first it said they are not sold.
    return " ".join(sentences[index] for index in chosen)
