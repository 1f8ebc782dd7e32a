from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

from .matrix import Matrix
from .model import Model, _Batch, _Sample, _Targets
from .optim import SGD

EPS: float

class Activation:
    name: Optional[str]
    probabilities: bool
    def backward(self, a: Matrix, d: Matrix) -> Matrix: ...
    def init_bound(self, fan_in: int, fan_out: int) -> float: ...

class _Elementwise(Activation):  # (a stub's name only: f'(z) as a function of a = f(z))
    def forward(self, z: Matrix) -> Matrix: ...
    def derivative(self, a: Matrix) -> Matrix: ...

class Sigmoid(_Elementwise): ...
class Tanh(_Elementwise): ...
class ReLU(_Elementwise): ...

class Linear(Activation):
    def forward(self, z: Matrix) -> Matrix: ...

class Softmax(Activation):
    def forward(self, z: Matrix) -> Matrix: ...

HIDDEN: Dict[str, type[Activation]]
OUTPUT: Dict[str, type[Activation]]

class SquaredError:
    name: str
    def check(self, output: Activation) -> None: ...
    def value(self, a: Matrix, y: Matrix, output: Activation) -> float: ...
    def delta(self, a: Matrix, y: Matrix, output: Activation) -> Matrix: ...

class CrossEntropy(SquaredError): ...

LOSSES: Dict[str, type[SquaredError]]

def output_function(name: Optional[str], width: int) -> Activation: ...

_Activations = Literal["relu", "tanh", "sigmoid"]
_Outputs = Literal["softmax", "sigmoid", "linear"]
_Losses = Literal["cross_entropy", "mse"]
_Optimizers = Literal["sgd", "momentum", "adam"]
_Backends = Literal["numpy", "python", "numpy-plain", "python-plain"]

class DNN(Model):
    sizes: List[int]
    output_activation: Activation  # (assign model.output: see settings.pyi)
    backend: str
    dtype: str
    seed: Optional[int]
    stop_training: bool
    weights: List[Matrix]
    biases: List[Matrix]
    def __init__(self, sizes: Sequence[int], activation: _Activations = "relu",
                 output: Optional[_Outputs] = None, loss: _Losses = "cross_entropy",
                 learning_rate: Optional[float] = None, optimizer: Union[_Optimizers, SGD] = "sgd",
                 l2: float = 0.0, momentum: Optional[float] = None, seed: Optional[int] = None,
                 backend: Optional[_Backends] = None,
                 dtype: Optional[Literal["float64", "float32"]] = None,
                 dropout: Union[float, Sequence[float]] = 0.0,
                 max_norm: Optional[float] = None, input_dropout: float = 0.0) -> None: ...
    @property
    def optimizer(self) -> SGD: ...
    @optimizer.setter
    def optimizer(self, value: Union[_Optimizers, SGD]) -> None: ...
    def forward(self, X: Matrix, M: Optional[List[Optional[Matrix]]] = None) -> List[Matrix]: ...
    def backward(self, A: List[Matrix], Y: Matrix,
                 M: Optional[List[Optional[Matrix]]] = None) -> List[Matrix]: ...
    def parameter_gradients(self, A: List[Matrix],
                            deltas: List[Matrix]) -> Tuple[List[Matrix], List[Matrix]]: ...
    def backprop(self, X: Matrix, Y: Matrix, M: Optional[List[Optional[Matrix]]] = None
                 ) -> Tuple[float, List[Matrix], List[Matrix]]: ...
    def train(self, x: Union[_Sample, _Batch], y: Union[int, float, _Sample, _Targets]) -> float: ...
