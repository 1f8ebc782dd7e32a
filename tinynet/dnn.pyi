from typing import (Any, Callable, Dict, List, Literal, Optional, Protocol, Sequence, Tuple,
                    TypedDict, Union, overload)

from .datasets import Images
from .matrix import Matrix

class _Named(Protocol):  # an activation or loss object (tinynet.activations, tinynet.losses)
    name: Any

class _Optimizer(Protocol):  # tinynet.optim.SGD, Momentum, Adam
    name: str
    learning_rate: float
    l2: float
    def settings(self) -> Dict[str, float]: ...
    def state(self) -> Dict[str, Any]: ...

_Sample = Sequence[float]  # a list, tuple, array.array or NumPy row of numbers
# A batch: rows of numbers, a datasets.Images, a Matrix or a 2-D NumPy array.
_Batch = Union[Sequence[Sequence[float]], Images, Matrix, Any]
# Targets: an int label or one target row per sample.
_Targets = Union[Sequence[int], Sequence[Sequence[float]], Any]

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

_Activations = Literal["relu", "tanh", "sigmoid"]
_Outputs = Literal["softmax", "sigmoid", "linear"]
_Losses = Literal["cross_entropy", "mse"]
_Optimizers = Literal["sgd", "momentum", "adam"]
_Schedule = Union[None, Literal["cosine", "linear", "constant"], Callable[[float], float]]

class DNN:
    sizes: List[int]
    activation: _Named
    output_activation: _Named
    loss: _Named
    backend: str
    dtype: str
    optimizer: _Optimizer
    seed: Optional[int]
    weights: List[Matrix]
    biases: List[Matrix]
    def __init__(self, sizes: Sequence[int], activation: _Activations = "relu",
                 output: Optional[_Outputs] = None, loss: _Losses = "cross_entropy",
                 learning_rate: Optional[float] = None, optimizer: Union[_Optimizers, _Optimizer] = "sgd",
                 l2: float = 0.0, momentum: Optional[float] = None, seed: Optional[int] = None,
                 backend: Optional[Literal["numpy", "python"]] = None,
                 dtype: Optional[Literal["float64", "float32"]] = None) -> None: ...
    @property
    def learning_rate(self) -> float: ...
    @property
    def n_parameters(self) -> int: ...
    def summary(self, print_fn: Optional[Callable[[str], object]] = None) -> None: ...
    def _repr_html_(self) -> str: ...
    def get_params(self) -> Dict[str, List[Any]]: ...
    def set_params(self, weights: Sequence[Sequence[Sequence[float]]],
                   biases: Sequence[Sequence[float]]) -> None: ...
    def to_dict(self, optimizer_state: bool = True) -> Dict[str, Any]: ...
    @classmethod
    def from_dict(cls, data: Dict[str, Any], backend: Optional[str] = None,
                  source: Optional[str] = None) -> "DNN": ...
    def save(self, path: Any, format: Optional[Literal["pickle", "json"]] = None,
             optimizer_state: bool = True) -> None: ...
    def forward(self, X: Matrix) -> List[Matrix]: ...
    def backward(self, activations: List[Matrix], Y: Matrix) -> List[Matrix]: ...
    def objective(self, X: Matrix, Y: Matrix) -> float: ...
    def backprop(self, X: Matrix, Y: Matrix) -> Tuple[float, List[Matrix], List[Matrix]]: ...
    def gradients(self, X: Matrix, Y: Matrix) -> Tuple[float, List[Matrix], List[Matrix]]: ...
    def train(self, x: Union[_Sample, _Batch], y: Union[int, _Sample, _Targets]) -> float: ...
    # One sample gives its outputs (a list, or a NumPy row); a batch, one row per sample.
    def predict(self, x: Union[_Sample, _Batch]) -> Any: ...
    @overload
    def classify(self, x: Union[Images, Sequence[Sequence[float]]]) -> List[int]: ...
    @overload
    def classify(self, x: Sequence[float]) -> int: ...
    @overload
    def classify(self, x: Any) -> Any: ...
    def evaluate(self, X: _Batch, y: _Targets, batch_size: int = 1024) -> Dict[str, float]: ...
    def fit(self, X: _Batch, y: _Targets, epochs: int = 1, batch_size: int = 32,
            validation_data: Optional[Tuple[_Batch, _Targets]] = None, shuffle: bool = True,
            callback: Optional[Callable[[_Event], object]] = None,
            schedule: _Schedule = None) -> List[_EpochRecord]: ...
