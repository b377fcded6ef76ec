"""HTTP for the fetchers: polite, patient, resumable, and silent about keys.

Every request goes through :func:`_send`, which

* waits its turn: at least ``min_interval`` seconds between two requests to one host
  (the platforms' fair-use rules; each source module sets its own default);
* retries a bounded number of times (``settings.max_retries``) on HTTP 429 and 500-504,
  on dropped connections and on bodies cut short, waiting ``settings.backoff`` seconds
  and doubling (2, 4, 8 s), or what the server's ``Retry-After`` asks for;
* turns every failure into a friendly error (:mod:`toolkit.fetch._errors`) that names
  the host and what to do, with every key replaced by ``***``.

:func:`download` streams a file into a hidden ``.part`` file in the cache folder and
renames it when complete; a ``.part`` left by a broken download is resumed with an HTTP
``Range`` request when the server allows it, and removed otherwise. :func:`fetch_bytes`
keeps a (small) API answer in memory; the caller writes it with
:func:`toolkit.fetch._cache.write_atomic`.

Only the standard library is used (``urllib.request``, ``http.client``). Proxies set in
``HTTPS_PROXY``/``HTTP_PROXY`` are honoured. Redirects to another host drop the key
headers, so a key is only ever sent to the host it was meant for.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .._errors import ToolkitError
from . import settings
from ._cache import part_path, write_source_note
from ._errors import BUNDLED_DATA_HINT, ApiKeyError, FetchError, OfflineError
from ._keys import KEY_VARIABLES, how_to_set, redact

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["RETRY_STATUSES", "Request", "download", "fetch_bytes", "logger"]

logger = logging.getLogger("toolkit.fetch")

#: HTTP statuses worth trying again: too many requests, and the server's own failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Header names whose values are secrets (compared in lower case).
_SECRET_HEADERS = frozenset({"x-api-key", "authorization"})
_CHUNK = 1 << 16
_DETAIL_CHARS = 300
_LOUD_WAIT_S = 10.0
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")

# Patched by the tests: waiting and the clock of the rate limiter.
_sleep = time.sleep
_clock = time.monotonic
_last_request: dict[str, float] = {}
_turn_lock = threading.Lock()


@dataclass(frozen=True)
class Request:
    """One HTTP request of a fetcher.

    Attributes
    ----------
    url
        The full URL; it never holds a key (keys go in ``headers``).
    method
        ``"GET"`` or ``"POST"``.
    headers
        Extra headers; the key header's value is a :class:`~toolkit.fetch._keys.Secret`.
        Not shown in the ``repr``.
    body
        The request body (JSON for Telraam), or ``None``.
    source
        ``"openaq"``, ``"purpleair"``, ``"telraam"`` when a key is sent (for the message
        of a refused key), ``""`` otherwise.
    label
        The platform's name in messages, for example ``"Sensor.Community archive"``.
    min_interval
        Seconds to keep between two requests to this host.
    """

    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    body: bytes | None = field(default=None, repr=False)
    source: str = ""
    label: str = ""
    min_interval: float = 0.0

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret header values, to hide in anything shown."""
        return tuple(v for k, v in self.headers.items() if k.lower() in _SECRET_HEADERS)

    @property
    def shown_url(self) -> str:
        """The URL as it may be shown, logged and written (keys hidden)."""
        return redact(self.url, self.secrets)

    @property
    def host(self) -> str:
        """The host (and port) the request goes to."""
        return urllib.parse.urlsplit(self.url).netloc.lower()

    @property
    def name(self) -> str:
        """How the server is named in messages."""
        return f"{self.label} ({self.host})" if self.label else self.host


class _CutShort(Exception):
    """The body ended before its announced length."""

    def __init__(self, got: int, expected: int | None) -> None:
        super().__init__(got, expected)
        self.got = got
        self.expected = expected


class _LocalFileError(ToolkitError, OSError):
    """A downloaded file could not be written to the cache folder."""


