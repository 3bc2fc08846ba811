"""Training from files: a shop's own CSV through the CLI, and bad input refused without loss."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.errors import BadInputError, UnderstandingModelError
from assistant.settings import Settings
from assistant.understanding import MessageUnderstanding
from assistant.understanding.classifier import UnderstandingModel
from assistant.understanding.cli import app
from assistant.understanding.service import default_model_path, train_and_save
from assistant.understanding.training_data import read_intent_examples, read_labelled
from tests.understanding.small_model import EMBEDDING_MODEL, SmallModel, embedder

REPO = Path(__file__).resolve().parents[2]

SHOP_CSV = """text,intent
where is my parcel,track_order
track my order please,track_order
has my order shipped yet,track_order
我的快递到哪了,track_order
查一下物流,track_order
I want to return these shoes,return_item
how do I send this item back,return_item
"the jacket does not fit, can I return it",return_item
我要退货,return_item
这件衣服能退吗,return_item
"""


def _small_inputs(tmp_path: Path) -> dict[str, object]:
    shop = tmp_path / "shop_intents.csv"
    shop.write_text(SHOP_CSV, encoding="utf-8")
    oos = tmp_path / "oos.json"
    oos.write_text(
        json.dumps(
            {
                "oos_train": [["what's the weather today", "oos"], ["play some jazz", "oos"], ["who won the match", "oos"]],
                "oos_val": [["tell me a joke", "oos"]],
            }
        ),
        encoding="utf-8",
    )
    sentiment = tmp_path / "sentiment.csv"
    sentiment.write_text(
        'text,label\n"terrible, I hate it",negative\n太差了,negative\nawful service,negative\n'
        'ok,neutral\nwhere is it,neutral\n好的,neutral\n"great, thanks!",positive\n非常满意,positive\nlove it,positive\n',
        encoding="utf-8",
    )
    return {"shop": shop, "oos": oos, "sentiment": sentiment}


def test_cli_trains_a_shop_csv_and_the_service_loads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _small_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)  # no .env of the developer is read
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_UNDERSTANDING__OUT_OF_SCOPE_DATA", str(files["oos"]))
    monkeypatch.setenv("ASSISTANT_UNDERSTANDING__SENTIMENT_DATA", json.dumps([str(files["sentiment"])]))
    monkeypatch.setenv("ASSISTANT_UNDERSTANDING__PUBLIC_INTENT_DATA", "[]")  # the shop's own examples alone
    monkeypatch.setenv("ASSISTANT_UNDERSTANDING__EMBEDDING_MODEL", EMBEDDING_MODEL)  # the light one, as `embedder()`
    result = CliRunner().invoke(app, ["train", "--data", str(files["shop"])])
    assert result.exit_code == 0, result.output
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    path = default_model_path(settings)
    assert path == tmp_path / "data" / "understanding" / "model.joblib" and path.exists()
    service = MessageUnderstanding.from_settings(settings, embedder())
    assert service.model.intent.intents == ["return_item", "track_order"]
    assert service.analyse("我想退货").intent == "return_item"
    assert service.analyse("where's my package").intent == "track_order"


def test_bad_csv_is_refused_and_the_existing_model_is_kept(
    tmp_path: Path, trained: SmallModel, make_settings: Callable[..., Settings]
) -> None:
    files = _small_inputs(tmp_path)
    settings = make_settings(
        understanding={"out_of_scope_data": files["oos"], "sentiment_data": [files["sentiment"]], "public_intent_data": []}
    )
    path = default_model_path(settings)
    trained.model.save(path)
    before = path.read_bytes()
    bad = tmp_path / "bad.csv"
    for content, message in [
        ("question,answer\nhi,there\n", "needs a text field"),
        ("text,intent\nwhere is my parcel,track_order\n,track_order\n", "row 3"),
        ("text,intent\na,x\nb,x\nc,x\n", "at least two intents"),
        ("text,intent\na,x\nb,x\nc,x\nd,y\n", "fewer than 3"),
    ]:
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(BadInputError, match=message):
            train_and_save(settings.understanding, trained.embedder, path, intent_data=[bad])
    bad.write_bytes("text,intent\n\xff\xfe\n".encode("latin-1"))
    with pytest.raises(BadInputError, match="UTF-8"):
        read_intent_examples([bad])
    lines = tmp_path / "bad.jsonl"
    for content, message in [
        ('{"text": "where is my parcel", "intent": "track_order"}\nnot json\n', "line 2 is not JSON"),
        ('["where is my parcel", "track_order"]\n', "not a JSON object"),
        ('{"text": "where is my parcel"}\n', "needs a text field"),
    ]:
        lines.write_text(content, encoding="utf-8")
        with pytest.raises(BadInputError, match=message):
            train_and_save(settings.understanding, trained.embedder, path, intent_data=[lines])
    stale_map = tmp_path / "map.csv"
    stale_map.write_text("from,to\nwhere,track_order\n", encoding="utf-8")
    public = settings.understanding.model_copy(update={"public_intent_data": [files["shop"]], "public_intent_map": stale_map})
    with pytest.raises(BadInputError, match="not in the label map"):
        train_and_save(public, trained.embedder, path)
    assert path.read_bytes() == before


def test_shop_messages_and_public_sets_read_alike(tmp_path: Path) -> None:
    shop = read_labelled(REPO / "evals/datasets/shop_messages_dev.jsonl")
    assert len(shop) > 1000 and {"track_order", "human_agent", "out_of_scope"} <= {intent for _, intent in shop}
    sentiment = read_labelled(REPO / "evals/datasets/shop_messages_dev.jsonl", label_columns=("sentiment", "label"))
    assert {label for _, label in sentiment} == {"negative", "neutral", "positive"}


def test_missing_model_names_the_command(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    service = MessageUnderstanding.from_settings(settings, embedder())
    with pytest.raises(UnderstandingModelError, match="assistant understand train"):
        service.analyse("hello")


def test_model_of_another_embedder_is_refused(tmp_path: Path, trained: SmallModel) -> None:
    path = tmp_path / "model.joblib"
    trained.model.save(path)
    with pytest.raises(UnderstandingModelError, match="trained on"):
        UnderstandingModel.load(path, embedder_model_id="packaged:all-minilm-l6-v2")
    assert UnderstandingModel.load(path, embedder_model_id=trained.embedder.model_id).trained_at == trained.model.trained_at
