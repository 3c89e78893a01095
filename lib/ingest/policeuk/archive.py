"""Single members of a zip archive on a web server, read with HTTP range requests: the end record and the central
directory first, then only the members wanted, each as one range (resumed from the byte it reached when a
connection drops). The whole archive is never downloaded.

What can go wrong gives one line (ArchiveError): a server that ignores Range (it answers 200 and would send the
whole body: the response is closed unread), an archive that is truncated or not a zip, a member whose bytes are
missing or the wrong size, a bad CRC-32. 5xx answers, timeouts and dropped connections are retried with back-off.
The directory is parsed by the standard library's zipfile over a sparse view of the bytes fetched (ZIP64 included).
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

RETRIES = 4  # a request is tried this many more times after a 5xx, a timeout or a dropped connection
BACKOFF_SECONDS = 0.5  # the first wait before a retry; doubled each time
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
TAIL_BYTES = 65_557 + 20 + 56  # the end record with the longest comment, the ZIP64 locator and ZIP64 end record
CHUNK = 1 << 16
LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # a member's local file header (30 bytes)
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
Progress = Callable[[int], None]  # bytes received so far of the member


class ArchiveError(Exception):
    """Reading the archive failed; the message is one line saying why."""


class RangeIgnoredError(ArchiveError):
    """The server answered a range request with the whole body."""


class NotFoundError(ArchiveError):
    """The server has no such file (404)."""


class _RetryError(Exception):
    """A server error worth trying again."""


class Http:
    """One HTTP client (proxy settings from the usual environment variables) with retries, counting every byte
    received, and the waits between tries (a test shortens them)."""

    def __init__(self, retries: int = RETRIES, backoff: float | None = None, timeout: httpx.Timeout = TIMEOUT) -> None:
        """A client that keeps its connections open between requests (backoff: BACKOFF_SECONDS as it is then)."""
        self.retries, self.backoff = retries, BACKOFF_SECONDS if backoff is None else backoff
        self.received = 0
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            trust_env=True,
            headers={"User-Agent": "saferleeds-dashboard", "Accept-Encoding": "identity"},
        )

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    def _wait(self, attempt: int, url: str, error: Exception) -> None:
        """Wait before another try, or raise once the tries are used up."""
        if attempt > self.retries:
            raise ArchiveError(f"{url}: {_reason(error)} (tried {attempt} times)") from error
        time.sleep(self.backoff * 2 ** (attempt - 1))

    def get_json(self, url: str) -> object:
        """A JSON answer (retried like any request)."""
        attempt = 0
        while True:
            try:
                response = self.client.get(url)
                self.received += len(response.content)
                if response.status_code >= 500:
                    raise _RetryError(f"HTTP {response.status_code}")
                if response.status_code != 200:
                    raise ArchiveError(f"{url}: HTTP {response.status_code}")
                return response.json()
            except (httpx.TransportError, _RetryError) as error:
                attempt += 1
                self._wait(attempt, url, error)
            except ValueError as error:
                raise ArchiveError(f"{url}: the answer is not JSON") from error

    def tail(self, url: str, length: int) -> tuple[bytes, int]:
        """The last `length` bytes of a file (or all of it, if shorter) and the file's size."""
        attempt = 0
        while True:
            try:
                with self.client.stream("GET", url, headers={"Range": f"bytes=-{length}"}) as response:
                    first, _, total = _partial(url, response)
                    data = b"".join(response.iter_raw(CHUNK))
                    self.received += len(data)
                if total is None or first + len(data) != total:
                    raise _RetryError("the end of the file was cut off")
                return data, total
            except (httpx.TransportError, _RetryError) as error:
                attempt += 1
                self._wait(attempt, url, error)

    def ranged(self, url: str, start: int, end: int, sink: Callable[[bytes], object], progress: Progress) -> None:
        """Bytes start..end (inclusive) into sink, as they arrive; a dropped connection resumes from the byte reached
        (the tries start afresh once a try got further)."""
        position, attempt = start, 0
        while position <= end:
            reached = position
            try:
                with self.client.stream("GET", url, headers={"Range": f"bytes={position}-{end}"}) as response:
                    first, _, _total = _partial(url, response)
                    if first != position:
                        raise ArchiveError(f"{url}: asked for bytes from {position:,}, was sent bytes from {first:,}")
                    for chunk in response.iter_raw(CHUNK):
                        self.received += len(chunk)
                        piece = chunk[: end - position + 1]
                        sink(piece)
                        position += len(piece)
                        progress(position - start)
                        if position > end:
                            break
                if position <= end:
                    raise _RetryError(f"the connection ended after {position - start:,} of {end - start + 1:,} bytes")
            except (httpx.TransportError, _RetryError) as error:
                attempt = 1 if position > reached else attempt + 1
                self._wait(attempt, url, error)