class _KeysStayHome(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never carry a key header to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is None:
            return None
        old_host = urllib.parse.urlsplit(req.full_url).netloc.lower()
        if urllib.parse.urlsplit(newurl).netloc.lower() != old_host:
            for store in (new.headers, new.unredirected_hdrs):
                for name in [n for n in store if n.lower() in _SECRET_HEADERS]:
                    del store[name]
        return new


# -- politeness -----------------------------------------------------------------------
def _wait_turn(host: str, interval: float) -> None:
    """Sleep until ``interval`` seconds have passed since the last request to ``host``."""
    with _turn_lock:
        now = _clock()
        wait = _last_request.get(host, float("-inf")) + interval - now
        if interval > 0 and wait > 0:
            _sleep(wait)
            now = _clock()
        _last_request[host] = now


def _backoff(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): doubling, capped."""
    return float(min(settings.max_backoff, settings.backoff * 2 ** (attempt - 1)))


def _retry_after(value: str | None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (seconds or an HTTP date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# -- one exchange, and the retry loop -------------------------------------------------
def _open(request: Request, extra: dict[str, str]) -> http.client.HTTPResponse:
    headers = {"User-Agent": settings.user_agent, **request.headers, **extra}
    prepared = urllib.request.Request(
        request.url, data=request.body, headers=headers, method=request.method
    )
    opener = urllib.request.build_opener(_KeysStayHome)
    return opener.open(prepared, timeout=settings.timeout)  # type: ignore[return-value]


def _error_detail(error: urllib.error.HTTPError, secrets: tuple[str, ...]) -> str:
    """Return the server's own explanation of an error, short and with keys hidden."""
    try:
        raw = error.read(8192)
    except (OSError, http.client.HTTPException):
        raw = b""
    finally:
        error.close()
    text = raw.decode("utf-8", errors="replace").strip()
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        parts = [
            str(payload[k])
            for k in ("error", "description", "message", "detail")
            if payload.get(k) not in (None, "")
        ]
        text = ": ".join(parts) or text
    text = " ".join(text.split())
    if len(text) > _DETAIL_CHARS:
        text = text[:_DETAIL_CHARS] + "..."
    return redact(text, secrets)


def _send(
    request: Request,
    consume: Callable[[http.client.HTTPResponse], Any],
    *,
    extra_headers: Callable[[], dict[str, str]] = dict,
    on_range_refused: Callable[[], None] | None = None,
    missing_ok: bool = False,
) -> Any:
    """Send ``request`` until ``consume`` succeeds, within the retry budget.

    Returns what ``consume`` returns, or ``None`` for a 404 when ``missing_ok``.
    """
    max_retries = max(0, int(settings.max_retries))
    attempt = 0
    range_reset = False
    while True:
        attempt += 1
        _wait_turn(request.host, request.min_interval)
        logger.debug("%s %s (attempt %d)", request.method, request.shown_url, attempt)
        try:
            response = _open(request, extra_headers())
            try:
                return consume(response)
            finally:
                response.close()
        except ToolkitError:
            raise
        except urllib.error.HTTPError as error:
            detail = _error_detail(error, request.secrets)
            if error.code == 404 and missing_ok:
                logger.debug("not found: %s", request.shown_url)
                return None
            if error.code == 416 and on_range_refused is not None and not range_reset:
                # The partial file does not fit the file on the server: start over once.
                on_range_refused()
                range_reset = True
                attempt -= 1
                continue
            if error.code in RETRY_STATUSES and attempt <= max_retries:
                asked = _retry_after(error.headers.get("Retry-After"))
                if asked is not None and asked > settings.max_retry_after:
                    raise _too_long_wait(request, error.code, asked) from None
                _pause(request, f"HTTP {error.code}", asked, attempt)
                continue
            raise _http_error(request, error.code, detail, attempt) from None
        except _CutShort as short:
            if attempt <= max_retries:
                _pause(request, "the download was cut short", None, attempt)
                continue
            raise _cut_short_error(request, short, attempt) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, socket.gaierror):
                raise _offline(request, "its name could not be looked up (DNS)") from None
            if attempt <= max_retries:
                _pause(request, _describe(reason), None, attempt)
                continue
            raise _connection_error(request, reason, attempt) from None


