"""The lines of a request body, made from it only when they are asked for.

The writer needs a batch's count of lines, and the lines themselves only
when the server refuses the body (to name them in the error). Pure and
light: no numpy, so the HTTP backend can use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

__all__ = ["BodyLines"]


class BodyLines(Sequence[str]):
    """The *count* lines of *body*, split on newlines, or at *starts* (each
    line's first byte) when a line holds a newline of its own (inside a
    string value)."""

    def __init__(
        self, body: bytes, count: int, starts: Sequence[int] | None = None
    ) -> None:
        self._body = body
        self._count = count
        self._starts = starts
        self._lines: list[str] | None = None

    def _all(self) -> list[str]:
        if self._lines is None:
            body = self._body
            if not self._count:
                pieces = []
            elif self._starts is None:
                pieces = body.split(b"\n")
            else:
                ends = [*(start - 1 for start in self._starts[1:]), len(body)]
                pieces = [
                    body[start:end]
                    for start, end in zip(self._starts, ends, strict=True)
                ]
            self._lines = [piece.decode("utf-8", "surrogatepass") for piece in pieces]
        return self._lines

    @property
    def body(self) -> bytes:
        """The body the lines are read from."""
        return self._body

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._all()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())
