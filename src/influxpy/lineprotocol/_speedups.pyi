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

def format_float(value: float, /) -> str: ...
def join_columns(
    index: Any,
    keys: list[bytes],
    columns: list[tuple[bytes, int, Any, Any]],
    times: Any,
    /,
) -> bytes | None: ...
