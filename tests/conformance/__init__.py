"""Behavioural tests run on both backends: InfluxDB 1.6.7 and the embedded engine.

Every test writes its data through ``bulk_create``, runs QuerySets and
asserts literal expected values, mostly the datasets and answers of the
reference's §6 (checked on a real 1.6.7). The ``conn`` fixture runs each
test once against a fresh database on the session's server and once
against a fresh in-memory engine, so one expectation proves both.

Server quirks the engine deliberately does not copy are in ``test_quirks.py``,
each asserting what the server answers and what the engine answers instead.
Models and helpers are in ``_common.py``; datasets several topics use are
fixtures in ``conftest.py``.
"""
