"""Datasets: one table from the public name to a generator or loader, plus features and splits.

The package, one job a module: `dataset` (the Dataset shape), `course` (the seeds' data),
`generators` (2-D and regression point clouds), `uploads` (CSV text and clicked points),
`catalogue` (the table DATASETS and make_dataset) and `split` (split, normalization, the points
answer); features live in `app.train.features`. The names below are what callers use:
`from app.train import datasets as ds; ds.make_dataset(name, options, limits)`.
"""

from app.train.datasets.catalogue import (
    DATASETS,
    DatasetSpec,
    Param,
    bound,
    check_size,
    make_dataset,
)
from app.train.datasets.course import (
    TABLE_UNKNOWN,
    TABLE_X1X2Y,
    THERMOMETER_T_C,
    THERMOMETER_T_U,
    go_out,
    random_regression,
    table_x1x2y,
    thermometer,
)
from app.train.datasets.dataset import Dataset, Task
from app.train.datasets.generators import (
    blobs,
    bumps,
    circle,
    gauss,
    moons,
    plane,
    sine,
    spiral,
    xor,
)
from app.train.datasets.split import (
    Normalization,
    describe_points,
    fit_normalization,
    split_indices,
)
from app.train.datasets.uploads import CSVError, from_csv, from_points
from app.train.features import (
    FEATURE_OPS,
    Feature,
    FeatureRequest,
    Features,
    compute_features,
    feature_names,
    feature_options,
    resolve_feature,
)

__all__ = [
    "DATASETS",
    "FEATURE_OPS",
    "TABLE_UNKNOWN",
    "TABLE_X1X2Y",
    "THERMOMETER_T_C",
    "THERMOMETER_T_U",
    "CSVError",
    "Dataset",
    "DatasetSpec",
    "Feature",
    "FeatureRequest",
    "Features",
    "Normalization",
    "Param",
    "Task",
    "blobs",
    "bound",
    "bumps",
    "check_size",
    "circle",
    "compute_features",
    "describe_points",
    "feature_names",
    "feature_options",
    "fit_normalization",
    "from_csv",
    "from_points",
    "gauss",
    "go_out",
    "make_dataset",
    "moons",
    "plane",
    "random_regression",
    "resolve_feature",
    "sine",
    "spiral",
    "split_indices",
    "table_x1x2y",
    "thermometer",
    "xor",
]
