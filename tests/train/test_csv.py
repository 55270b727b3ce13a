"""CSV text and clicked points: what the hostile tester found, one row of input and outcome each."""

import json
import time

import pytest
import torch

from app.errors import UserError
from app.settings import TrainLimits
from app.train import datasets as ds
from app.train.datasets.uploads import MAX_LISTED_ROWS

LIMITS = TrainLimits()


@pytest.mark.parametrize(
    ("text", "inputs", "x", "y"),
    [
        ("x,y\r1,2\r3,4\r", ("x",), [[1], [3]], [2, 4]),  # old Mac line ends
        ("x,y\r\n1,2\r\n3,4\r\n", ("x",), [[1], [3]], [2, 4]),  # Windows
        ("x,y\n1,2\r3,4\r\n", ("x",), [[1], [3]], [2, 4]),  # mixed
        ("temp (C),y\n1,2\n", ("temp (C)",), [[1]], [2]),
        ("height cm,t-u,a*b,y\n1,2,3,4\n", ("height cm", "t-u", "a*b"), [[1, 2, 3]], [4]),
        ('"x, the input",y\n1,2\n', ("x, the input",), [[1]], [2]),
        ("\ufeffx,y\n1,2\n", ("x",), [[1]], [2]),  # a byte-order mark before the header
        ("\n\n\nx,y\n\n1,2\n\n\n", ("x",), [[1]], [2]),
    ],
)
def test_good_csvs_are_read(
    text: str, inputs: tuple[str, ...], x: list[list[float]], y: list[float]
) -> None:
    data = ds.from_csv(text=text, task="regression")
    assert data.input_names == inputs
    assert data.x.tolist() == x and data.y[:, 0].tolist() == y


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("x,y\r1,2\r3,abc\r", [3]),
        ("x,y\r\n\r\n1,2\r\noops,3\r\n", [4]),
        ("\n" * 5 + "x,y\n1,2\nnope,1\n", [8]),
        ('x,"the\ny"\n1,2\nbad,1\n', [4]),  # a quoted header cell over two lines
    ],
)
def test_bad_rows_keep_their_line_numbers_whatever_the_line_ends(
    text: str, lines: list[int]
) -> None:
    with pytest.raises(ds.CSVError) as err:
        ds.from_csv(text=text)
    assert [row["line"] for row in err.value.rows] == lines


def test_a_two_megabyte_csv_of_bad_rows_answers_a_small_error() -> None:
    text = "x,y\n" + "oops,1\n" * 280_000  # about 2 MB
    with pytest.raises(ds.CSVError) as err:
        ds.from_csv(text=text)
    answer = err.value.as_dict()
    assert len(answer["rows"]) == MAX_LISTED_ROWS  # type: ignore[arg-type]
    assert answer["rows"][0] == {"line": 2, "message": "column 'x' is 'oops', not a number"}  # type: ignore[index]
    assert answer["bad_rows"] == 280_000
    assert len(json.dumps(answer)) < 5_000


def test_a_long_bad_cell_is_clipped_in_its_message() -> None:
    with pytest.raises(ds.CSVError) as err:
        ds.from_csv(text="x,y\n" + "z" * 100_000 + ",1\n")
    assert len(str(err.value.rows[0]["message"])) < 100


def test_a_million_blank_lines_are_skipped_quickly() -> None:
    text = "\n" * 500_000 + "x,y\n" + "\n" * 500_000 + "1,2\n3,4\n"
    start = time.perf_counter()
    data = ds.make_dataset("csv", {"text": text}, LIMITS)
    assert time.perf_counter() - start < 5  # was 55 s: quadratic skipping
    assert data.x.tolist() == [[1], [3]]


