# ruff: noqa: E501 - a table of values, one input per line
"""The engine's math functions give Go's values bit for bit.

The expected values were printed by a Go 1.19 program calling Go's ``math``
package on amd64 with FMA (as influxd 1.6.7's Debian build runs), written
here as ``float.hex()``; the same answers against influxd itself are
checked in ``tests/server/test_influxd_compile.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from influxpy import _gomath as g
from influxpy.influxql.reduce import math_value

# fmt: off
GO_VALUES: list[tuple[float, dict[str, str]]] = [
    (0.3, {"sin": "0x1.2e9cd95baba33p-2", "cos": "0x1.e921dd42f09bap-1", "tan": "0x1.3cc2a44e29998p-2", "asin": "0x1.380159e14f6ffp-2", "acos": "0x1.441f5ecbeef58p+0", "atan": "0x1.2a73a661eaf06p-2", "atan2a": "0x1.9e9bf3d20dc71p-2", "atan2b": "-0x1.58103801195e6p+0", "ln": "-0x1.34378fcbda721p+0", "log2": "-0x1.bca9c6f53897ap+0", "log10": "-0x1.0bb6c34d81502p-1", "log": "-0x1.ec0f438c708dfp-1", "pow3": "0x1.ba5e353f7ced9p-6", "powt": "0x1.0000000000000p+0", "exp": "0x1.599058c8c1a96p+0", "pow314": "0x1.75bfe28c10ec6p-6", "pow25x": "0x1.50fe6c94a6e58p+0", "powm25": "0x1.44938a632994cp+4"}),
    (-0.3, {"sin": "-0x1.2e9cd95baba33p-2", "cos": "0x1.e921dd42f09bap-1", "tan": "-0x1.3cc2a44e29998p-2", "asin": "-0x1.380159e14f6ffp-2", "acos": "0x1.e0200bbc96ad8p+0", "atan": "-0x1.2a73a661eaf06p-2", "atan2a": "-0x1.9e9bf3d20dc71p-2", "atan2b": "-0x1.cc2f32876c44ap+0", "ln": "nan", "log2": "nan", "log10": "nan", "log": "nan", "pow3": "-0x1.ba5e353f7ced9p-6", "powt": "0x1.0000000000000p+0", "exp": "0x1.7b4c869c37c05p-1", "pow314": "nan", "pow25x": "0x1.84f1ddc197988p-1", "powm25": "nan"}),
    (1.5, {"sin": "0x1.feb7a9b2c6d8bp-1", "cos": "0x1.21bd54fc5f9a7p-4", "tan": "0x1.c33ed50b88777p+3", "asin": "nan", "acos": "nan", "atan": "0x1.f730bd281f69bp-1", "atan2a": "0x1.2258e91851052p+0", "atan2b": "-0x1.6d9d4bc9d5828p-1", "ln": "0x1.9f323ecbf984cp-2", "log2": "0x1.2b803473f7ad2p-1", "log10": "0x1.68a288b60b7fcp-3", "log": "0x1.4b6ca86218d53p-2", "pow3": "0x1.b000000000000p+1", "powt": "0x1.000001ad7f29bp+0", "exp": "0x1.1ed3fe64fc542p+2", "pow314": "0x1.c93b5dd6dadc8p+1", "pow25x": "0x1.f9f6e4990f228p+1", "powm25": "0x1.7398bf1d1ee6fp-2"}),
    (-2.75, {"sin": "-0x1.86d2239c183fbp-2", "cos": "-0x1.d93e294faed14p-1", "tan": "0x1.a6d3f2d2fbddfp-2", "asin": "nan", "acos": "nan", "atan": "-0x1.38d6a6ce13352p+0", "atan2a": "-0x1.5250b8408db56p+0", "atan2b": "-0x1.59999c0b1fd95p+1", "ln": "nan", "log2": "nan", "log10": "nan", "log": "nan", "pow3": "-0x1.4cc0000000000p+4", "powt": "0x1.fffff94a036a2p-1", "exp": "0x1.05d93892fa010p-4", "pow314": "nan", "pow25x": "0x1.49a0edd45cd18p-4", "powm25": "nan"}),
    (7.5, {"sin": "0x1.e041886fcae30p-1", "cos": "0x1.62f45e66f5c2fp-2", "tan": "0x1.5a5ea99227d5ap+1", "asin": "nan", "acos": "nan", "atan": "0x1.7030cf9403197p+0", "atan2a": "0x1.7a4caefcf2212p+0", "atan2b": "-0x1.5f7e89662c189p-3", "ln": "0x1.01e85798eb9a3p+1", "log2": "0x1.7414fdb498226p+1", "log10": "0x1.c00807a8870ffp-1", "log": "0x1.9bbdf5f744b18p+0", "pow3": "0x1.a5e0000000000p+8", "powt": "0x1.00000bbe7a5eep+0", "exp": "0x1.c402b6eb1f6adp+10", "pow314": "0x1.17ae3d03b116cp+9", "pow25x": "0x1.e286789a07f30p+9", "powm25": "0x1.a96dbe7aedd68p-8"}),
    (18.5, {"sin": "-0x1.5eb33d3f5d050p-2", "cos": "0x1.e1096828da6fdp-1", "tan": "-0x1.7546208c41287p-2", "asin": "nan", "acos": "nan", "atan": "0x1.844caa6e36176p+0", "atan2a": "0x1.88712662060fbp+0", "atan2b": "-0x1.1f5acbb78a4b5p-4", "ln": "0x1.757982e7c3941p+1", "log2": "0x1.0d67af16da765p+2", "log10": "0x1.44655dcbe8200p+0", "log": "0x1.2a1eea697206ep+1", "pow3": "0x1.8bba000000000p+12", "powt": "0x1.00001e32f29d0p+0", "exp": "0x1.9cf5c2f003c7ep+26", "pow314": "0x1.29b18493b992ep+13", "pow25x": "0x1.5f1556383beaep+24", "powm25": "0x1.6428016eb7e10p-11"}),
    (100.25, {"sin": "-0x1.1bf00980dc35dp-2", "cos": "0x1.ebec72ba6b0ecp-1", "tan": "-0x1.278694556d190p-2", "asin": "nan", "acos": "nan", "atan": "0x1.8f92010a9ab6dp+0", "atan2a": "0x1.90561b870f3dap+0", "atan2b": "-0x1.a8e5db792a6c1p-7", "ln": "0x1.26e4046808320p+2", "log2": "0x1.a96ff577c92f3p+2", "log10": "0x1.0023887317de8p+1", "log": "0x1.d6c8d4d229d7bp+1", "pow3": "0x1.ebf3d88000000p+19", "powt": "0x1.0000a7c5e2b5ap+0", "exp": "0x1.8c39b9134bac4p+144", "pow314": "0x1.d4dcaa2894c82p+20", "pow25x": "0x1.6fee5778b4129p+132", "powm25": "0x1.4d74d0a67c85fp-17"}),
    (1234.5678, {"sin": "0x1.3fa00084ee3ddp-4", "cos": "-0x1.fe7053dc31387p-1", "tan": "-0x1.409a448794f2ap-4", "asin": "nan", "acos": "nan", "atan": "0x1.91ea9fb93a10cp+0", "atan2a": "0x1.91fa8c95dd8e8p+0", "atan2b": "-0x1.14099d0c433cep-10", "ln": "0x1.c7951d51791d7p+2", "log2": "0x1.48a21f60ffaf4p+3", "log10": "0x1.8bb6c3010753bp+1", "log": "0x1.6ba982dfc7fe9p+2", "pow3": "0x1.c0a062e110f4cp+30", "powt": "0x1.0008166fa3f04p+0", "exp": "inf", "pow314": "0x1.2fd59f5d9d7ddp+32", "pow25x": "inf", "powm25": "0x1.40cc723c4073fp-26"}),
    (0.999, {"sin": "0x1.ae8e6949c824bp-1", "cos": "0x1.1510c2fe3fda7p-1", "tan": "0x1.8dd2207973bc9p+0", "asin": "0x1.86ac9ad18f805p+0", "acos": "0x1.6e634e566a260p-5", "atan": "0x1.91de23a8c3fa0p-1", "atan2a": "0x1.eb50b9471a9fbp-1", "atan2b": "-0x1.d4c77227d34d6p-1", "ln": "-0x1.064670d979b73p-10", "log2": "-0x1.7a6210ffb7151p-10", "log10": "-0x1.c79e5dbf022b6p-12", "log": "-0x1.a2b6f91c0b339p-11", "pow3": "0x1.fe772d5570166p-1", "powt": "0x1.0000000000000p+0", "exp": "0x1.5b97a17d41193p+1", "pow314": "0x1.fe64dfc6e0740p-1", "pow25x": "0x1.3fb4f8caa822ap+1", "powm25": "0x1.00a4208cf24a7p+0"}),
    (-0.999, {"sin": "-0x1.ae8e6949c824bp-1", "cos": "0x1.1510c2fe3fda7p-1", "tan": "-0x1.8dd2207973bc9p+0", "asin": "-0x1.86ac9ad18f805p+0", "acos": "0x1.8c66280ae928ep+1", "atan": "-0x1.91de23a8c3fa0p-1", "atan2a": "-0x1.eb50b9471a9fbp-1", "atan2b": "-0x1.1cedd8ba4dfe2p+1", "ln": "nan", "log2": "nan", "log10": "nan", "log": "nan", "pow3": "-0x1.fe772d5570166p-1", "powt": "0x1.0000000000000p+0", "exp": "0x1.7915dfb498dfdp-2", "pow314": "nan", "pow25x": "0x1.99f9b95d3fd73p-2", "powm25": "nan"}),
    (3e-05, {"sin": "0x1.f75104d40d943p-16", "cos": "0x1.fffffffc22708p-1", "tan": "0x1.f75104d7da5b4p-16", "asin": "0x1.f75104d69618fp-16", "acos": "0x1.921dbdf33dfafp+0", "atan": "0x1.f75104d2c951ep-16", "atan2a": "0x1.678303701b613p-15", "atan2b": "-0x1.921e3219a1910p+0", "ln": "-0x1.4d420db4d09fap+3", "log2": "-0x1.e0ca2976414a1p+3", "log10": "-0x1.2176d869b02a0p+2", "log": "-0x1.0a04b6f876e9cp+3", "pow3": "0x1.e66385c266145p-46", "powt": "0x1.0000000000000p+0", "exp": "0x1.0001f752f39e5p+0", "pow314": "0x1.c4bb34d858066p-48", "pow25x": "0x1.0001cd30c8d6ep+0", "powm25": "0x1.79db48cc9b28cp+37"}),
    (1000000.5, {"sin": "0x1.22b9252dc614dp-3", "cos": "0x1.fad0a779be88dp-1", "tan": "0x1.25b28c37e452ep-3", "asin": "nan", "acos": "nan", "atan": "0x1.921fa47d4bbd8p+0", "atan2a": "0x1.921fa985c9105p+0", "atan2b": "-0x1.5cf7466c3d742p-20", "ln": "0x1.ba18aaa56f6fbp+3", "log2": "0x1.3ee7b5335645fp+4", "log10": "0x1.800000e928f6dp+2", "log": "0x1.60e5a4f5ce230p+3", "pow3": "0x1.bc17021ccce13p+59", "powt": "0x1.1aec7b1e247a3p+0", "exp": "inf", "pow314": "0x1.800b3f9e24f77p+62", "pow25x": "inf", "powm25": "0x1.203ae251d5af5p-50"}),
    (300000000.0, {"sin": "-0x1.c219eed2e54c5p-2", "cos": "0x1.cbe31d447d1e2p-1", "tan": "-0x1.f51af0a5408cep-2", "asin": "nan", "acos": "nan", "atan": "0x1.921fb535f1c79p+0", "atan2a": "0x1.921fb53a3d4a9p+0", "atan2b": "-0x1.29c8ce62a1321p-28", "ln": "0x1.384f063602546p+4", "log2": "0x1.c290f23b39f48p+4", "log10": "0x1.0f4493cb27eb0p+3", "log": "0x1.f29781f684b12p+3", "pow3": "0x1.65578eecf9d10p+84", "powt": "0x1.3704526e6ba88p+43", "exp": "inf", "pow314": "0x1.575e76f0e64e8p+88", "pow25x": "inf", "powm25": "0x1.83c35cf999f64p-71"}),
    (2.0, {"sin": "0x1.d18f6ead1b445p-1", "cos": "-0x1.aa22657537205p-2", "tan": "-0x1.17af62e0950f8p+1", "asin": "nan", "acos": "nan", "atan": "0x1.1b6e192ebbe44p+0", "atan2a": "0x1.3bef63199bba2p+0", "atan2b": "-0x1.271aa72553ed5p-1", "ln": "0x1.62e42fefa39efp-1", "log2": "0x1.0000000000000p+0", "log10": "0x1.34413509f79ffp-2", "log": "0x1.1b497341428b2p-1", "pow3": "0x1.0000000000000p+3", "powt": "0x1.0000035afe563p+0", "exp": "0x1.d8e64b8d4ddaep+2", "pow314": "0x1.1a167423fc31cp+3", "pow25x": "0x1.9000000000000p+2", "powm25": "0x1.6a09e667f3bcdp-3"}),
    (0.5, {"sin": "0x1.eaee8744b05f0p-2", "cos": "0x1.c1528065b7d50p-1", "tan": "0x1.17b4f5bf3474ap-1", "asin": "0x1.0c152382d7366p-1", "acos": "0x1.0c152382d7365p+0", "atan": "0x1.dac670561bb4fp-2", "atan2a": "0x1.3d91573350661p-1", "atan2b": "-0x1.34209a8c10980p+0", "ln": "-0x1.62e42fefa39efp-1", "log2": "-0x1.0000000000000p+0", "log10": "-0x1.34413509f79ffp-2", "log": "-0x1.1b497341428b2p-1", "pow3": "0x1.0000000000000p-3", "powt": "0x1.0000000000000p+0", "exp": "0x1.a61298e1e069cp+0", "pow314": "0x1.d0a659c929581p-4", "pow25x": "0x1.94c583ada5b53p+0", "powm25": "0x1.6a09e667f3bccp+2"}),
    (-745.0, {"sin": "0x1.b683ccbc86662p-2", "cos": "-0x1.cead5c656161ap-1", "tan": "-0x1.e54309fd3fbcdp-2", "asin": "nan", "acos": "nan", "atan": "-0x1.91c7bd86f33fcp+0", "atan2a": "-0x1.91e22171b5171p+0", "atan2b": "-0x1.91e68771296dep+1", "ln": "nan", "log2": "nan", "log10": "nan", "log": "nan", "pow3": "-0x1.8a56979000000p+28", "powt": "0x1.fff63c49bdfa9p-1", "exp": "0x0.0000000000001p-1022", "pow314": "nan", "pow25x": "0x1.1ebbe92c38b0dp-985", "powm25": "nan"}),
    (709.0, {"sin": "-0x1.aed103e1ce982p-1", "cos": "0x1.14a927348bfabp-1", "tan": "-0x1.8ea4bd4a21be8p+0", "asin": "nan", "acos": "nan", "atan": "0x1.91c346127a6fdp+0", "atan2a": "0x1.91df010661083p+0", "atan2b": "-0x1.e0a88e0eaf7e0p-10", "ln": "0x1.a416357d87f55p+2", "log2": "0x1.2f074e46bc166p+3", "log10": "0x1.6ce1f9d049d47p+1", "log": "0x1.4f54050b0be19p+2", "pow3": "0x1.53e3ebd000000p+28", "powt": "0x1.0004a58bf622cp+0", "exp": "0x1.d422d2be5dc9bp+1022", "pow314": "0x1.a9fd67fa691d8p+29", "pow25x": "0x1.2fcf0599ce681p+937", "powm25": "0x1.40e19654fc68cp-24"}),
]
# fmt: on

CALLS: dict[str, Any] = {
    "sin": g.sin,
    "cos": g.cos,
    "tan": g.tan,
    "asin": g.asin,
    "acos": g.acos,
    "atan": g.atan,
    "atan2a": lambda x: g.atan2(x, 0.7),
    "atan2b": lambda x: g.atan2(-1.3, x),
    "ln": g.ln,
    "log2": g.log2,
    "log10": g.log10,
    "log": lambda x: g.log(x, 3.5),
    "pow3": lambda x: g.pow(x, 3.0),
    "powt": lambda x: g.pow(1.0000001, np.trunc(x)),
    "exp": g.exp,
    "pow314": lambda x: g.pow(x, 3.14),
    "pow25x": lambda x: g.pow(2.5, x),
    "powm25": lambda x: g.pow(x, -2.5),
}


def same(got: float, expected: float) -> bool:
    return (got != got and expected != expected) or (
        np.float64(got).tobytes() == np.float64(expected).tobytes()
    )


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_function_gives_gos_bits(name: str) -> None:
    xs = np.array([x for x, _ in GO_VALUES])
    with np.errstate(all="ignore"):
        got = CALLS[name](xs)
    for x, expected, value in zip(xs, GO_VALUES, got, strict=True):
        want = float.fromhex(expected[1][name])
        assert same(float(value), want), (name, x, value, want)


def test_differs_from_c_where_go_does() -> None:
    # log10(7.5): C rounds to ...7001, Go to ...7.
    assert float(g.log10(np.array([7.5]))[0]) == 0.8750612633917
    assert float(np.log10(7.5)) == 0.8750612633917001


def test_special_values() -> None:
    with np.errstate(all="ignore"):
        assert g.ln(np.array([0.0]))[0] == -np.inf
        assert np.isnan(g.ln(np.array([-1.0]))[0])
        assert g.exp(np.array([-np.inf, 800.0]))[0] == 0.0
        assert g.exp(np.array([800.0]))[0] == np.inf
        assert np.signbit(g.sin(np.array([-0.0]))[0])
        assert g.pow(np.array([0.0]), np.array([-1.0]))[0] == np.inf


def test_literals_reduce_with_gos_values() -> None:
    # influxd reduces sin(1.3) in a field with the same function.
    assert math_value("sin", (1.3,)) == 0.963558185417193
    assert math_value("log10", (7.5,)) == 0.8750612633917
