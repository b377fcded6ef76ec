"""Opening what a reader is given: paths, buffers, ``.gz`` and ``.zip``, any text encoding.

Readers call :func:`open_files`, which returns one :class:`RawFile` per file (a zip
archive gives one per member), each with its bytes, a display name and its SHA-256, and
:func:`decode`, which turns bytes into text with a clear error for binary files. A
damaged ``.gz`` or zip member becomes a :class:`~toolkit.DataFormatError` naming it (a
damaged member of an intact archive fails alone: the other members are still read).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .._errors import DataFormatError, EmptyFileError, SourceNotFoundError, ToolkitError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from concurrent.futures import Future

__all__ = ["PathOrBuffer", "RawFile", "check_text", "decode", "open_files", "parser_bytes"]

PathOrBuffer = str | Path | bytes | IO[bytes] | IO[str]

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: What the standard library raises for damaged compressed data (NotImplementedError:
#: a zip "version needed" or compression method it does not know; RuntimeError: a zip
#: member that is encrypted).
_DAMAGED = (
    OSError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    struct.error,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


class RawFile:
    """One file to read: its name, its bytes (read on first use) and its SHA-256.

    A file on disk is not read until a reader asks for :attr:`data`; :meth:`head` reads
    only the beginning (for recognising the format), and a fast reader may hand
    :attr:`path` straight to a parser. The SHA-256 can be computed in a background thread
    (:meth:`start_hashing`) while the file is parsed.
    """

    def __init__(
        self,
        name: str,
        data: bytes | None = None,
        sha256: str | None = None,
        *,
        path: Path | None = None,
        error: ToolkitError | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.error = error
        self._data = data
        self._sha256 = sha256
        self._future: Future[str] | None = None

    @property
    def loaded(self) -> bool:
        """True once the bytes are in memory."""
        return self._data is not None

    @property
    def data(self) -> bytes:
        """The file's bytes (read from disk on first use).

        Raises
        ------
        ToolkitError
            :attr:`error`, for a member of an archive that could not be extracted.
        """
        if self.error is not None:
            raise self.error
        if self._data is None:
            self._data = Path(self.path).read_bytes()  # type: ignore[arg-type]
        return self._data

    def head(self, size: int = 65536) -> bytes:
        """Return the first ``size`` bytes, without reading the whole file."""
        if self._data is not None or self.path is None or self.error is not None:
            return self.data[:size]
        with Path(self.path).open("rb") as handle:
            return handle.read(size)

    def start_hashing(self) -> None:
        """Compute the SHA-256 in a background thread (hashing releases the GIL)."""
        if self._sha256 is None and self._future is None:
            from concurrent.futures import ThreadPoolExecutor

            executor = ThreadPoolExecutor(max_workers=1)
            self._future = executor.submit(_sha256_of, self.path, self._data)
            executor.shutdown(wait=False)

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes, hexadecimal."""
        if self._sha256 is None:
            if self._future is not None:
                self._sha256 = self._future.result()
            else:
                self._sha256 = _sha256_of(self.path, self._data)
        return self._sha256

    @sha256.setter
    def sha256(self, value: str) -> None:
        self._sha256 = value

    @property
    def basename(self) -> str:
        """The file name without folders (or the member name inside an archive)."""
        return self.name.replace("\\", "/").split("::")[-1].rsplit("/", 1)[-1]

    def __repr__(self) -> str:
        return f"RawFile({self.name!r})"


def _sha256_of(path: Path | None, data: bytes | None) -> str:
    if data is not None:
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:  # type: ignore[arg-type]
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_input(source: PathOrBuffer) -> tuple[str, bytes]:
    if isinstance(source, bytes | bytearray):
        return "<buffer>", bytes(source)
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise SourceNotFoundError(
                "The file does not exist.",
                file=str(source),
                fix="Check the path (it is relative to the notebook's folder), or list "
                "files with toolkit.datasets.list() for the bundled data.",
            )
        if path.is_dir():
            msg_fix = f"Use toolkit.load({str(source)!r}) to read every file in a folder."
            raise DataFormatError("This is a folder, not a file.", file=str(source), fix=msg_fix)
        return str(path), path.read_bytes()
    name = str(getattr(source, "name", "<buffer>"))
    content = source.read()
    if isinstance(content, str):
        content = content.encode("utf-8")
    return name, content