def _pause(request: Request, why: str, asked: float | None, attempt: int) -> None:
    delay = asked if asked is not None else _backoff(attempt)
    level = logging.WARNING if delay >= _LOUD_WAIT_S else logging.INFO
    logger.log(
        level,
        "%s: %s; trying again in %.0f s (retry %d of %d)",
        request.name,
        why,
        delay,
        attempt,
        settings.max_retries,
    )
    _sleep(delay)


def _describe(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(reason, TimeoutError):
        return f"no answer within {settings.timeout:g} s"
    if isinstance(reason, BaseException):
        return f"{type(reason).__name__}: {reason}"
    return str(reason)


# -- friendly errors ------------------------------------------------------------------
def _offline(request: Request, why: str) -> OfflineError:
    return OfflineError(
        f"Could not reach {request.name}: this computer seems to be offline.",
        found=redact(why, request.secrets),
        fix="Check the internet connection (on a workshop network a proxy may be needed: "
        "set HTTPS_PROXY). Files downloaded before are reused from the cache without "
        "internet. " + BUNDLED_DATA_HINT,
    )


def _connection_error(request: Request, reason: object, attempts: int) -> FetchError:
    if isinstance(reason, ConnectionRefusedError):
        return _offline(request, f"the connection was refused ({attempts} tries)")
    return FetchError(
        f"The download from {request.name} failed.",
        found=redact(f"{_describe(reason)} ({attempts} tries)", request.secrets),
        fix="Try again in a few minutes; a slow network may need a longer "
        "toolkit.fetch.settings.timeout. " + BUNDLED_DATA_HINT,
    )


def _too_long_wait(request: Request, status: int, asked: float) -> FetchError:
    return FetchError(
        f"{request.name} asks to wait {asked:.0f} s before the next request (HTTP {status}).",
        found=f"Retry-After: {asked:.0f} s, more than settings.max_retry_after "
        f"({settings.max_retry_after:g} s)",
        fix="Try again later; ask for fewer or shorter periods, or raise min_interval= to "
        "space the requests out. " + BUNDLED_DATA_HINT,
    )


def _cut_short_error(request: Request, short: _CutShort, attempts: int) -> FetchError:
    announced = f" of {short.expected} announced" if short.expected is not None else ""
    return FetchError(
        f"The download from {request.name} kept breaking off before the end.",
        found=f"{short.got} bytes{announced} in the last of {attempts} tries ({request.shown_url})",
        fix="Run the same call again: what arrived is kept and the download resumes where "
        "it stopped when the server allows it. On a slow network, try a shorter period. "
        + BUNDLED_DATA_HINT,
    )


def _http_error(request: Request, status: int, detail: str, attempts: int) -> ToolkitError:
    said = f"; the server said: {detail}" if detail else ""
    if status in (401, 403) and request.source:
        variable = KEY_VARIABLES[request.source]
        return ApiKeyError(
            f"{request.name} refused the API key (HTTP {status}).",
            found=f"the key in {variable} (not shown){said}",
            fix="Check the key: copy it again from your account, without spaces or quotes, "
            f"and {how_to_set(variable)} A key can also be refused for data it may not "
            "read (a private sensor, a WRITE key where a READ key is needed). " + BUNDLED_DATA_HINT,
        )
    if status == 404:
        return FetchError(
            f"{request.name} has nothing at this address (HTTP 404).",
            found=f"{request.shown_url}{said}",
            fix="Check the id and the dates. " + BUNDLED_DATA_HINT,
        )
    if status in RETRY_STATUSES:
        busy = "too many requests" if status == 429 else "the server failed"
        return FetchError(
            f"{request.name} kept failing: {busy} (HTTP {status}), {attempts} tries.",
            found=f"{request.shown_url}{said}",
            fix="The platform may be down or busy: try again later, or raise min_interval= "
            "to space requests out. " + BUNDLED_DATA_HINT,
        )
    return FetchError(
        f"{request.name} refused the request (HTTP {status}).",
        found=f"{request.shown_url}{said}",
        fix="Check the parameters of the call (ids, dates, fields). " + BUNDLED_DATA_HINT,
    )


# -- reading bodies -------------------------------------------------------------------
def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Length")
    return int(value) if value and value.strip().isdigit() else None


def _read_chunks(response: http.client.HTTPResponse, sink: Callable[[bytes], None]) -> int:
    """Pass the body to ``sink`` chunk by chunk; return the byte count; check the length."""
    expected = _content_length(response)
    got = 0
    while True:
        try:
            chunk = response.read(_CHUNK)
        except http.client.IncompleteRead as error:
            sink(error.partial)
            raise _CutShort(got + len(error.partial), expected) from None
        if not chunk:
            break
        sink(chunk)
        got += len(chunk)
    # http.client returns b"" rather than raising when a connection closes early, so
    # the length announced by the server is checked here.
    if expected is not None and got < expected:
        raise _CutShort(got, expected)
    return got


def fetch_bytes(request: Request, *, missing_ok: bool = False) -> bytes | None:
    """Return the body of ``request`` (retried as needed), or ``None`` for a 404 if allowed.

    For API answers, which are small and cannot be resumed: a body cut short is asked
    for again from the start.
    """

    def consume(response: http.client.HTTPResponse) -> bytes:
        parts: list[bytes] = []
        _read_chunks(response, parts.append)
        return b"".join(parts)

    return _send(request, consume, missing_ok=missing_ok)


def download(request: Request, final: Path, *, missing_ok: bool = False) -> Path | None:
    """Download ``request`` into ``final``, resuming a broken earlier attempt.

    Parameters
    ----------
    request
        A GET request.
    final
        The file to create. It appears only when complete (renamed from a hidden
        ``.part`` file in the same folder); a source note records the URL and the time.
    missing_ok
        Return ``None`` instead of raising when the server says 404.

    Returns
    -------
    pathlib.Path or None
        ``final``, or ``None`` for a missing file when ``missing_ok``.
    """
    part = part_path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _local_error(final, error) from None
    state = {"resumable": False, "resumed": False}

    def sent_offset() -> int:
        try:
            return part.stat().st_size
        except OSError:
            return 0

    def extra_headers() -> dict[str, str]:
        offset = sent_offset()
        return {"Range": f"bytes={offset}-"} if offset else {}

    def forget_part() -> None:
        part.unlink(missing_ok=True)

    def consume(response: http.client.HTTPResponse) -> int:
        offset = sent_offset()
        if response.headers.get("Accept-Ranges", "").strip().lower() == "bytes":
            state["resumable"] = True
        mode = "wb"
        if response.status == 206:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != offset:
                forget_part()  # an answer that does not continue our file: start again
                raise _CutShort(0, None)
            state["resumable"] = state["resumed"] = True
            mode = "ab"
        try:
            out = part.open(mode)
        except OSError as error:
            raise _local_error(final, error) from None
        with out:

            def sink(chunk: bytes) -> None:
                try:
                    out.write(chunk)
                except OSError as error:
                    raise _local_error(final, error) from None

            _read_chunks(response, sink)
        return response.status

    try:
        status = _send(
            request,
            consume,
            extra_headers=extra_headers,
            on_range_refused=forget_part,
            missing_ok=missing_ok,
        )
    except BaseException:
        if not state["resumable"]:
            forget_part()
        raise
    if status is None:
        forget_part()
        return None
    part.replace(final)
    write_source_note(final, url=request.shown_url, method=request.method, resumed=state["resumed"])
    logger.info("downloaded %s -> %s", request.shown_url, final)
    return final


def _local_error(final: Path, error: OSError) -> _LocalFileError:
    return _LocalFileError(
        "A downloaded file could not be written to the cache folder.",
        file=str(final),
        found=f"{type(error).__name__}: {error.strerror or error}",
        fix="Free some disk space, or choose another folder with "
        "toolkit.fetch.settings.cache_folder = '/some/folder'.",
    )
