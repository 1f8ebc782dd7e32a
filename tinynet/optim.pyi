from typing import Any, Dict, List, Optional, Union

from .matrix import Matrix

def check_number(value: object, name: str, low: Optional[float] = None,
                 high: Optional[float] = None, low_open: bool = False,
                 high_open: bool = True) -> float: ...

class SGD:
    name: str
    default_learning_rate: float
    learning_rate: float
    l2: float
    def __init__(self, learning_rate: Optional[float] = None, l2: float = 0.0) -> None: ...
    def settings(self) -> Dict[str, float]: ...
    def step(self, model: Any, A: List[Matrix], deltas: List[Matrix]) -> None: ...
    def state(self) -> Dict[str, Any]: ...
    def load_state(self, state: Dict[str, Any], weights: List[Matrix],
                   biases: List[Matrix]) -> None: ...

class Momentum(SGD):
    momentum: float
    def __init__(self, learning_rate: Optional[float] = None, l2: float = 0.0,
                 momentum: float = 0.9) -> None: ...

class Adam(SGD):
    beta1: float
    beta2: float
    eps: float
    t: int
    def __init__(self, learning_rate: Optional[float] = None, l2: float = 0.0,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None: ...

OPTIMIZERS: Dict[str, type[SGD]]

def make_optimizer(optimizer: Union[str, SGD], learning_rate: Optional[float] = None,
                   l2: float = 0.0, momentum: Optional[float] = None) -> SGD: ...
