from typing import Any, Dict, Iterator, List, Optional

class History(List[Dict[str, Any]]):
    params: Optional[Dict[str, int]]
    @property
    def history(self) -> Dict[str, List[Any]]: ...
    @property
    def epoch(self) -> List[int]: ...

class Scores(Dict[str, float]):
    def __iter__(self) -> Iterator[float]: ...  # type: ignore[override]
