"""Choose the encoding of a text file, or of bytes already in memory, and say why.

A declared encoding is used when there is one (bytes it cannot decode become U+FFFD, and the
note says so). Otherwise: UTF-16 or UTF-32 when a byte-order mark (or, for UTF-16, the pattern
of zero bytes) says so; UTF-8 when the text is valid UTF-8; else a charset detection, trusted
only where it is reliable; else cp1252; else latin-1, which decodes anything.

A file named ``.gz``, ``.bz2`` or ``.zst`` is examined (and read, by :func:`open_bytes`)
decompressed, as a stream.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path

from negtrend.data.errors import LoadError

_CHUNK = 1 << 20
_SAMPLE = 1 << 19
COMPRESSIONS = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd",
                ".zip": "zip"}  # zip: an archive of one file, as GDELT publishes its files
_BOM_CODECS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
               (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def compression_of(path: str | Path) -> str | None:
    """The codec a file's last suffix names (gzip, bz2, zstd, zip), or None for a plain
    file."""
    return COMPRESSIONS.get(Path(path).suffix.lower())


class _Decompressing(io.RawIOBase):
    """A compressed file read as its decompressed bytes (pyarrow's codecs, streaming); a
    corrupt or truncated stream is a LoadError naming the file, not a bare OSError."""

    def __init__(self, path: Path, codec: str):
        import pyarrow as pa

        self._path, self._codec = path, codec
        try:
            self._stream = pa.CompressedInputStream(pa.OSFile(str(path)), codec)
        except pa.ArrowNotImplementedError as err:
            raise LoadError(f"{path}: this pyarrow cannot read {codec} ({err}); decompress "
                            "the file first") from None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._stream.read(len(buffer))
        except OSError as err:
            raise LoadError(f"{self._path}: cannot decompress it as {self._codec} ({err}); "
                            f"expected a complete {self._codec} file") from None
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


def open_bytes(path: str | Path):
    """A binary handle on a file's content, decompressed when its suffix names a codec."""
    path = Path(path)
    codec = compression_of(path)
    if codec is None:
        return open(path, "rb")
    if not path.is_file():
        return open(path, "rb")  # the usual FileNotFoundError / IsADirectoryError
    if codec == "zip":
        return _zip_member(path)
    return io.BufferedReader(_Decompressing(path, codec), buffer_size=_CHUNK)


def _zip_member(path: Path):
    """The one file of a zip archive, streamed; an archive of several (or none) is an error
    naming what it holds."""
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise LoadError(f"{path}: not a readable zip archive ({err})") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) != 1:
        archive.close()
        names = ", ".join(m.filename for m in members[:5]) or "nothing"
        raise LoadError(f"{path}: a zip archive must hold exactly one file; it holds "
                        f"{len(members)} ({names}); unpack it and pass the files")
    return io.BufferedReader(_ZipStream(archive, members[0]), buffer_size=_CHUNK)


class _ZipStream(io.RawIOBase):
    """A zip member's bytes; closing it closes the archive too."""

    def __init__(self, archive, member):
        self._archive, self._stream = archive, archive.open(member)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._archive.close()
        super().close()


def _open(source: Path | bytes):
    """A binary handle on the text to examine: the file (decompressed), or the bytes."""
    return io.BytesIO(source) if isinstance(source, bytes) else open_bytes(source)


def _skip_to(handle, position: int, offset: int) -> None:
    """Move a handle at ``position`` forward to ``offset``; compressed streams cannot seek,
    so read on."""
    if handle.seekable():
        handle.seek(offset)
        return
    while position < offset and (chunk := handle.read(min(_CHUNK, offset - position))):
        position += len(chunk)


