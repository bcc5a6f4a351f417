"""``influxpy serve`` answers concurrent requests: writes from several
clients are all stored, and queries running beside them see whole writes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from server._serve import Served

WRITERS = 4
BATCHES = 10
BATCH = 200


def body(writer: int, batch: int) -> bytes:
    start = (writer * BATCHES + batch) * BATCH
    return "\n".join(
        f"conc,writer=w{writer} v={i}i {1_000_000_000 + i}"
        for i in range(start, start + BATCH)
    ).encode()


def test_concurrent_writes_and_reads(served: Served):
    created = served.request("POST", "/query", data={"q": "CREATE DATABASE conc"})
    assert created.status_code == 200
    stop = threading.Event()
    seen: list[int] = []
    errors: list[str] = []

    def write(writer: int) -> None:
        with httpx.Client(base_url=served.http_url, timeout=60) as client:
            for batch in range(BATCHES):
                response = client.post(
                    "/write", params={"db": "conc"}, content=body(writer, batch)
                )
                if response.status_code != 204:
                    errors.append(response.text)

    def read() -> None:
        with httpx.Client(base_url=served.http_url, timeout=60) as client:
            for _ in range(50):
                if stop.is_set():
                    return
                answer = client.get(
                    "/query", params={"db": "conc", "q": "SELECT count(v) FROM conc"}
                ).json()
                series = answer["results"][0].get("series")
                if "error" in answer["results"][0]:
                    errors.append(answer["results"][0]["error"])
                elif series:
                    seen.append(series[0]["values"][0][1])

    with ThreadPoolExecutor(WRITERS + 2) as pool:
        readers = [pool.submit(read) for _ in range(2)]
        writers = [pool.submit(write, w) for w in range(WRITERS)]
        for future in writers:
            future.result()
        stop.set()
        for future in readers:
            future.result()
    assert errors == []
    # Each write is stored whole: a reader sees a multiple of the batch.
    assert all(count % BATCH == 0 for count in seen)
    final = served.request(
        "GET", "/query", params={"db": "conc", "q": "SELECT count(v) FROM conc"}
    ).json()
    assert final["results"][0]["series"][0]["values"][0][1] == WRITERS * BATCHES * BATCH
