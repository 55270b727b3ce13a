"""Features: a column name is looked up exactly first, then the legacy spellings; objects name
an op of the one table; every column is computed as plain torch would."""

import re
import time
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from app.errors import UserError
from app.settings import TrainLimits
from app.train import datasets as ds
from app.train.features import FEATURE_OPS, Feature, offered_features, resolve_feature

XY = ("x1", "x2")
ODD = ("temp (F)", "t-u", "height cm", "a*b")  # column names a CSV may carry


@pytest.mark.parametrize(
    ("value", "columns", "expected"),
    [
        ("x1", XY, Feature("input", ("x1",))),
        ("x1^2", XY, Feature("square", ("x1",))),
        ("x1*x2", XY, Feature("product", ("x1", "x2"))),
        ("sin(x2)", XY, Feature("sin", ("x2",))),
        ("x1 * x2", XY, Feature("product", ("x1", "x2"))),  # legacy spaces still read
        ("x1^2", ("x1", "x1^2"), Feature("input", ("x1^2",))),  # an exact column name wins
        ("temp (F)", ODD, Feature("input", ("temp (F)",))),
        ("t-u", ODD, Feature("input", ("t-u",))),
        ("height cm", ODD, Feature("input", ("height cm",))),
        ("a*b", ODD, Feature("input", ("a*b",))),
        ("a*b", ("a", "b"), Feature("product", ("a", "b"))),
        ("a*b*t-u", ODD, Feature("product", ("a*b", "t-u"))),  # every split is tried
        ("temp (F)^2", ODD, Feature("square", ("temp (F)",))),
        ("sin(height cm)", ODD, Feature("sin", ("height cm",))),
        ({"op": "input", "of": "t-u"}, ODD, Feature("input", ("t-u",))),
        ({"op": "square", "of": "temp (F)"}, ODD, Feature("square", ("temp (F)",))),
        ({"op": "square", "of": ["a*b"]}, ODD, Feature("square", ("a*b",))),
        ({"op": "product", "of": ["t-u", "a*b"]}, ODD, Feature("product", ("t-u", "a*b"))),
        ({"op": "sin", "of": "height cm"}, ODD, Feature("sin", ("height cm",))),
        (SimpleNamespace(op="sin", of="x1"), XY, Feature("sin", ("x1",))),  # a FeatureSpec
    ],
)
def test_a_feature_resolves_to_an_op_and_exact_columns(
    value: Any, columns: tuple[str, ...], expected: Feature
) -> None:
    assert resolve_feature(value, columns) == expected


@pytest.mark.parametrize(
    ("value", "message", "names"),
    [
        ("x3", "unknown feature 'x3'", ["x3"]),
        ("x3^2", "unknown feature 'x3^2'", ["x3^2"]),
        ("temp(F)", "unknown feature 'temp(F)'", ["temp(F)"]),
        ({"op": "square", "of": "x3"}, "unknown feature column 'x3'", ["x3"]),
        ({"op": "cube", "of": "x1"}, "unknown feature op 'cube'", None),
        ({"op": ["square"], "of": "x1"}, "unknown feature op ['square']", None),
        ({"op": "product", "of": "x1"}, "reads 2 column name", None),
        ({"op": "square", "of": ["x1", "x2"]}, "reads 1 column name", None),
        ({"op": "square", "of": 3}, "reads 1 column name", None),
        ({"op": "square", "of": "x1", "colour": 1}, "a feature object has keys op and of", None),
    ],
)
def test_a_bad_feature_is_a_feature_error_listing_the_columns(
    value: Any, message: str, names: list[str] | None
) -> None:
    with pytest.raises(UserError, match=re.escape(message)) as err:
        resolve_feature(value, XY)
    error = err.value.as_dict()
    assert error["type"] == "feature_error" and error["columns"] == ["x1", "x2"]
    assert error.get("names") == names
    assert "'x1', 'x2'" in err.value.message


def _by_hand(x: torch.Tensor) -> dict[str, torch.Tensor]:
    a, b = x[:, 0], x[:, 1]
    return {"a": a, "a²": a * a, "a·b": a * b, "sin a": torch.sin(a), "b²": b * b}


@pytest.mark.parametrize("columns", [XY, ("temp (F)", "t-u")])
def test_objects_and_legacy_strings_compute_the_columns_plain_torch_does(
    columns: tuple[str, ...],
) -> None:
    x = torch.tensor([[1.0, 2.0], [-3.0, 0.5], [0.25, -4.0]])
    first, second = columns
    objects = [
        first,
        {"op": "square", "of": first},
        {"op": "product", "of": [first, second]},
        {"op": "sin", "of": first},
        {"op": "square", "of": [second]},
    ]
    legacy = [first, f"{first}^2", f"{first}*{second}", f"sin({first})", f"{second}^2"]
    want = torch.stack(list(_by_hand(x).values()), 1)
    assert torch.equal(ds.compute_features(x, columns, objects), want)
    assert torch.equal(ds.compute_features(x, columns, legacy), want)


@pytest.mark.parametrize("columns", [XY, ODD, ("t_u",), ("raining", "work", "friends")])
def test_every_offered_feature_round_trips_through_its_request_value(
    columns: tuple[str, ...],
) -> None:
    offered = offered_features(columns)
    options = ds.feature_options(columns)
    assert [o["label"] for o in options] == [f.label for f in offered]
    for feature, option in zip(offered, options, strict=True):
        assert resolve_feature(option["value"], columns) == feature
        assert resolve_feature(feature.spelling, columns) == feature
    assert ds.feature_names(columns) == [f.spelling for f in offered]


def test_the_page_order_and_labels_of_two_inputs() -> None:
    assert [o["label"] for o in ds.feature_options(XY)] == [
        "x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2",
    ]  # fmt: skip
    assert ds.feature_options(("t_u",))[1] == {
        "label": "t_u²",
        "value": {"op": "square", "of": "t_u"},
    }


@pytest.mark.parametrize("name", list(FEATURE_OPS))
def test_every_op_of_the_table_is_complete(name: str) -> None:
    op = FEATURE_OPS[name]
    placeholders = [f"{{{i}}}" for i in range(op.arity)]
    assert all(p in op.label and p in op.spelling for p in placeholders) and op.doc
    columns = [torch.tensor([0.5, -2.0])] * op.arity
    assert op.fn(*columns).shape == (2,)


@pytest.mark.parametrize(
    ("count", "limits", "message"),
    [
        (4, TrainLimits(max_features=3), "4 features; the limit is 3"),
        (3, TrainLimits(max_data_elements=8), "3 rows × 3 features = 9 values"),
    ],
)
def test_too_many_features_are_refused_before_any_is_computed(
    count: int, limits: TrainLimits, message: str
) -> None:
    x = torch.zeros(3, 2)
    with pytest.raises(UserError, match=re.escape(message)) as err:
        ds.compute_features(x, XY, ["x1"] * count, limits=limits)
    assert err.value.type == "limit_exceeded"
    assert ds.compute_features(x, XY, ["x1"] * (count - 1), limits=limits).shape == (3, count - 1)


@pytest.mark.parametrize("text", ["*" * 200_000, "x1*" * 60_000 + "x2", "sin(" * 50_000])
def test_a_long_hostile_spelling_is_refused_quickly(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(UserError) as err:
        resolve_feature(text, ("x1", "x2", "x1*x1"))
    assert err.value.type == "feature_error" and time.perf_counter() - start < 1
    assert len(err.value.message) < 200