@pytest.mark.parametrize(
    ("text", "task", "message"),
    [
        ("x,y\n1,0\n2,0\n", "auto", "only class 0"),
        ("x,y\n1,0\n2,0\n", "classification", "only class 0"),
        ("x,y\n1,0.5\n2,1\n", "classification", "whole numbers"),
        ("x,y\n1,2\n", "guess", "choose auto"),
    ],
)
def test_a_target_that_cannot_be_classes_is_refused(text: str, task: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as err:
        ds.from_csv(text=text, task=task)
    assert err.value.type == "csv_error"


@pytest.mark.parametrize(
    ("text", "task", "kind", "n_classes"),
    [
        ("x,y\n1,0\n2,0\n", "regression", "regression", 0),
        ("x,y\n1,1\n2,1\n", "auto", "classification", 2),
        ("x,y\n1,0\n2,1\n3,2\n", "auto", "classification", 3),
        ("x,y\n1,0.5\n2,1\n", "auto", "regression", 0),
        ("x,y\n" + "".join(f"{i},{i}\n" for i in range(11)), "auto", "regression", 0),
    ],
)
def test_the_task_is_inferred_from_the_target(
    text: str, task: str, kind: str, n_classes: int
) -> None:
    data = ds.from_csv(text=text, task=task)
    assert (data.task, data.n_classes) == (kind, n_classes)


@pytest.mark.parametrize(
    ("limits", "text", "message"),
    [
        (TrainLimits(max_features=2), "a,b,c,y\n1,2,3,4\n", "3 input columns"),
        (TrainLimits(max_samples=2), "x,y\n1,2\n3,4\n5,6\n", "more than 2 rows"),
        (TrainLimits(max_data_elements=3), "a,b,y\n1,2,3\n4,5,6\n", "more than 1 rows of 2"),
        (TrainLimits(max_classes=2), "x,y\n1,0\n2,1\n3,2\n", "more than 2 classes"),
        (TrainLimits(max_csv_bytes=10), "x,y\n1,2\n3,4\n", "larger than 10 bytes"),
    ],
)
def test_a_csv_past_a_limit_is_refused(limits: TrainLimits, text: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as err:
        ds.make_dataset("csv", {"text": text}, limits)
    assert err.value.type == "limit_exceeded"


def test_the_row_limit_stops_the_reading_before_the_rest_is_parsed() -> None:
    # Rows past the limit are never read: the bad row after them is not reported.
    text = "x,y\n" + "1,2\n" * 3 + "oops,1\n"
    with pytest.raises(UserError) as err:
        ds.make_dataset("csv", {"text": text}, TrainLimits(max_samples=2))
    assert err.value.type == "limit_exceeded"


@pytest.mark.parametrize(
    ("points", "type"),
    [
        ([], "dataset_error"),
        ([[0, 0]], "dataset_error"),
        ([[0, 0, "a"]], "dataset_error"),
        ([[0, 0, None]], "dataset_error"),
        ([[0, [1], 1]], "dataset_error"),
        ([[0, 0, True]], "dataset_error"),
        ("0,0,1", "dataset_error"),
        ([[0, 0, 0]] * 101, "limit_exceeded"),
    ],
)
def test_bad_clicked_points_are_refused(points: object, type: str) -> None:
    with pytest.raises(UserError) as err:
        ds.make_dataset("points", {"points": points}, TrainLimits(max_samples=100))
    assert err.value.type == type


@pytest.mark.parametrize(
    ("points", "labels"),
    [
        ([[0, 0, 0], [1, 1, 0]], [0, 0]),  # only class 0 clicked so far: still two classes
        ([[0, 0, 1], [1, 1, 1]], [1, 1]),
    ],
)
def test_clicked_points_of_one_class_are_two_class_data(
    points: list[list[float]], labels: list[int]
) -> None:
    data = ds.make_dataset("points", {"points": points}, LIMITS)
    assert data.task == "classification" and data.n_classes == 2 and data.y.tolist() == labels


def test_clicked_points_of_two_classes_make_a_dataset() -> None:
    data = ds.make_dataset("points", {"points": [[0, 0, 0], [1.5, -1, 1]]}, LIMITS)
    assert torch.equal(data.x, torch.tensor([[0.0, 0.0], [1.5, -1.0]]))
    assert data.y.tolist() == [0, 1] and data.n_classes == 2
