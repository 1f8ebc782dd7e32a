# Type information for tinynet.interop (see tinynet/__init__.pyi).
from os import PathLike
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, Union

from ..dnn import DNN

_Path = Union[str, "PathLike[str]"]
_Format = Literal["safetensors", "onnx"]
_Activations = Literal["relu", "tanh", "sigmoid"]
_Outputs = Literal["softmax", "sigmoid", "linear"]
_Losses = Literal["cross_entropy", "mse"]

FORMATS: Tuple[str, ...]
MAX_FILE_BYTES: int

def export(model: DNN, path: _Path, format: Optional[_Format] = None) -> str: ...
def load(path: _Path, activation: Optional[_Activations] = None,
         output: Optional[_Outputs] = None, loss: Optional[_Losses] = None,
         backend: Optional[Literal["numpy", "python"]] = None) -> DNN: ...
# Values: tensors, NumPy arrays or nested lists (anything with .tolist()).
def from_state_dict(state_dict: Mapping[str, Any], activation: Optional[_Activations] = None,
                    output: Optional[_Outputs] = None, loss: Optional[_Losses] = None,
                    backend: Optional[Literal["numpy", "python"]] = None) -> DNN: ...
def to_state_dict(model: DNN) -> Dict[str, List[Any]]: ...
def sequential(model: DNN) -> str: ...

__all__ = ["FORMATS", "MAX_FILE_BYTES", "export", "from_state_dict", "load", "sequential",
           "to_state_dict"]
