from collections.abc import Callable
from typing import Any

class RowEncoder:
    def __init__(
        self,
        tag_names: tuple[str, ...],
        cache: dict[tuple[Any, ...], str],
        field_names: tuple[str, ...],
        prefixes: tuple[bytes, ...],
        kinds: bytes,
        time_name: str,
        fallback: Callable[[Any], str],
        /,
    ) -> None: ...
    def __call__(self, objs: list[Any], /) -> list[str]: ...
    def one(self, obj: Any, /) -> str: ...
    def body(self, objs: list[Any], /) -> tuple[bytes, bytes | None]: ...
    def lanes(
        self, objs: list[Any], count: int, /
    ) -> list[tuple[bytes, bytes | None, int]]: ...

class LineBuffer:
    open: bool
    def __init__(
        self,
        encoder: RowEncoder,
        model: type,
        batch_size: int,
        attention: Callable[[], object],
        refused: Callable[[Any], object],
        pause: Callable[[], object],
        pause_every: int,
        /,
    ) -> None: ...
    def add(self, point: Any, /) -> None: ...
    def push(self, point: Any, /) -> int: ...
    def cut(self, count: int, /) -> tuple[bytes, int, bytes | None]: ...
    def __len__(self) -> int: ...

def format_float(value: float, /) -> str: ...
def join_columns(
    index: Any,
    keys: list[bytes],
    columns: list[tuple[bytes, int, Any, Any]],
    times: Any,
    /,
) -> bytes | None: ...
