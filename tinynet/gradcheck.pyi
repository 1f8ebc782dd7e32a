from typing import Any, List, Tuple

from .dnn import DNN

_Entry = Tuple[str, int, int, float, float, float]

class GradientCheck:
    entries: List[_Entry]
    max_error: float
    def __init__(self, entries: List[_Entry]) -> None: ...

def gradient_check(model: DNN, X: Any, y: Any, h: float = 1e-6) -> GradientCheck: ...
