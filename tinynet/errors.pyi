from typing import Mapping, TypeVar

_T = TypeVar("_T")

class TinynetError(ValueError): ...

def choice(registry: Mapping[str, _T], value: object, what: str) -> _T: ...
