"""Property-based test: corrupted real files never crash ``load`` and the ledger balances.

Real export files (the fixtures under tests/data, the corpus in tests/data/real when it
is there, and ../shared/real-samples when it is there) are damaged the ways files are
damaged in the wild: cut short, lines deleted, repeated or reordered, re-saved in
UTF-16 or Latin-1 or with Windows line ends, re-saved in a European locale (``;`` for
``,`` and decimal commas), bytes flipped, compressed with gzip or zip and then damaged.
For every such file :func:`toolkit.load` with ``errors="collect"``

* raises nothing but the toolkit's own errors, and only when no file could be read;
* returns a ledger in which every record balances (rows and values);
* never needed the safety net of ``load`` (a :class:`~toolkit._errors.ReaderError`):
  every corruption is handled by the reader's own code.

Values are damaged too: one cell of a table, or one value of a JSON document, replaced
by an empty field, a missing-value code, an extreme or impossible number or date, or a
value of the wrong type.

The run is bounded and reproducible (``derandomize=True``, 22 examples for each of seven
families of damage, about 150 in all). To search harder, set ``TOOLKIT_FUZZ_EXAMPLES`` (for example
3000): the examples are then random, a different set on every run.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit._errors import ReaderError, ToolkitError
from toolkit.loading import DATA_SUFFIXES

from .conftest import DATA, REAL_SAMPLES

#: Larger files are cut to their first lines of about this size, to keep examples fast.
_MAX_BYTES = 48_000
_EXPLORE = os.environ.get("TOOLKIT_FUZZ_EXAMPLES")
_SETTINGS = settings(
    max_examples=int(_EXPLORE) if _EXPLORE else 22,
    derandomize=not _EXPLORE,
    database=None,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)


def _corpus() -> list[Path]:
    """Every data file of the fixtures, the real corpus and the real samples."""
    roots = [DATA, DATA / "real", REAL_SAMPLES]
    files = set()
    for root in roots:
        if root.is_dir():
            files |= {
                p
                for p in root.rglob("*")
                if p.is_file()
                and p.name.lower().endswith(DATA_SUFFIXES)
                and p.name != "SOURCES.csv"
                and not any(part.startswith(".") for part in p.parts)
            }
    return sorted(files)


CORPUS = _corpus()


def _sample_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    if len(data) > _MAX_BYTES:
        cut = data.rfind(b"\n", 0, _MAX_BYTES)
        data = data[: cut + 1 if cut > 0 else _MAX_BYTES]
    return data


# -- the damage -------------------------------------------------------------------------
def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _text(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _apply(data: bytes, step: tuple) -> bytes:  # one branch per kind of damage
    kind, *args = step
    lines = _lines(data)
    if kind == "truncate":
        return data[: int(len(data) * args[0])]
    if kind == "delete_lines":
        drop = {i % len(lines) for i in args[0]} if lines else set()
        return b"".join(line for i, line in enumerate(lines) if i not in drop)
    if kind == "duplicate_lines":
        for i in sorted(args[0], reverse=True):
            if lines:
                lines.insert(i % len(lines), lines[i % len(lines)])
        return b"".join(lines)
    if kind == "swap_lines":
        if lines:
            i, j = args[0] % len(lines), args[1] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        return b"".join(lines)
    if kind == "shuffle_lines":
        body = lines[1:]
        random.Random(args[0]).shuffle(body)
        return b"".join(lines[:1] + body)
    if kind == "utf16":
        codec = "utf-16-le" if args[0] == "le" else "utf-16-be"
        bom = b"\xff\xfe" if args[0] == "le" else b"\xfe\xff"
        return bom + _text(data).encode(codec)
    if kind == "latin1":
        return _text(data).encode("latin-1", errors="replace")
    if kind == "crlf":
        return re.sub(rb"\r?\n", b"\r\n", data)
    if kind == "delimiter":
        return data.replace(args[0].encode(), args[1].encode())
    if kind == "decimal_comma":
        return re.sub(rb"(\d)\.(\d)", rb"\1,\2", data)
    if kind == "flip":
        out = bytearray(data)
        for position, mask in args[0]:
            if out:
                out[position % len(out)] ^= mask
        return bytes(out)
    if kind == "cell":
        return _replace_cell(data, args[0], args[1])
    if kind == "json_node":
        return _replace_json_node(data, args[0], args[1])
    if kind == "gzip":
        return _damage(gzip.compress(data, mtime=0), args[0])
    if kind == "zip":
        buffer = io.BytesIO()
        method = zipfile.ZIP_DEFLATED if args[1] else zipfile.ZIP_STORED
        with zipfile.ZipFile(buffer, "w", compression=method) as archive:
            archive.writestr("member.csv", data)
            if args[2]:
                archive.writestr("second/member2.csv", data)
        return _damage(buffer.getvalue(), args[0])
    raise AssertionError(kind)  # pragma: no cover


#: What a cell or a JSON value is replaced with: empty, codes, extremes, the wrong type.
ODD_VALUES = (
    None,
    "",
    "nan",
    "NULL",
    "-999",
    "-",
    "1e400",
    "-inf",
    "0",
    "-1",
    "9999-99-99",
    "2024-13-45T25:61:00",
    "9999-12-31T23:59:59Z",
    "1500-01-01 00:00",
    "é",
    '"',
    "1,5",
    12345678901234567890,
    1e308,
    True,
    [],
    {},
)


def _replace_cell(data: bytes, seed: int, value: object) -> bytes:
    """Replace one field of one line (the header too) of a delimited text."""
    lines = _text(data).splitlines(keepends=True)
    if not lines:
        return data
    rng = random.Random(seed)
    i = rng.randrange(len(lines))
    body = lines[i].rstrip("\r\n")
    end = lines[i][len(body) :]
    delimiter = max(",;\t", key=body.count)
    fields = body.split(delimiter)
    fields[rng.randrange(len(fields))] = "" if value is None else str(value)
    lines[i] = delimiter.join(fields) + end
    return "".join(lines).encode("utf-8")


def _replace_json_node(data: bytes, seed: int, value: object) -> bytes:
    """Replace one value (or the whole document) of a JSON text; other texts unchanged."""
    import json

    try:
        document = json.loads(_text(data))
    except ValueError:
        return data
    nodes: list[tuple[object, object]] = []  # (container, key)

    def walk(node: object) -> None:
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, child in items:
            nodes.append((node, key))
            walk(child)

    walk(document)
    if not nodes:
        return json.dumps(value).encode()
    container, key = nodes[random.Random(seed).randrange(len(nodes))]
    container[key] = value  # type: ignore[index]
    return json.dumps(document).encode()


def _damage(data: bytes, how: tuple | None) -> bytes:
    if how is None:
        return data
    if how[0] == "truncate":
        return data[: max(int(len(data) * how[1]), 1)]
    if how[0] == "flip":
        out = bytearray(data)
        out[how[1] % len(out)] ^= how[2]
        return bytes(out)
    return data[:10] + b"garbage" * 5  # a gzip/zip header, then nothing of the kind


fractions = st.floats(0.0, 1.0, allow_nan=False)
positions = st.lists(st.integers(0, 10_000), min_size=1, max_size=4)
line_steps = st.one_of(
    st.tuples(st.just("truncate"), fractions),
    st.tuples(st.just("delete_lines"), positions),
    st.tuples(st.just("duplicate_lines"), positions),
    st.tuples(st.just("swap_lines"), st.integers(0, 10_000), st.integers(0, 10_000)),
    st.tuples(st.just("shuffle_lines"), st.integers(0, 2**16)),
)
encoding_steps = st.one_of(
    st.tuples(st.just("utf16"), st.sampled_from(["le", "be"])),
    st.tuples(st.just("latin1")),
    st.tuples(st.just("crlf")),
)
locale_steps = st.one_of(
    st.tuples(
        st.just("delimiter"),
        st.sampled_from([",", ";", "\t"]),
        st.sampled_from([";", ",", "\t"]),
    ),
    st.tuples(st.just("decimal_comma")),
)
flip_steps = st.tuples(
    st.just("flip"),
    st.lists(st.tuples(st.integers(0, 100_000), st.integers(1, 255)), min_size=1, max_size=6),
)
damage = st.one_of(
    st.none(),
    st.tuples(st.just("truncate"), st.floats(0.05, 0.99)),
    st.tuples(st.just("flip"), st.integers(0, 100_000), st.integers(1, 255)),
    st.tuples(st.just("garbage")),
)
value_steps = st.one_of(
    st.tuples(st.just("cell"), st.integers(0, 2**16), st.sampled_from(ODD_VALUES)),
    st.tuples(st.just("json_node"), st.integers(0, 2**16), st.sampled_from(ODD_VALUES)),
)
compress_steps = st.one_of(
    st.tuples(st.just("gzip"), damage),
    st.tuples(st.just("zip"), damage, st.booleans(), st.booleans()),
)
FAMILIES = {
    "lines": st.lists(line_steps, min_size=1, max_size=3),
    "encoding": st.tuples(encoding_steps, st.lists(line_steps, max_size=1)).map(
        lambda pair: [*pair[1], pair[0]]
    ),
    "locale": st.lists(locale_steps, min_size=1, max_size=2),
    "bytes": st.lists(flip_steps, min_size=1, max_size=2),
    "values": st.lists(value_steps, min_size=1, max_size=3),
    "compressed": st.tuples(st.lists(line_steps, max_size=1), compress_steps).map(
        lambda pair: [*pair[0], pair[1]]
    ),
    "mixed": st.tuples(
        st.lists(st.one_of(line_steps, locale_steps, flip_steps, value_steps), max_size=3),
        st.lists(encoding_steps, max_size=1),
        st.lists(compress_steps, max_size=1),
    ).map(lambda parts: [*parts[0], *parts[1], *parts[2]]),
}


@dataclass(frozen=True)
class Case:
    """A file of the corpus and the damage done to it (shown when an example fails)."""

    file: str
    steps: tuple

    def build(self) -> tuple[str, bytes]:
        path = Path(self.file)
        data = _sample_bytes(path)
        name = path.name.removesuffix(".gz")
        for step in self.steps:
            data = _apply(data, step)
            if step[0] == "gzip":
                name += ".gz"
            elif step[0] == "zip":
                name += ".zip"
        return name, data


class _NamedBuffer(io.BytesIO):
    """Bytes with a file name, as a reader sees an open file."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


