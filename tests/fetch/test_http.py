"""The HTTP layer: retries, backoff, Retry-After, resume, atomic files, offline, politeness."""

from __future__ import annotations

import json
import socket
import urllib.request

import pytest

from tests.fetch.conftest import LOCAL, Reply
from toolkit.fetch import FetchError, OfflineError, _cache, _http, settings

BODY = b"sensor_id;sensor_type;location;lat;lon;timestamp;P1;P2\n" + b"1;SDS011;2;3;4;x;5;6\n" * 3


def _get(server, path: str = "/file.csv", **kwargs) -> _http.Request:
    return _http.Request(server.url + path, label="Test", **kwargs)


def test_download_writes_the_file_whole_with_a_source_note(server, cache):
    server.add("/file.csv", Reply(body=BODY))
    final = cache / "x" / "file.csv"
    assert _http.download(_get(server), final) == final
    assert final.read_bytes() == BODY
    assert not _cache.part_path(final).exists()
    note = _cache.read_source_note(final)
    assert note["url"] == server.url + "/file.csv"
    assert note["bytes"] == len(BODY)
    assert note["downloaded_at"].endswith("+00:00")
    assert [s.path for s in server.requests] == ["/file.csv"]


def test_429_waits_as_asked_by_retry_after_then_succeeds(server, sleeps):
    server.add("/a", Reply(429, b"slow down", {"Retry-After": "7"}), Reply(body=b"ok"))
    assert _http.fetch_bytes(_get(server, "/a")) == b"ok"
    assert sleeps == [7.0]
    assert len(server.requests) == 2


def test_500_is_retried_a_bounded_number_of_times_with_doubling_waits(server, sleeps):
    server.add("/a", Reply(500, b'{"message": "database on fire"}'))
    with pytest.raises(FetchError) as info:
        _http.fetch_bytes(_get(server, "/a"))
    # max_retries = 3: one request and three retries, waiting 2, 4, 8 s (backoff 2 s).
    assert len(server.requests) == 4
    assert sleeps == [2.0, 4.0, 8.0]
    message = str(info.value)
    assert "kept failing" in message
    assert "HTTP 500" in message
    assert "4 tries" in message
    assert "database on fire" in message
    assert "toolkit.datasets" in message


def test_retries_can_be_switched_off(server, sleeps, monkeypatch):
    monkeypatch.setattr(settings, "max_retries", 0)
    server.add("/a", Reply(503))
    with pytest.raises(FetchError, match="HTTP 503"):
        _http.fetch_bytes(_get(server, "/a"))
    assert len(server.requests) == 1
    assert sleeps == []