def _first_bad_byte(source: Path | bytes, encoding: str) -> tuple[int, int] | None:
    """Offset and value of the first byte ``encoding`` cannot decode; streams the file."""
    decoder = codecs.getincrementaldecoder(encoding)()
    pos = 0
    with _open(source) as handle:
        while chunk := handle.read(_CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return pos - pending + err.start, err.object[err.start]
            pos += len(chunk)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            return pos - pending + err.start, err.object[err.start]
    return None


def _detect(source: Path | bytes, bad_offset: int) -> tuple[str | None, str]:
    """charset_normalizer on the head plus the bytes around the first bad byte.

    Returns (encoding, "") or (None, why not). Between single-byte code pages the detector's
    pick is a guess (cp1250 or cp775 for plain cp1252 text), so cp1252 is taken when it scores
    as well as the winner, and another single-byte pick is not trusted; multi-byte and UTF-16/32
    detections are.
    """
    import charset_normalizer
    from charset_normalizer.utils import is_multi_byte_encoding

    with _open(source) as handle:
        sample = handle.read(_SAMPLE)
        if bad_offset >= _SAMPLE:
            _skip_to(handle, len(sample), max(bad_offset - 4096, _SAMPLE))
            sample += b"\n" + handle.read(_SAMPLE // 4)
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        return None, "detection found no candidate"
    tied = [m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        return "cp1252", ""
    if _is_utf8(best.encoding) or not is_multi_byte_encoding(best.encoding):
        return None, f"detection guessed {best.encoding}, not trusted for single-byte text"
    return best.encoding, ""


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in {"utf-8", "utf-8-sig"}


def choose_encoding(path: str | Path, declared: str | None = None) -> tuple[str, str, str]:
    """(encoding, errors, note) for a text file: UTF-8, else declared, detected or fallback."""
    path = Path(path)
    return _choose(path, declared, str(path), detect=True)


def decode_bytes(data: bytes, declared: str | None = None, *, detect: bool = True) -> str:
    """Text from bytes in memory, the encoding chosen as :func:`choose_encoding` chooses it;
    a leading byte-order mark is dropped. ``detect=False`` skips the charset detection: without
    a declared encoding that is UTF-8, else cp1252, else latin-1."""
    data = bytes(data)
    used, errors, _ = _choose(data, declared, "<bytes>", detect=detect)
    return data.decode(used, errors).removeprefix("\ufeff")


def decode_head(data: bytes, declared: str | None = None, *, complete: bool = False) -> str:
    """Text of a file's first bytes, to peek at its header without reading the whole file;
    unless they are the whole file (``complete``) they may end inside a character, so they
    are cut at the last line break first."""
    data = bytes(data)
    cut = data if complete else (data[:data.rfind(b"\n") + 1] or data)
    used, _, _ = _choose(cut, declared, "<head>", detect=True)
    return cut.decode(used, "replace").removeprefix("\ufeff")


def _wide_unicode(source: Path | bytes) -> tuple[str, str] | None:
    """(codec, why) for UTF-32/UTF-16 text: a byte-order mark, or (UTF-16 without one) zero
    bytes in nearly every other position of the first 4 KB, which 8-bit text never has."""
    with _open(source) as handle:
        head = handle.read(4096)
    for bom, codec in _BOM_CODECS:
        if head.startswith(bom):
            return codec, "byte-order mark"
    even, odd = head[0::2], head[1::2]
    if len(head) >= 8:
        for codec, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
            if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) <= 0.1 * len(other):
                return codec, "no byte-order mark; every other byte is zero"
    return None


def _choose_wide(source: Path | bytes, codec: str, why: str) -> tuple[str, str, str]:
    bad = _first_bad_byte(source, codec)
    if bad is None:
        return codec, "strict", f"decoded as {codec} ({why})"
    return codec, "replace", (f"decoded as {codec} ({why}), but the bytes at offset {bad[0]} "
                              f"are not valid {codec} (a truncated file?); they became U+FFFD")


def _choose(source: Path | bytes, declared: str | None, name: str, *,
            detect: bool) -> tuple[str, str, str]:
    """(encoding, errors, note); ``name`` says in an error message what was being read."""
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            raise LoadError(f"{name}: unknown encoding '{declared}'") from None
    elif wide := _wide_unicode(source):
        return _choose_wide(source, *wide)
    bad = _first_bad_byte(source, "utf-8")
    where = "" if bad is None else f"not valid UTF-8 (first bad byte at offset {bad[0]}); "
    if declared:
        utf8_ok = bad is None and _is_utf8(declared)
        declared_bad = None if utf8_ok else _first_bad_byte(source, declared)
        if declared_bad is not None:
            return declared, "replace", (
                f"{where}decoded as {declared} (declared), but byte 0x{declared_bad[1]:02x} at "
                f"offset {declared_bad[0]} is not valid {declared}; such bytes became U+FFFD")
        if bad is None:
            note = "" if _is_utf8(declared) else \
                f"decoded as {declared} (declared; the file is also valid UTF-8)"
            return declared, "strict", note
        return declared, "strict", f"{where}decoded as {declared} (declared)"
    if bad is None:
        return "utf-8", "strict", ""
    detected, why = _detect(source, bad[0]) if detect else (None, "detection off")
    if detected:
        detected_bad = _first_bad_byte(source, detected)
        if detected_bad is None:
            return detected, "strict", f"{where}decoded as {detected} (detected)"
        why = f"detected {detected} cannot decode byte 0x{detected_bad[1]:02x}"
    cp_bad = _first_bad_byte(source, "cp1252")
    if cp_bad is None:
        return "cp1252", "strict", f"{where}decoded as cp1252 (fallback; {why})"
    return "latin-1", "strict", (
        f"{where}decoded as latin-1 (fallback; {why}; cp1252 cannot decode byte "
        f"0x{cp_bad[1]:02x} at offset {cp_bad[0]})")
