"""Knowledge-base search: dense (Chroma), keyword (BM25 with jieba) and their reciprocal rank fusion."""
