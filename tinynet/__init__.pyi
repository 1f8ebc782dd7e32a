# Type information for tinynet's public API (PEP 561 stubs).  The sources
# stay plain Python so that MicroPython runs them; tox -e typecheck checks
# these stubs against the runtime (mypy.stubtest) and a typed usage file.
from os import PathLike
from typing import Any, Optional, Union

from .backends import get_backend as get_backend, set_backend as set_backend
from .dnn import DNN as DNN
from .errors import TinynetError as TinynetError
from .gradcheck import GradientCheck
from .matrix import Matrix as Matrix

__version__: str

_Path = Union[str, "PathLike[str]"]

def save(model: DNN, path: _Path, format: Optional[str] = None,
         optimizer_state: bool = True) -> None: ...
# a path, or the model's bytes (bytes, bytearray, memoryview, mmap, a binary file)
def load(source: Union[_Path, bytes, bytearray, memoryview, Any],
         backend: Optional[str] = None) -> DNN: ...
def gradient_check(model: DNN, X: Any, y: Any, h: float = 1e-6) -> GradientCheck: ...

__all__ = ["DNN", "Matrix", "TinynetError", "get_backend", "gradient_check", "load",
           "save", "set_backend", "__version__"]