def _reason(error: Exception) -> str:
    """What went wrong with a request, in words."""
    if isinstance(error, httpx.ConnectError):
        return "cannot connect (offline, or the address is wrong?)"
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(error, httpx.TransportError):
        return f"the connection failed ({error or type(error).__name__})"
    return str(error)


def _partial(url: str, response: httpx.Response) -> tuple[int, int, int | None]:
    """The first and last byte and the file's size of a 206 answer; anything else raises, unread."""
    code = response.status_code
    if code == 206:
        match = CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
        if not match:
            raise ArchiveError(f"{url}: a partial answer without a valid Content-Range header")
        total = None if match[3] == "*" else int(match[3])
        return int(match[1]), int(match[2]), total
    if code == 200:
        raise RangeIgnoredError(
            f"{url}: the server ignored the Range header and would send the whole archive; stopped without "
            "downloading it (the archive's server or mirror must support HTTP range requests)"
        )
    if code == 404:
        raise NotFoundError(f"{url}: not found (HTTP 404)")
    if code == 416:
        raise ArchiveError(f"{url}: the archive is shorter than its directory says (truncated?)")
    if code >= 500:
        raise _RetryError(f"HTTP {code}")
    raise ArchiveError(f"{url}: HTTP {code}")


class _Sparse(io.RawIOBase):
    """A read-only, seekable view of a remote file of known size: bytes already fetched are served from memory, any
    other read is one range request (zipfile reads the end record, then the whole central directory in one read)."""

    def __init__(self, size: int, known: dict[int, bytes], fetch: Callable[[int, int], bytes]) -> None:
        """The file's size, the pieces held (start -> bytes) and how to fetch start, length."""
        super().__init__()
        self.size, self.known, self.fetch, self.position = size, dict(known), fetch, 0

    def readable(self) -> bool:
        """It is read."""
        return True

    def seekable(self) -> bool:
        """It seeks."""
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move, from the start, here or the end."""
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = max(0, min(self.size, base + offset))
        return self.position

    def tell(self) -> int:
        """Where it is."""
        return self.position

    def read(self, size: int | None = -1) -> bytes:
        """Up to size bytes from here (all to the end if size is negative)."""
        length = self.size - self.position if size is None or size < 0 else min(size, self.size - self.position)
        if length <= 0:
            return b""
        start = self.position
        for begin, data in self.known.items():
            if begin <= start and start + length <= begin + len(data):
                piece = data[start - begin : start - begin + length]
                break
        else:
            piece = self.fetch(start, length)
            self.known[start] = piece
        self.position += len(piece)
        return piece

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override] # io's buffer protocol type
        """Read into buffer."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass(frozen=True)
class Member:
    """A member's place in the archive and what it should inflate to."""

    name: str
    start: int  # its local header
    end: int  # the last byte before the next member (or the central directory)
    compress_type: int
    compress_size: int
    file_size: int
    crc: int


