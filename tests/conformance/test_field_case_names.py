"""Field keys differing only in case are fields of their own.

InfluxDB keeps ``t`` and ``T`` apart (its own line-protocol test writes
``true=true,t=t,T=T,TRUE=TRUE,True=True,…`` to one point). DuckDB matches
names ignoring case, so the engine refused such a point; it now stores a
field named like another key but for case in a column named apart
(``case_column``) and reads it by its key, also beside other measurements
whose fields differ from its own only in case (``v`` in one, ``V`` in the
other: the engine read one for the other there, silently). Each statement
runs on influxd and on the engine and expects the same answer.
"""

from __future__ import annotations

import pytest

from conformance._common import text_answers

LINES = [
    (
        "cpu,host=serverA,region=us-east true=true,t=t,T=T,TRUE=TRUE,True=True,"
        "false=false,f=f,F=F,FALSE=FALSE,False=False 1000000000"
    ),
    "cpu,host=serverB,region=us-east t=false,T=true 2000000000",
    "m,host=a v=1,V=10,Host=100 10",
    "m,host=a v=2,V=20 20",
    "m,host=b v=3 30",
    "m,host=b V=40,Host=5 40",
    "n,host=a V=1.5 10",
    "k,x=1 t=1 10",
    "k,x=1 T=2 20",
    "k,t=tagval x=3 30",
    "k,x=2 T=4,t=5 40",
    "o,Host=x w=3 10",
]
STATEMENTS = [
    "SELECT * FROM cpu",
    'SELECT t, T, "TRUE", "True", "true" FROM cpu',
    "SELECT T FROM cpu WHERE T = true",
    "SELECT count(f), count(F) FROM cpu",
    "SELECT * FROM m",
    "SELECT * FROM m GROUP BY *",
    "SELECT v, V, Host, host FROM m",
    "SELECT count(v), sum(V), max(Host) FROM m GROUP BY host",
    "SELECT mean(V) FROM m WHERE time >= 0 AND time < 60 GROUP BY time(20ns) fill(0)",
    "SELECT * FROM m WHERE V > 15",
    "SELECT * FROM m WHERE Host = 5",
    "SELECT mean(*) FROM m",
    "SELECT max(/V/) FROM m",
    "SELECT last(*) FROM m",
    "SELECT top(V, 2), host FROM m",
    "SELECT difference(V) FROM m",
    "SELECT percentile(V, 50), percentile(v, 50) FROM m",
    "SELECT V FROM (SELECT V, v FROM m)",
    "SELECT max(V) FROM (SELECT V FROM m GROUP BY host) GROUP BY host",
    "SELECT * FROM m, n",
    "SELECT v FROM m, n",
    "SELECT V FROM m, n",
    "SELECT max(v), min(V) FROM m, n",
    "SELECT * FROM /m|n/",
    "SELECT count(V) FROM /m|n/ GROUP BY host",
    "SELECT V FROM (SELECT V, v FROM m), k",
    "SELECT * FROM k",
    "SELECT t, T, t::tag, t::field FROM k",
    "SELECT * FROM k GROUP BY t",
    "SELECT sum(T), sum(t) FROM k",
    "SELECT * FROM m, o",
    "SELECT host, Host FROM m, o",
    "SELECT w FROM m, o GROUP BY host",
    "SHOW FIELD KEYS",
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_field_keys_differing_in_case_are_two_fields(
    both: tuple[str, str], text: str
) -> None:
    server, engine = text_answers(both, "field_case", LINES, text, epoch="ns")
    assert engine == server


@pytest.mark.parametrize(
    "text",
    ["SELECT * INTO copy FROM m GROUP BY *", "SELECT V, v INTO copy2 FROM m"],
)
def test_into_writes_them_apart(both: tuple[str, str], text: str) -> None:
    target = text.split("INTO ")[1].split()[0]
    written = text_answers(both, "field_case_into", LINES, text, epoch="ns")
    read = text_answers(
        both, "field_case_into", LINES, f"SELECT * FROM {target}", epoch="ns"
    )
    assert written[1] == written[0]
    assert read[1] == read[0]
    assert read[0]
