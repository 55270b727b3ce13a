"""Datasets: shapes, balance, seed determinism, the seeds' numbers, features, splits and CSV."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from app.errors import UserError
from app.settings import TrainLimits
from app.train import datasets as ds

LIMITS = TrainLimits()

GENERATED = ["circle", "xor", "gauss", "spiral", "moons", "blobs", "sine", "plane", "bumps"]
TWO_CLASS = ["circle", "xor", "gauss", "spiral", "moons"]


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("n", [1, 7, 200])
def test_shape(name: str, n: int) -> None:
    data = ds.make_dataset(name, {"n_samples": n}, LIMITS)
    assert data.x.shape == (n, len(data.input_names))
    assert data.x.dtype == torch.float32
    assert len(data.y) == n
    assert bool(torch.isfinite(data.x).all())


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_same_points_other_seed_other_points(name: str) -> None:
    a = ds.make_dataset(name, {"seed": 3, "noise": 0.2}, LIMITS)
    b = ds.make_dataset(name, {"seed": 3, "noise": 0.2}, LIMITS)
    c = ds.make_dataset(name, {"seed": 4, "noise": 0.2}, LIMITS)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x)


@pytest.mark.parametrize("name", TWO_CLASS)
@pytest.mark.parametrize("n", [10, 201])
def test_two_class_sets_are_balanced(name: str, n: int) -> None:
    data = ds.make_dataset(name, {"n_samples": n}, LIMITS)
    counts = torch.bincount(data.y, minlength=2)
    assert data.n_classes == 2 and abs(int(counts[0]) - int(counts[1])) <= 1


@pytest.mark.parametrize("k", [3, 5])
def test_blobs_has_k_balanced_classes(k: int) -> None:
    data = ds.make_dataset("blobs", {"n_samples": 100, "n_classes": k}, LIMITS)
    counts = torch.bincount(data.y, minlength=k)
    assert data.n_classes == k and int(counts.max() - counts.min()) <= 1


@pytest.mark.parametrize(
    ("name", "inside"),
    [
        ("circle", lambda x: x.norm(dim=1) < 3.0),
        ("xor", lambda x: x[:, 0] * x[:, 1] > 0),
        ("gauss", lambda x: x.sum(1) > 0),
    ],
)
def test_noise_free_labels_follow_the_rule(name: str, inside: object) -> None:
    data = ds.make_dataset(name, {"noise": 0.0, "n_samples": 300}, LIMITS)
    rule = inside(data.x)  # type: ignore[operator]
    agree = (rule.long() == data.y).float().mean()
    assert agree > 0.97


def test_thermometer_is_the_seed_table() -> None:
    data = ds.make_dataset("thermometer", {}, LIMITS)
    assert data.x[:, 0].tolist() == pytest.approx(
        [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]
    )
    assert data.y[:, 0].tolist() == [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]


def test_x1x2y_table_with_its_unknown_rows() -> None:
    data = ds.make_dataset("table", {}, LIMITS)
    assert data.x.shape == (9, 2) and data.y[:, 0].tolist() == [5, 6, 0, 7, 3, 3, 9, 4, 3]
    assert data.unknown_x is not None and data.unknown_x.tolist() == [[4, 3], [1, 2], [2, 9]]


@pytest.mark.parametrize(("n", "d_in", "d_out"), [(64, 1000, 10), (5, 3, 1)])
def test_random_regression_sizes(n: int, d_in: int, d_out: int) -> None:
    data = ds.make_dataset(
        "random_regression", {"n_samples": n, "d_in": d_in, "d_out": d_out}, LIMITS
    )
    assert data.x.shape == (n, d_in) and data.y.shape == (n, d_out)


@pytest.mark.parametrize(
    ("name", "options", "type"),
    [
        ("nope", {}, "dataset_error"),
        ("spiral", {"n_samples": 0}, "limit_exceeded"),
        ("spiral", {"n_samples": 10**7}, "limit_exceeded"),
        ("spiral", {"n_samples": 2.5}, "dataset_error"),
        ("spiral", {"colour": 1}, "dataset_error"),
        ("thermometer", {"n_samples": 5}, "dataset_error"),
        ("spiral", {"noise": "loud"}, "dataset_error"),
        ("spiral", {"noise": float("nan")}, "dataset_error"),
        ("csv", {"text": "x,y\n1,2\n", "task": "guess"}, "dataset_error"),
        ("points", {"points": [[0, 0, 1]], "task": 5}, "dataset_error"),
    ],
)
def test_bad_options(name: str, options: dict[str, object], type: str) -> None:
    with pytest.raises(UserError) as err:
        ds.make_dataset(name, options, LIMITS)
    assert err.value.type == type


def test_derived_features_match_their_formulas() -> None:
    x = torch.tensor([[1.0, 2.0], [-3.0, 0.5]])
    names = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    assert ds.feature_names(("x1", "x2")) == names
    got = ds.compute_features(x, ("x1", "x2"), names)
    a, b = x[:, 0], x[:, 1]
    want = torch.stack([a, b, a * a, b * b, a * b, torch.sin(a), torch.sin(b)], 1)
    assert torch.allclose(got, want)
    with pytest.raises(UserError, match="unknown feature"):
        ds.compute_features(x, ("x1", "x2"), ["x3"])


def test_normalization_gives_zero_mean_unit_std_on_train() -> None:
    x = ds.make_dataset("thermometer", {}, LIMITS).x
    norm = ds.fit_normalization(x, normalize=True)
    z = norm.apply(x)
    assert abs(float(z.mean())) < 1e-5 and abs(float(z.std(unbiased=False)) - 1) < 1e-5
    assert torch.equal(ds.fit_normalization(x, normalize=False).apply(x), x)


@pytest.mark.parametrize(("n", "fraction", "n_val"), [(100, 0.2, 20), (11, 0.2, 2), (5, 0.0, 0)])
def test_split_is_seeded_disjoint_and_complete(n: int, fraction: float, n_val: int) -> None:
    train, val = ds.split_indices(n=n, val_fraction=fraction, seed=1)
    again = ds.split_indices(n=n, val_fraction=fraction, seed=1)
    assert len(val) == n_val and sorted(train.tolist() + val.tolist()) == list(range(n))
    assert torch.equal(train, again[0]) and torch.equal(val, again[1])


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_regression_with_unknown_rows() -> None:
    data = ds.from_csv(text="x1,x2,y\n2,8,5.5\n9,2,6\n4,3,?\n1,2,\n")
    assert data.task == "regression" and data.x.tolist() == [[2, 8], [9, 2]]
    assert data.y[:, 0].tolist() == [5.5, 6]
    assert data.unknown_x is not None and data.unknown_x.tolist() == [[4, 3], [1, 2]]


def test_csv_classification_and_target_column() -> None:
    data = ds.from_csv(text="label,a,b\n0,1,2\n1,3,4\n2,5,6\n", target="label")
    assert data.task == "classification" and data.n_classes == 3
    assert data.input_names == ("a", "b") and data.y.tolist() == [0, 1, 2]


def test_csv_with_bom_spaces_and_blank_lines() -> None:
    data = ds.from_csv(text="\ufefft_u , t_c\n 35.7 , 0.5\n\n55.9,14\n", task="regression")
    assert data.input_names == ("t_u",) and data.y[:, 0].tolist() == [0.5, 14]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("x,y\n1,2\n3,abc\n", [3]),
        ("x,y\n1,2\n3\n4,5,6\n", [3, 4]),
        ("x,y\n1,inf\n2,3\n", [2]),
        ("x,y\nfoo,1\nbar,2\n", [2, 3]),
    ],
)
def test_csv_bad_rows_each_named(text: str, lines: list[int]) -> None:
    with pytest.raises(ds.CSVError) as err:
        ds.from_csv(text=text)
    assert [row["line"] for row in err.value.rows] == lines
    assert err.value.as_dict()["type"] == "csv_error"


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("", "", "header row"),
        ("x\n1\n", "", "two columns"),
        ("x,x\n1,2\n", "", "distinct"),
        ("x,y\n1,2\n", "z", "no column named"),
        ("x,y\n1,?\n", "", "no row with a known target"),
    ],
)
def test_csv_bad_files(text: str, target: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        ds.from_csv(text=text, target=target)


def test_clicked_points_make_a_dataset() -> None:
    data = ds.make_dataset("points", {"points": [[0, 0, 0], [1, 1, 1], [2, 0, 1]]}, LIMITS)
    assert data.task == "classification" and data.x.shape == (3, 2) and data.n_classes == 2
    assert math.isclose(float(data.x[2, 0]), 2.0)


def test_random_regression_is_the_numpy_seeds_data() -> None:
    # Seed 004: np.random.seed(42); x = np.random.randn(N, D_in); y = np.random.randn(N, D_out)
    np.random.seed(42)
    x = np.random.randn(64, 1000)
    y = np.random.randn(64, 10)
    data = ds.make_dataset("random_regression", {}, LIMITS)
    assert torch.allclose(data.x, torch.from_numpy(x).float())
    assert torch.allclose(data.y, torch.from_numpy(y).float())


# --- limits are checked from the options, before any point is made ----------------------------


@pytest.mark.parametrize(
    ("name", "options", "limits"),
    [
        ("random_regression", {"n_samples": 10_000, "d_in": 1000}, LIMITS),  # 10⁷ values
        ("random_regression", {"n_samples": 3, "d_in": 5}, TrainLimits(max_data_elements=14)),
        ("spiral", {"n_samples": 8}, TrainLimits(max_data_elements=15)),
        ("sine", {"n_samples": 8}, TrainLimits(max_data_elements=7)),
        ("blobs", {"n_classes": 4}, TrainLimits(max_classes=3)),
    ],
)
def test_a_size_past_the_limits_is_refused_before_building(
    name: str, options: dict[str, object], limits: TrainLimits, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(**_: object) -> ds.Dataset:
        raise AssertionError("the generator ran")

    monkeypatch.setitem(ds.DATASETS, name, dataclasses.replace(ds.DATASETS[name], make=never))
    with pytest.raises(UserError) as err:
        ds.make_dataset(name, options, limits)
    assert err.value.type == "limit_exceeded"


@pytest.mark.parametrize(
    ("name", "options", "limits"),
    [
        ("random_regression", {"n_samples": 3, "d_in": 5}, TrainLimits(max_data_elements=15)),
        ("spiral", {"n_samples": 8}, TrainLimits(max_data_elements=16)),
        ("sine", {"n_samples": 8}, TrainLimits(max_data_elements=8)),
    ],
)
def test_a_size_at_the_limits_is_built(
    name: str, options: dict[str, object], limits: TrainLimits
) -> None:
    data = ds.make_dataset(name, options, limits)
    assert data.x.numel() == limits.max_data_elements


@pytest.mark.parametrize("name", [n for n, spec in ds.DATASETS.items() if spec.size is not None])
def test_the_size_a_spec_announces_is_the_size_it_builds(name: str) -> None:
    spec = ds.DATASETS[name]
    options = {key: param.default for key, param in spec.params.items()}
    assert spec.size is not None
    assert spec.size(options) == tuple(ds.make_dataset(name, {}, LIMITS).x.shape)
