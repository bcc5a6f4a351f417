from collections.abc import Callable
from typing import Any

def row_dicts(
    template: dict[str, Any],
    keys: tuple[str | None, ...],
    rows: list[Any],
    first: tuple[dict[Any, Any], Callable[[Any], Any]] | None,
    seen: dict[str, str] | None,
    /,
) -> list[dict[str, Any]]: ...
