"""API keys: from environment variables only, friendly when missing or refused, never shown.

The key string is searched for in everything a user or a log could see: exception text,
log records, stdout/stderr (progress bars included), file names and contents in the
cache (hidden source notes included), the ledger, and the URLs the server received.
"""

from __future__ import annotations

import inspect
import json
import logging

import pytest

from tests.fetch.conftest import KEY, Reply, all_text
from toolkit.fetch import (
    ApiKeyError,
    get_openaq,
    get_purpleair,
    get_telraam,
)
from toolkit.fetch._keys import Secret, api_key, redact

GETTERS = {
    "openaq": (get_openaq, "OPENAQ_API_KEY", "OpenAQ"),
    "purpleair": (get_purpleair, "PURPLEAIR_API_KEY", "PurpleAir"),
    "telraam": (get_telraam, "TELRAAM_API_KEY", "Telraam"),
}


@pytest.mark.parametrize("source", GETTERS)
def test_a_missing_key_names_the_variable_and_the_way_out(source, server):
    getter, variable, name = GETTERS[source]
    with pytest.raises(ApiKeyError) as info:
        getter(1, "2024-03-01", base_url=server.url)
    message = str(info.value)
    assert f"Downloading from {name} needs an API key" in message
    assert f"the environment variable {variable} is not set" in message
    assert f"export {variable}=your-key" in message
    assert "getpass.getpass()" in message
    assert f"%env {variable}=your-key also works, but delete that cell" in message
    assert "toolkit.datasets" in message
    assert isinstance(info.value, PermissionError)
    assert server.requests == []  # nothing was sent without a key


def test_an_empty_key_is_reported_as_empty(monkeypatch):
    monkeypatch.setenv("OPENAQ_API_KEY", "  ")
    with pytest.raises(ApiKeyError, match="OPENAQ_API_KEY is empty"):
        api_key("openaq")


def test_keys_are_read_from_the_environment_only(monkeypatch):
    monkeypatch.setenv("TELRAAM_API_KEY", f' "{KEY}" ')
    assert api_key("telraam") == KEY  # spaces and quotes from copy-paste removed
    for getter, _, _ in GETTERS.values():
        names = set(inspect.signature(getter).parameters)
        assert not {n for n in names if "key" in n or "token" in n}, getter.__name__


def test_a_key_hides_itself_when_represented():
    secret = Secret(KEY)
    assert secret == KEY
    assert repr(secret) == "'***'"
    assert KEY not in repr({"X-API-Key": secret})


def test_redact_hides_keys_and_key_parameters():
    assert redact(f"GET https://a.org/x?api_key={KEY}&page=2") == (
        "GET https://a.org/x?api_key=***&page=2"
    )
    assert redact(f"server said: key {KEY} is invalid", [KEY]) == "server said: key *** is invalid"


# -- refused keys ---------------------------------------------------------------------
REFUSALS = {
    "openaq": ("/v3/sensors/1/hours", "GET", 401),
    "purpleair": ("/v1/sensors/1/history/csv", "GET", 403),
    "telraam": ("/v1/reports/traffic", "POST", 403),
}


@pytest.mark.parametrize("source", REFUSALS)
def test_a_refused_key_is_a_clear_error_without_the_key(
    source, server, monkeypatch, caplog, capsys, cache
):
    getter, variable, name = GETTERS[source]
    path, method, status = REFUSALS[source]
    monkeypatch.setenv(variable, KEY)
    # A careless server that even echoes the key back in its error message.
    said = json.dumps({"error": "ApiKeyInvalidError", "description": f"Invalid key {KEY}."})
    server.add(path, Reply(status, said.encode()), method=method)
    caplog.set_level(logging.DEBUG, logger="toolkit.fetch")
    with pytest.raises(ApiKeyError) as info:
        getter(1, "2024-03-01", base_url=server.url)
    message = str(info.value)
    assert f"{name} ({server.url[7:]}) refused the API key (HTTP {status})" in message
    assert f"the key in {variable} (not shown)" in message
    assert "ApiKeyInvalidError: Invalid key ***." in message
    assert "toolkit.datasets" in message
    assert len(server.requests) == 1  # a refused key is not retried
    assert server.requests[0].headers["X-Api-Key"] == KEY  # sent in the header...
    assert KEY not in server.requests[0].path  # ...never in the URL
    shown = [message, repr(info.value), caplog.text, *capsys.readouterr()]
    shown.append(all_text(cache) if cache.exists() else "")
    assert not [text for text in shown if KEY in text]


# -- successful downloads leave no trace of the key -----------------------------------
def _serve_all(server) -> None:
    hour = {
        "value": 3.0,
        "flagInfo": {"hasFlags": False},
        "parameter": {"id": 2, "name": "pm25", "units": "µg/m³", "displayName": None},
        "period": {
            "label": "1hour",
            "interval": "01:00:00",
            "datetimeFrom": {"utc": "2024-03-01T00:00:00Z", "local": "2024-03-01T00:00:00Z"},
            "datetimeTo": {"utc": "2024-03-01T01:00:00Z", "local": "2024-03-01T01:00:00Z"},
        },
    }
    server.add(
        "/v3/sensors/5/hours", Reply(body=json.dumps({"meta": {}, "results": [hour]}).encode())
    )
    server.add(
        "/v1/sensors/5/history/csv",
        Reply(body=b"time_stamp,sensor_index,pm2.5_atm_a\n1709251200,5,4.0\n"),
    )
    report = {
        "report": [
            {"instance_id": -1, "segment_id": 5, "date": "2024-03-01T00:00:00.000Z",
             "interval": "hourly", "uptime": 1, "car": 3.0}
        ]
    }  # fmt: skip
    server.add("/v1/reports/traffic", Reply(body=json.dumps(report).encode()), method="POST")


def test_no_trace_of_any_key_after_successful_downloads(
    server, monkeypatch, caplog, capsys, cache, sleeps
):
    for _, variable, _ in GETTERS.values():
        monkeypatch.setenv(variable, KEY)
    _serve_all(server)
    caplog.set_level(logging.DEBUG, logger="toolkit.fetch")
    shown = []
    for getter, _, _ in GETTERS.values():
        # Two days with progress bars on, so tqdm writes to stderr too.
        data = getter(5, "2024-03-01", "2024-03-03", base_url=server.url, progress=True)
        shown += [repr(data.ledger), str(data.ledger), data.ledger._repr_html_()]
        shown += [data.ledger.to_frame().to_string(), data.sensors.to_string()]
        shown.append(data._repr_html_())
    out, err = capsys.readouterr()
    assert "Downloaded from" in " ".join(shown)
    assert caplog.records  # the requests were logged...
    shown += [caplog.text, out, err, all_text(cache)]
    assert not [text for text in shown if KEY in text]  # ...without the key
    assert all(KEY not in r.path for r in server.requests)
    assert all(r.headers["X-Api-Key"] == KEY for r in server.requests)
