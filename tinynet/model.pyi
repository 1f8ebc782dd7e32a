from typing import (Any, Callable, Dict, List, Literal, NoReturn, Optional, Protocol, Sequence,
                    Tuple, TypedDict, TypeVar, Union, overload)

from .callbacks import EarlyStopping
from .matrix import Matrix
from .results import History, Scores
from .settings import Settings

class _ByteRows(Protocol):  # a byte-backed dataset, such as tinynet.datasets.Images
    width: int
    def __len__(self) -> int: ...
    def byte_rows(self, index: Sequence[int]) -> bytes: ...

_Sample = Sequence[float]  # a list, tuple, array.array or NumPy row of numbers
# A batch: rows of numbers, a byte-backed dataset (datasets.Images), a Matrix or a 2-D NumPy array.
_Batch = Union[Sequence[Sequence[float]], _ByteRows, Matrix, Any]
# Targets: int labels, one target row per sample, or one number per sample (a regression).
_Targets = Union[Sequence[int], Sequence[float], Sequence[Sequence[float]], Any]

class _EpochRecord(TypedDict, total=False):
    epoch: int
    loss: float
    accuracy: float
    seconds: float
    val_loss: float
    val_accuracy: float

class _Event(TypedDict, total=False):
    event: Literal["batch", "epoch"]
    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    accuracy: float
    seconds: float
    val_loss: float
    val_accuracy: float

_Schedule = Union[None, Literal["cosine", "linear", "constant"], Callable[[float], float]]
_M = TypeVar("_M", bound="Model")

class Model(Settings):
    # One sample gives its outputs (a list, or a NumPy row); a batch, one row per sample.
    # scale multiplies every input first (raw pixels, with scale=1 / 255).
    def predict(self, x: Union[_Sample, _Batch, bytes, bytearray],
                verbose: Union[Literal[0, 1, 2, "auto"], bool] = 0,
                scale: Optional[float] = None) -> Any: ...
    @overload
    def classify(self, x: Union[_ByteRows, Sequence[Sequence[float]]],
                 scale: Optional[float] = None) -> List[int]: ...
    @overload
    def classify(self, x: Union[Sequence[float], bytes, bytearray],
                 scale: Optional[float] = None) -> int: ...
    @overload
    def classify(self, x: Any, scale: Optional[float] = None) -> Any: ...
    def predict_proba(self, X: Union[_Sample, _Batch]) -> Any: ...
    def score(self, X: _Batch, y: _Targets) -> float: ...
    def evaluate(self, X: _Batch, y: _Targets, batch_size: int = 1024,
                 verbose: Union[Literal[0, 1, 2, "auto"], bool] = 0) -> Scores: ...
    def fit(self, X: _Batch, y: _Targets, epochs: int = 1, batch_size: int = 32,
            validation_data: Optional[Tuple[_Batch, _Targets]] = None, shuffle: bool = True,
            callback: Optional[Callable[[_Event], object]] = None,
            schedule: _Schedule = None, verbose: Union[Literal[0, 1, 2, "auto"], bool] = 0,
            validation_split: float = 0.0, callbacks: Optional[Sequence[Any]] = None,
            early_stopping: Union[None, bool, int, EarlyStopping] = None) -> History: ...
    def objective(self, X: Matrix, Y: Matrix) -> float: ...
    def gradients(self, X: Matrix, Y: Matrix) -> Tuple[float, List[Matrix], List[Matrix]]: ...
    @property
    def n_parameters(self) -> int: ...
    def count_params(self) -> int: ...
    def summary(self, print_fn: Optional[Callable[[str], object]] = None) -> None: ...
    def _repr_html_(self) -> str: ...
    # The weights and biases (not scikit-learn's settings: a deep or a setting raises TypeError).
    def get_params(self, deep: None = None) -> Dict[str, List[Any]]: ...
    def set_params(self, weights: Optional[Sequence[Sequence[Sequence[float]]]] = None,
                   biases: Optional[Sequence[Sequence[float]]] = None,
                   **settings: object) -> None: ...
    # Keras's order: [W1, b1, W2, b2, ...] (lists; set_weights takes NumPy arrays too).
    def get_weights(self) -> List[Any]: ...
    def set_weights(self, weights: Sequence[Any]) -> None: ...
    def to_dict(self, optimizer_state: bool = True) -> Dict[str, Any]: ...
    @classmethod
    def from_dict(cls: type[_M], data: Dict[str, Any], backend: Optional[str] = None,
                  source: Optional[str] = None) -> _M: ...
    def save(self, path: Any, format: Optional[Literal["pickle", "json", "float32", "int8"]] = None,
             optimizer_state: bool = True) -> None: ...

def not_a_matrix(X: object) -> NoReturn: ...
