"""The ``params`` of a ``/query`` request, decoded as influxd decodes them.

influxd reads ``params`` with Go's ``json.Decoder`` (numbers kept as
``json.Number``) into a ``map[string]interface{}``, then turns each
top-level number into an ``int64``, or a ``float64`` when its text holds
a ``.``. What follows here is that, error texts included:

- only the first JSON value is read; anything after it is ignored
  (``{"v": 1} junk`` binds ``v``);
- a syntax error is Go's scanner's (``invalid character '}' after
  object key``), a value cut short ``unexpected EOF``, nothing at all
  ``EOF``; a value that is not an object ``json: cannot unmarshal array
  into Go value of type map[string]interface {}``; ``null`` binds none;
- ``1e3`` is refused (``strconv.ParseInt: parsing "1e3": invalid
  syntax``), as are integers past int64 and floats past float64.
"""

from __future__ import annotations

import math
from typing import Any

from influxpy.influxql.go_syntax import go_quote

__all__ = ["ParamsError", "decode_params"]

_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = {
    ord('"'): '"',
    ord("\\"): "\\",
    ord("/"): "/",
    ord("b"): "\b",
    ord("f"): "\f",
    ord("n"): "\n",
    ord("r"): "\r",
    ord("t"): "\t",
}
_INT64 = 1 << 63
_MAP = "map[string]interface {}"
_KEY = "looking for beginning of object key string"


#: influxd's words before an error of decoding the JSON ...
_PARSING = "error parsing query parameters: "
#: ... and before an error of turning a number into int64 or float64.
_VALUE = "error parsing json value: "


class ParamsError(Exception):
    """``params`` that influxd refuses, with its text (after the words
    *prefix* influxd puts before it)."""

    def __init__(self, text: str, prefix: str = _PARSING) -> None:
        super().__init__(f"{prefix}{text}")


class _Number(str):
    """A number's text, as ``json.Number`` keeps it."""


class _Syntax(Exception):
    pass


class _Cut(Exception):
    """The text ended inside the value."""


def decode_params(text: str) -> dict[str, Any] | None:
    """The parameters *text* binds (None for ``null``); ``ParamsError``
    with influxd's message when it refuses them."""
    data = text.encode("utf-8", "surrogatepass")
    if not data.strip(_SPACE):
        raise ParamsError("EOF")
    reader = _Reader(data)
    try:
        value = reader.value(reader.skip(0))
    except RecursionError:
        # Nested past what the reader follows (Go's decoder stops at 10,000).
        raise ParamsError("exceeded max depth") from None
    except _Cut:
        raise ParamsError("unexpected EOF") from None
    except _Syntax as exc:
        raise ParamsError(str(exc)) from None
    if value is None:
        return None
    if not isinstance(value, dict):
        kind = (
            "array"
            if isinstance(value, list)
            else "number"
            if isinstance(value, _Number)
            else "bool"
            if isinstance(value, bool)
            else "string"
        )
        msg = f"json: cannot unmarshal {kind} into Go value of type {_MAP}"
        raise ParamsError(msg)
    return {key: _top_number(item) for key, item in value.items()}


def _top_number(value: Any) -> Any:
    """A top-level value as influxd binds it: a number as int64 or float64."""
    if not isinstance(value, _Number):
        return _nested(value)
    if "." in value:
        number = float(value)
        if math.isinf(number):
            raise ParamsError(_range("ParseFloat", value), _VALUE)
        return number
    if not value.lstrip("-").isdigit():
        msg = f"strconv.ParseInt: parsing {go_quote(value)}: invalid syntax"
        raise ParamsError(msg, _VALUE)
    integer = int(value)
    if not -_INT64 <= integer < _INT64:
        raise ParamsError(_range("ParseInt", value), _VALUE)
    return integer


def _range(function: str, text: str) -> str:
    return f"strconv.{function}: parsing {go_quote(text)}: value out of range"


def _nested(value: Any) -> Any:
    """A value inside a list or object: numbers as Python numbers."""
    if isinstance(value, _Number):
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if isinstance(value, list):
        return [_nested(item) for item in value]
    if isinstance(value, dict):
        return {key: _nested(item) for key, item in value.items()}
    return value


def _invalid(byte: int, context: str) -> _Syntax:
    return _Syntax(f"invalid character {_quote_char(byte)} {context}")


def _quote_char(byte: int) -> str:
    """Go's ``quoteChar``: the byte as a rune between single quotes."""
    if byte == ord("'"):
        return "'\\''"
    if byte == ord('"'):
        return "'\"'"
    return "'" + go_quote(chr(byte))[1:-1] + "'"