def test_a_retry_after_longer_than_allowed_is_a_clear_error(server, sleeps):
    server.add("/a", Reply(429, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match="asks to wait 3600 s") as info:
        _http.fetch_bytes(_get(server, "/a"))
    assert "Try again later" in str(info.value)
    assert sleeps == []
    assert len(server.requests) == 1


def test_other_client_errors_are_not_retried(server, sleeps):
    server.add("/a", Reply(400, b'{"detail": "datetime_from is not a date"}'))
    with pytest.raises(FetchError, match="HTTP 400") as info:
        _http.fetch_bytes(_get(server, "/a"))
    assert "datetime_from is not a date" in str(info.value)
    assert len(server.requests) == 1


def test_404_can_mean_no_file(server, cache):
    final = cache / "missing.csv"
    assert _http.download(_get(server, "/nothing"), final, missing_ok=True) is None
    assert not final.exists()
    assert not _cache.part_path(final).exists()
    with pytest.raises(FetchError, match="HTTP 404"):
        _http.download(_get(server, "/nothing"), final)


# -- cut-short bodies -----------------------------------------------------------------
def test_a_cut_short_download_leaves_no_file_and_the_next_call_resumes(server, cache, monkeypatch):
    monkeypatch.setattr(settings, "max_retries", 0)
    server.add("/file.csv", Reply(body=BODY, cut_at=20, ranges=True), Reply(body=BODY, ranges=True))
    final = cache / "file.csv"
    with pytest.raises(FetchError, match="kept breaking off") as info:
        _http.download(_get(server), final)
    assert f"20 bytes of {len(BODY)} announced" in str(info.value)
    assert not final.exists()  # nothing under the final name
    part = _cache.part_path(final)
    assert part.read_bytes() == BODY[:20]  # kept, because the server can resume

    assert _http.download(_get(server), final) == final
    assert final.read_bytes() == BODY
    assert not part.exists()
    assert server.requests[1].headers["Range"] == "bytes=20-"
    assert _cache.read_source_note(final)["resumed"] is True


def test_a_cut_short_download_is_resumed_by_the_next_attempt(server, cache, sleeps):
    server.add("/file.csv", Reply(body=BODY, cut_at=20, ranges=True), Reply(body=BODY, ranges=True))
    final = cache / "file.csv"
    assert _http.download(_get(server), final) == final
    assert final.read_bytes() == BODY
    assert "Range" not in server.requests[0].headers
    assert server.requests[1].headers["Range"] == "bytes=20-"
    assert sleeps == [2.0]


def test_a_cut_short_download_without_resume_support_is_removed(server, cache, monkeypatch):
    monkeypatch.setattr(settings, "max_retries", 1)
    server.add("/file.csv", Reply(body=BODY, cut_at=20))
    final = cache / "file.csv"
    with pytest.raises(FetchError, match="kept breaking off"):
        _http.download(_get(server), final)
    assert len(server.requests) == 2
    assert not final.exists()
    assert not _cache.part_path(final).exists()
    assert list(cache.iterdir()) == []


def test_a_cut_short_api_answer_is_asked_for_again(server):
    server.add("/a", Reply(body=b'{"results": []}', cut_at=5), Reply(body=b'{"results": []}'))
    assert _http.fetch_bytes(_get(server, "/a")) == b'{"results": []}'
    assert len(server.requests) == 2


def test_a_server_that_ignores_range_starts_the_file_over(server, cache):
    final = cache / "file.csv"
    final.parent.mkdir(parents=True)
    _cache.part_path(final).write_bytes(b"stale bytes of an older file")
    server.add("/file.csv", Reply(body=BODY))  # answers 200 with the whole file
    _http.download(_get(server), final)
    assert server.requests[0].headers["Range"] == "bytes=28-"
    assert final.read_bytes() == BODY


def test_a_partial_file_longer_than_the_file_starts_over(server, cache):
    final = cache / "file.csv"
    final.parent.mkdir(parents=True)
    _cache.part_path(final).write_bytes(b"x" * (len(BODY) + 5))
    server.add("/file.csv", Reply(body=BODY, ranges=True))  # 416 for that range
    _http.download(_get(server), final)
    assert final.read_bytes() == BODY
    assert len(server.requests) == 2


def test_write_atomic_leaves_nothing_behind_on_error(cache):
    cache.mkdir(parents=True)
    with pytest.raises(TypeError):
        _cache.write_atomic(cache / "f.json", "not bytes")  # type: ignore[arg-type]
    assert list(cache.iterdir()) == []


# -- offline --------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        return probe.getsockname()[1]


def test_connection_refused_says_offline_after_bounded_retries(sleeps, cache):
    url = f"http://{LOCAL}:{_closed_port()}/x.csv"
    with pytest.raises(OfflineError) as info:
        _http.download(_http.Request(url, label="Archive"), cache / "x.csv")
    message = str(info.value)
    assert "seems to be offline" in message
    assert "refused (4 tries)" in message
    assert "toolkit.datasets" in message
    assert "reused from the cache" in message
    assert sleeps == [2.0, 4.0, 8.0]
    assert isinstance(info.value, ConnectionError)


def test_a_name_that_cannot_be_looked_up_says_offline_at_once(monkeypatch, sleeps):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(OfflineError, match="could not be looked up") as info:
        _http.fetch_bytes(_http.Request(f"http://{LOCAL}:9/x", label="OpenAQ"))
    assert "OpenAQ (127.0.0.1:9)" in str(info.value)
    assert sleeps == []


# -- politeness -----------------------------------------------------------------------
def test_requests_to_one_host_keep_the_minimum_interval(server, monkeypatch):
    now = [100.0]
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(_http, "_clock", lambda: now[0])
    monkeypatch.setattr(_http, "_sleep", sleep)
    server.add("/a", Reply(body=b"1"))
    for _ in range(3):
        _http.fetch_bytes(_get(server, "/a", min_interval=1.5))
        now[0] += 0.5  # the work between two requests
    # The first request goes at once; each next one waits 1.5 - 0.5 = 1.0 s.
    assert waited == [1.0, 1.0]


def test_the_user_agent_is_sent(server):
    server.add("/a", Reply(body=b"1"))
    _http.fetch_bytes(_get(server, "/a"))
    assert server.requests[0].headers["User-Agent"] == settings.user_agent


def test_a_redirect_to_another_host_drops_the_key():
    handler = _http._KeysStayHome()
    original = urllib.request.Request(
        "https://api.example.org/v1/x", headers={"X-API-Key": "k-123456"}
    )
    away = handler.redirect_request(original, None, 302, "Found", {}, "https://cdn.example.net/x")
    assert not any(name.lower() == "x-api-key" for name in away.header_items())
    home = handler.redirect_request(original, None, 302, "Found", {}, "https://api.example.org/y")
    assert ("X-api-key", "k-123456") in home.header_items()


def test_retry_after_as_an_http_date():
    assert _http._retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert _http._retry_after("12") == 12.0
    assert _http._retry_after("soon") is None


# -- the cache folder -----------------------------------------------------------------
def test_cache_folder_is_absolute_and_can_be_chosen_three_ways(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _cache.cache_folder("rel/here") == tmp_path / "rel" / "here"
    assert _cache.cache_folder("rel/here").is_absolute()
    monkeypatch.setattr(settings, "cache_folder", None)
    monkeypatch.setenv(settings.CACHE_ENV, str(tmp_path / "from-env"))
    assert _cache.cache_folder() == tmp_path / "from-env"
    monkeypatch.setattr(settings, "cache_folder", tmp_path / "from-settings")
    assert _cache.cache_folder() == tmp_path / "from-settings"
    assert _cache.cache_folder(tmp_path / "param") == tmp_path / "param"


def test_default_cache_folder_is_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(_cache.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _cache.default_cache_folder() == tmp_path / "xdg" / "urban-data-toolkit"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _cache.default_cache_folder() == tmp_path / "home" / ".cache" / "urban-data-toolkit"


def test_an_unusable_cache_folder_is_a_friendly_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(PermissionError, match="cache folder cannot be created") as info:
        _cache.cache_folder(blocker / "sub")
    assert "URBAN_TOOLKIT_CACHE" in str(info.value)


def test_source_note_is_json_beside_the_file(cache):
    final = _cache.write_atomic(cache / "a" / "f.csv", b"x")
    _cache.write_source_note(final, url="http://127.0.0.1/f.csv")
    note = json.loads((cache / "a" / ".f.csv.source.json").read_text())
    assert note["url"] == "http://127.0.0.1/f.csv"