def _expand(name: str, data: bytes) -> Iterator[RawFile]:
    outer = hashlib.sha256(data).hexdigest()
    if data[:2] == _GZIP_MAGIC:
        try:
            inner = gzip.decompress(data)
        except _DAMAGED as error:
            raise DataFormatError(
                "The file looks gzip-compressed but could not be decompressed: it is cut "
                "short or damaged.",
                file=name,
                found=f"{type(error).__name__}: {error}",
                fix="Download the file again (or copy it again from the logger's card).",
            ) from None
        # The ledger names the file that exists (``day.csv.gz``), not the one inside.
        yield RawFile(name, inner, outer)
        return
    if data[:4] == _ZIP_MAGIC:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except _DAMAGED as error:
            raise DataFormatError(
                "The zip archive could not be opened: it is cut short or damaged.",
                file=name,
                found=f"{type(error).__name__}: {error}",
                fix="Download the archive again; it may be cut short.",
            ) from None
        if any(n.startswith("xl/") for n in archive.namelist()):
            # An Excel workbook (.xlsx) is a zip too: it is one file, not an archive.
            yield RawFile(name, data, outer)
            return
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir() and not m.filename.startswith("__MACOSX")
        ]
        if not members:
            raise EmptyFileError(
                "The zip archive holds no files.",
                file=name,
                fix="Check that the right archive was downloaded.",
            )
        for member in members:
            inner_name = f"{name}::{member.filename}"
            try:
                content = archive.read(member)
                inner = list(_expand(inner_name, content))
            except ToolkitError as error:  # a damaged .gz inside the archive
                yield RawFile(inner_name, b"", "", error=error)
                continue
            except _DAMAGED as error:
                problem = DataFormatError(
                    "This member of the zip archive could not be extracted: it is damaged, "
                    "encrypted or compressed with a method Python cannot read.",
                    file=inner_name,
                    found=f"{type(error).__name__}: {error}",
                    fix="Download the archive again, or extract it with another program "
                    "and load the files it holds.",
                )
                yield RawFile(inner_name, b"", "", error=problem)
                continue
            yield from inner
        return
    yield RawFile(name, data, outer)


def open_files(source: PathOrBuffer | RawFile) -> list[RawFile]:
    """Read a path or buffer into one :class:`RawFile` per contained file.

    Parameters
    ----------
    source
        A path, bytes, or an open file (binary or text). Gzip files are decompressed;
        zip archives give one entry per member (``archive.zip::member.csv``). A
        :class:`RawFile` (already opened, as :func:`toolkit.load` does) is returned as is.

    Returns
    -------
    list of RawFile
        Each with the SHA-256 of the bytes as given (the compressed file for ``.gz``;
        the member for zips).

    Raises
    ------
    SourceNotFoundError
        If a path does not exist.
    DataFormatError
        If compressed data cannot be opened.
    """
    if isinstance(source, RawFile):
        return [source]
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_file():
            with path.open("rb") as handle:
                magic = handle.read(4)
            if magic[:2] != _GZIP_MAGIC and magic != _ZIP_MAGIC:
                return [RawFile(str(path), path=path)]
    name, data = _read_input(source)
    files = list(_expand(name, data))
    for raw in files:
        if raw.error is None and (name.endswith(".zip") or "::" in raw.name):
            raw.sha256 = hashlib.sha256(raw.data).hexdigest()
    return files


def check_text(raw: RawFile) -> str:
    """Check that a file holds text, and return its beginning (up to 64 KiB) decoded.

    Readers that hand the bytes straight to a fast parser call this first, so that empty
    and binary files get the same clear errors as in :func:`decode`.

    Raises
    ------
    EmptyFileError
        If the file has no content, or only white space.
    DataFormatError
        If the bytes are not text (for example an image or a spreadsheet saved as .csv),
        or if the file is a member of an archive that could not be extracted.
    """
    if raw.error is not None:
        raise raw.error
    head = raw.head(65536)
    if not head.strip():
        raise EmptyFileError(
            "The file is empty.",
            file=raw.name,
            found=f"{len(raw.data)} byte(s), no text",
            fix="Download or export the file again; it may have been saved before the data "
            "arrived.",
        )
    if head[:2] in _UTF16_BOMS:
        return head.decode("utf-16", errors="replace")
    sample = head[:4096]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 20:
        kind = (
            "an Excel or zip file"
            if sample[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
            else "binary"
        )
        raise DataFormatError(
            "The file is not text, so it cannot be a CSV or JSON export.",
            file=raw.name,
            found=f"{kind} content (first bytes {sample[:8]!r})",
            fix="Check that this is the exported file and not a picture, a spreadsheet or a "
            "damaged download. Excel files are read with toolkit.readers.read_csv_mapped.",
        )
    return head.decode("utf-8-sig", errors="replace")


def decode(raw: RawFile) -> tuple[str, str]:
    """Return the whole text of a file and the encoding used.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are
    recognised; anything else that is still text is read as Latin-1, and the caller
    notes it in the ledger.

    Raises
    ------
    EmptyFileError
        If the file has no content, or only white space.
    DataFormatError
        If the bytes are not text.
    """
    check_text(raw)
    data = raw.data
    if data[:2] in _UTF16_BOMS:
        # errors="replace": a file cut short may end in half a character.
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def parser_bytes(raw: RawFile) -> tuple[bytes | None, str]:
    """Return what to hand a fast parser that reads UTF-8 only (pyarrow), and the encoding.

    Parameters
    ----------
    raw
        An opened file.

    Returns
    -------
    data : bytes or None
        ``None`` when the parser may read :attr:`RawFile.path` itself (a file on disk,
        not yet in memory, without a UTF-16 byte-order mark); otherwise the bytes, as
        UTF-8 (a UTF-16 file, as Excel's "Unicode text" saves, is decoded first).
    encoding : str
        ``"utf-16"`` when the text was re-encoded, else ``"utf-8"`` (the parser finds
        out itself whether the bytes really are UTF-8).
    """
    if raw.head(2) in _UTF16_BOMS:
        text, encoding = decode(raw)
        return text.encode("utf-8"), encoding
    if raw.path is not None and not raw.loaded:
        return None, "utf-8"
    return raw.data, "utf-8"
