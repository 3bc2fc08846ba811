"""The sentiment head: one logistic regression per language, over the message embedding (plus, for Chinese,
character n-grams weighted by naive Bayes).

Why per language: trained together, the 14,000 Chinese reviews outweighed the English
examples and English pos/neg fell from 0.87 to 0.82 (bench/understanding_bench.py). Why
n-grams for Chinese: review words (差, 垃圾, 好评) carry sentiment that the multilingual
embedding blurs; binary character 1-3-grams scaled by their log-count ratio (NB-LR, Wang &
Manning 2012) raised Chinese pos/neg by several points over the embedding alone. A message
in a language without a head of its own is read by the English one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

FALLBACK_LANGUAGE = "en"
NGRAM_LANGUAGES = ("zh",)
# Chosen by 3-fold cross-validation on the Chinese training reviews (bench/understanding_bench.py --parts sentiment).
NGRAM_WEIGHT = 0.3
NGRAM_RANGE = (1, 3)
ZH_C = 0.3
EN_C = 1.0


@dataclass
class NaiveBayesNgrams:
    """Binary character n-grams, each scaled by log(P(ngram | positive) / P(ngram | negative))."""

    vectorizer: CountVectorizer
    ratios: np.ndarray
    weight: float

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        present = (self.vectorizer.transform(list(texts)) > 0).astype(np.float64)
        return sparse.csr_matrix(present.multiply(self.ratios * self.weight))


def fit_ngrams(texts: Sequence[str], labels: Sequence[str], *, weight: float = NGRAM_WEIGHT) -> NaiveBayesNgrams:
    vectorizer = CountVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, min_df=2, binary=True).fit(list(texts))
    present = vectorizer.transform(list(texts))
    truth = np.asarray(labels, dtype=object)
    positive = np.asarray(present[truth == "positive"].sum(axis=0)).ravel() + 1.0
    negative = np.asarray(present[truth == "negative"].sum(axis=0)).ravel() + 1.0
    ratios = np.log((positive / positive.sum()) / (negative / negative.sum()))
    return NaiveBayesNgrams(vectorizer=vectorizer, ratios=ratios, weight=weight)


@dataclass
class LanguageSentiment:
    classifier: LogisticRegression
    ngrams: NaiveBayesNgrams | None = None

    def features(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray | sparse.csr_matrix:
        if self.ngrams is None:
            return vectors
        return sparse.hstack([sparse.csr_matrix(vectors), self.ngrams.transform(texts)]).tocsr()

    def scores(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        probabilities = self.classifier.predict_proba(self.features(vectors, texts))
        classes = list(self.classifier.classes_)
        negative = probabilities[:, classes.index("negative")]
        positive = probabilities[:, classes.index("positive")] if "positive" in classes else np.zeros(len(texts))
        return positive - negative


@dataclass
class SentimentHead:
    """Negative/neutral/positive per language; the score is P(positive) - P(negative)."""

    by_language: dict[str, LanguageSentiment]

    def scores(self, vectors: np.ndarray, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        result = np.zeros(len(texts))
        for language in sorted(set(languages)):
            head = self.by_language.get(language) or self.by_language[FALLBACK_LANGUAGE]
            rows = [i for i, lang in enumerate(languages) if lang == language]
            result[rows] = head.scores(vectors[rows], [texts[i] for i in rows])
        return result


def fit_language_sentiment(
    vectors: np.ndarray, texts: Sequence[str], labels: Sequence[str], *, ngrams: bool, c: float
) -> LanguageSentiment:
    grams = fit_ngrams(texts, labels) if ngrams else None
    head = LanguageSentiment(classifier=LogisticRegression(C=c, max_iter=3000), ngrams=grams)
    head.classifier.fit(head.features(vectors, texts), np.asarray(labels, dtype=object))
    return head


def fit_sentiment_head(
    vectors: np.ndarray, texts: Sequence[str], labels: Sequence[str], languages: Sequence[str]
) -> SentimentHead:
    """One head per language present (at least the fallback's), each on its own language's examples."""
    by_language: dict[str, LanguageSentiment] = {}
    for language in sorted({*languages} - {"other"}):
        rows = [i for i, lang in enumerate(languages) if lang == language]
        if len({labels[i] for i in rows}) < 2:
            continue
        by_language[language] = fit_language_sentiment(
            vectors[rows],
            [texts[i] for i in rows],
            [labels[i] for i in rows],
            ngrams=language in NGRAM_LANGUAGES,
            c=ZH_C if language == "zh" else EN_C,
        )
    if FALLBACK_LANGUAGE not in by_language:
        # A shop with sentiment examples in one language only: that language reads every message.
        if not by_language:
            raise ValueError("sentiment examples need at least two labels in one language")
        by_language[FALLBACK_LANGUAGE] = next(iter(by_language.values()))
    return SentimentHead(by_language=by_language)