#: Warnings that point at a bug (a NumPy overflow, a pandas deprecation), unlike the
#: toolkit's own UserWarnings about files that could not be read or were partly read.
_BUG_WARNINGS = (RuntimeWarning, FutureWarning, DeprecationWarning)


def check_load(name: str, data: bytes) -> None:
    """Load one damaged file and check the promises listed in the module docstring."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = toolkit.load(_NamedBuffer(data, name), errors="collect", progress=False)
        except ToolkitError as error:
            if isinstance(error, ReaderError) or "an unexpected problem" in str(error):
                raise AssertionError(f"the safety net caught it:\n{error}") from error.__cause__
            return
    bugs = [w for w in caught if issubclass(w.category, _BUG_WARNINGS)]
    assert not bugs, [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in bugs]
    for record in result.ledger:
        if isinstance(record.exception, ReaderError):
            raise AssertionError(
                f"the safety net caught it:\n{record.error}"
            ) from record.exception.__cause__
        assert record.rows_balanced, str(record)
        assert record.readings_balanced, str(record)
    kept = sum(r.readings_kept for r in result.ledger)
    assert kept == len(result.readings), (kept, len(result.readings))


def cases(family: str) -> st.SearchStrategy[Case]:
    return st.builds(
        Case,
        file=st.sampled_from([str(p) for p in CORPUS]),
        steps=FAMILIES[family].map(tuple),
    )


@pytest.mark.skipif(not CORPUS, reason="no fixture files found under tests/data")
@pytest.mark.parametrize("family", list(FAMILIES))
def test_damaged_files_load_or_fail_cleanly(family):
    @_SETTINGS
    @given(cases(family))
    def run(case: Case) -> None:
        check_load(*case.build())

    run()


def test_corpus_includes_the_fixtures():
    assert any(p.is_relative_to(DATA) for p in CORPUS)
    if REAL_SAMPLES.is_dir():
        assert any(p.is_relative_to(REAL_SAMPLES) for p in CORPUS)


@pytest.mark.real_samples
def test_real_samples_in_the_corpus(real_samples):
    """The real samples are damaged too, when they are there (skipped with a reason when not)."""
    assert any(p.is_relative_to(real_samples) for p in CORPUS)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_undamaged_files_need_no_safety_net(path):
    check_load(path.name, _sample_bytes(path))