class RemoteArchive:
    """A zip archive on a web server: its directory read with two range requests at most."""

    def __init__(self, http: Http, url: str) -> None:
        """Read the directory; ArchiveError (one line) if the file is missing, truncated or not a zip."""
        self.http, self.url = http, url
        tail, self.size = http.tail(url, TAIL_BYTES)

        def fetch(start: int, length: int) -> bytes:
            """A range of the archive, in memory (the central directory)."""
            parts: list[bytes] = []
            http.ranged(url, start, start + length - 1, parts.append, lambda _done: None)
            return b"".join(parts)

        try:
            with zipfile.ZipFile(_Sparse(self.size, {self.size - len(tail): tail}, fetch)) as archive:
                infos = [info for info in archive.infolist() if not info.is_dir()]
                directory_start = archive.start_dir
        except (zipfile.BadZipFile, struct.error, ValueError) as error:
            raise ArchiveError(
                f"{url}: not a complete zip archive (truncated or damaged: {error}); nothing was imported"
            ) from error
        ends = sorted({info.header_offset for info in infos} | {directory_start})
        following = {start: ends[i + 1] for i, start in enumerate(ends[:-1])}
        self.members = {
            info.filename: Member(
                info.filename,
                info.header_offset,
                following[info.header_offset] - 1,
                info.compress_type,
                info.compress_size,
                info.file_size,
                info.CRC,
            )
            for info in infos
        }

    def download(self, name: str, folder: Path, progress: Progress) -> Path:
        """Fetch one member's bytes as stored (one range, resumed if cut off) into folder and check them: the sizes
        and the CRC-32 of what it inflates to. The file written; ArchiveError if anything is wrong."""
        member = self.members[name]
        path = folder / f"{len(list(folder.iterdir())):05d}.part"
        with path.open("wb") as out:
            self.http.ranged(self.url, member.start, member.end, out.write, progress)
        try:
            with opened(path, member) as stream:
                while stream.read(CHUNK):
                    pass  # reading it to the end checks its size and CRC-32
        except (zipfile.BadZipFile, zlib.error) as error:
            raise ArchiveError(f"{error}; nothing was imported") from error
        return path


def _data_start(raw: IO[bytes], member: Member) -> int:
    """Where a downloaded member's compressed bytes begin (after its local header), checked against its size."""
    header = raw.read(LOCAL_HEADER.size)
    if len(header) < LOCAL_HEADER.size or LOCAL_HEADER.unpack(header)[0] != b"PK\x03\x04":
        raise ArchiveError(f"{member.name}: its bytes do not start with a zip member's header (the wrong size?)")
    fields = LOCAL_HEADER.unpack(header)
    start = LOCAL_HEADER.size + fields[9] + fields[10]
    if start + member.compress_size > member.end - member.start + 1:
        raise ArchiveError(
            f"{member.name}: the archive gives it {member.compress_size:,} compressed bytes, more than it holds "
            "(the wrong size)"
        )
    return start


class _Inflating(io.RawIOBase):
    """A downloaded member's content as a stream, inflated as it is read; reaching its end checks its size and CRC-32
    (zipfile.BadZipFile, which an import reports as a damaged archive member)."""

    def __init__(self, raw: IO[bytes], member: Member) -> None:
        """Read member's compressed bytes from raw (placed at their start)."""
        super().__init__()
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ArchiveError(f"{member.name}: compressed by a method this reader does not know")
        self.raw, self.member, self.left = raw, member, member.compress_size
        self.inflater = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
        self.crc = self.size = 0
        self.pending = b""
        self.done = False

    def readable(self) -> bool:
        """It is read."""
        return True

    def close(self) -> None:
        """Close the downloaded file too."""
        self.raw.close()
        super().close()

    def _more(self) -> bytes:
        """The next inflated piece, or b"" at the end (after checking it)."""
        while not self.done:
            data = self.raw.read(min(CHUNK, self.left)) if self.left else b""
            self.left -= len(data)
            if self.left and not data:
                raise zipfile.BadZipFile(f"{self.member.name}: its compressed bytes end early (truncated)")
            if self.inflater is None:
                out = data
            else:
                out = self.inflater.decompress(data)
                if not self.left:
                    out += self.inflater.flush()
            if not self.left:
                self.done = True
            self.crc = zlib.crc32(out, self.crc)
            self.size += len(out)
            if self.done:
                self._check()
            if out:
                return out
        return b""

    def _check(self) -> None:
        """Its inflated size and CRC-32 against the archive's directory."""
        if self.size != self.member.file_size:
            raise zipfile.BadZipFile(
                f"{self.member.name}: inflates to {self.size:,} bytes, the archive says {self.member.file_size:,}"
            )
        if self.crc != self.member.crc:
            raise zipfile.BadZipFile(f"{self.member.name}: bad CRC-32 (its bytes are corrupted)")

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override] # io's buffer protocol type
        """Inflate into buffer."""
        if not self.pending:
            self.pending = self._more()
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


def opened(path: Path, member: Member) -> IO[bytes]:
    """A downloaded member's content as a buffered stream."""
    raw = path.open("rb")
    try:
        raw.seek(_data_start(raw, member))
        return io.BufferedReader(_Inflating(raw, member), CHUNK)  # type: ignore[type-var] # a RawIOBase
    except Exception:
        raw.close()
        raise