class _Reader:
    """Go's scanner over *data*, one value at a time."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self, at: int) -> int:
        if at >= len(self.data):
            raise _Cut
        return self.data[at]

    def skip(self, at: int) -> int:
        while at < len(self.data) and self.data[at] in _SPACE:
            at += 1
        return at

    def value(self, at: int, context: str = "looking for beginning of value") -> Any:
        """Read the value starting at *at*; ``self.at`` is left after it."""
        byte = self.byte(at)
        if byte == ord("{"):
            return self.object(at + 1)
        if byte == ord("["):
            return self.array(at + 1)
        if byte == ord('"'):
            return self.string(at + 1)
        if byte == ord("-") or byte in _DIGITS:
            return self.number(at)
        for word, result in ((b"true", True), (b"false", False), (b"null", None)):
            if byte == word[0]:
                return self.literal(at, word, result)
        raise _invalid(byte, context)

    def after(self, at: int) -> int:
        """The first byte after *at* that is not a space (there must be one)."""
        at = self.skip(at)
        self.byte(at)
        return at

    def object(self, at: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        at = self.after(at)
        if self.data[at] == ord("}"):
            self.at = at + 1
            return result
        while True:
            if self.data[at] != ord('"'):
                raise _invalid(self.data[at], _KEY)
            key = self.string(at + 1)
            at = self.after(self.at)
            if self.data[at] != ord(":"):
                raise _invalid(self.data[at], "after object key")
            result[key] = self.value(self.after(at + 1))
            at = self.after(self.at)
            if self.data[at] == ord("}"):
                self.at = at + 1
                return result
            if self.data[at] != ord(","):
                raise _invalid(self.data[at], "after object key:value pair")
            at = self.after(at + 1)

    def array(self, at: int) -> list[Any]:
        result: list[Any] = []
        at = self.after(at)
        if self.data[at] == ord("]"):
            self.at = at + 1
            return result
        while True:
            result.append(self.value(at))
            at = self.after(self.at)
            if self.data[at] == ord("]"):
                self.at = at + 1
                return result
            if self.data[at] != ord(","):
                raise _invalid(self.data[at], "after array element")
            at = self.after(at + 1)

    def string(self, at: int) -> str:
        """The string whose text starts at *at* (after its quote)."""
        pieces: list[str] = []
        start = at
        while True:
            byte = self.byte(at)
            if byte == ord('"'):
                pieces.append(self.data[start:at].decode("utf-8", "replace"))
                self.at = at + 1
                return "".join(pieces)
            if byte < 0x20:
                raise _invalid(byte, "in string literal")
            if byte != ord("\\"):
                at += 1
                continue
            pieces.append(self.data[start:at].decode("utf-8", "replace"))
            code = self.byte(at + 1)
            if code in _ESCAPES:
                pieces.append(_ESCAPES[code])
                at += 2
            elif code == ord("u"):
                unit, at = self.hex4(at + 2)
                pieces.append(self.unit(unit, at))
                if 0xD800 <= unit < 0xDC00 and pieces[-1] != "\ufffd":
                    at += 6
            else:
                raise _invalid(code, "in string escape code")
            start = at

    def hex4(self, at: int) -> tuple[int, int]:
        for offset in range(4):
            byte = self.byte(at + offset)
            if byte not in _HEX:
                raise _invalid(byte, "in \\u hexadecimal character escape")
        return int(self.data[at : at + 4], 16), at + 4

    def unit(self, unit: int, at: int) -> str:
        """The character of UTF-16 *unit*, paired with a low surrogate
        escaped right after it (Go's ``unquote``: a lone one is U+FFFD)."""
        if not 0xD800 <= unit < 0xE000:
            return chr(unit)
        follows = self.data[at : at + 6]
        if (
            unit < 0xDC00
            and len(follows) == 6
            and follows[:2] == b"\\u"
            and all(byte in _HEX for byte in follows[2:])
        ):
            low = int(follows[2:], 16)
            if 0xDC00 <= low < 0xE000:
                return chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        return "\ufffd"

    def number(self, at: int) -> _Number:
        start = at
        if self.data[at] == ord("-"):
            at += 1
            if self.byte(at) not in _DIGITS:
                raise _invalid(self.data[at], "in numeric literal")
        if self.data[at] == ord("0"):
            at += 1
        else:
            at = self._digits(at)
        if at < len(self.data) and self.data[at] == ord("."):
            at += 1
            if self.byte(at) not in _DIGITS:
                raise _invalid(self.data[at], "after decimal point in numeric literal")
            at = self._digits(at)
        if at < len(self.data) and self.data[at] in b"eE":
            at += 1
            if self.byte(at) in b"+-":
                at += 1
            if self.byte(at) not in _DIGITS:
                raise _invalid(self.data[at], "in exponent of numeric literal")
            at = self._digits(at)
        self.at = at
        return _Number(self.data[start:at].decode("ascii"))

    def _digits(self, at: int) -> int:
        while at < len(self.data) and self.data[at] in _DIGITS:
            at += 1
        return at

    def literal(self, at: int, word: bytes, result: Any) -> Any:
        name = word.decode("ascii")
        for offset in range(1, len(word)):
            byte = self.byte(at + offset)
            if byte != word[offset]:
                expected = go_quote(chr(word[offset]), "'")
                raise _invalid(byte, f"in literal {name} (expecting {expected})")
        self.at = at + len(word)
        return result
