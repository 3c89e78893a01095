"""Checks every uploaded file passes before it is parsed: size, emptiness, binary content, UTF-8, what an archive
may cost to open; and its problems.

A problem is tied to a row and a column where it can be, so a user can find it in their spreadsheet.

What an upload may cost is bounded before anything is decompressed: each file (a CSV, or a member of a zip or of an
.xlsx workbook, which is a zip too) is at most SAFERLEEDS_MAX_UPLOAD_MB uncompressed, one import at most
SAFERLEEDS_MAX_IMPORT_MB in all, an archive at most MAX_MEMBERS members, and no member may claim to expand more than
MAX_RATIO times (real police.uk and Excel files stay under about 15:1; zip bombs are hundreds to one). Files are then
read as streams, so memory does not grow with a file's size.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from lib.core import config

MAX_UPLOAD_MB = config.Setting(
    "SAFERLEEDS_MAX_UPLOAD_MB",
    "50",
    "Largest file (in MB, uncompressed) an import accepts; larger files are rejected before they are read.",
)
MAX_IMPORT_MB = config.Setting(
    "SAFERLEEDS_MAX_IMPORT_MB",
    "1024",
    "Largest import (in MB, uncompressed, every file of an upload, folder or archive together).",
)
SETTINGS = (MAX_UPLOAD_MB, MAX_IMPORT_MB)
FIRST_ERRORS = 20  # how many problems an ImportBatch keeps
MAX_MEMBERS = 2_000  # files in one archive: ten years of monthly street, outcome and stop-and-search files is 360
MAX_RATIO = 100  # uncompressed / compressed size of one archive member (checked from 1 MB uncompressed)
BLOCK = 1024 * 1024  # bytes read at a time when hashing or decoding a stream


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (row as a spreadsheet shows it, 1 = header; column) and what."""

    message: str
    row: int | None = None
    column: str = ""
    sheet: str = ""  # a workbook's sheet (or an archive's CSV file), where the file has several

    def __str__(self) -> str:
        """'sheet kpis, row 5, column value: not a number' or just the message."""
        where = ", ".join(
            p
            for p in (
                f"sheet {self.sheet}" if self.sheet else "",
                f"row {self.row}" if self.row else "",
                f"column {self.column}" if self.column else "",
            )
            if p
        )
        return f"{where}: {self.message}" if where else self.message


class ImportRejectedError(Exception):
    """The file cannot be imported; nothing was written. Carries every problem found."""

    def __init__(self, file_name: str, problems: list[Problem]) -> None:
        """Remember the file and its problems; the message is the first problem."""
        self.file_name = file_name
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{file_name}: {problems[0]}{more}")


def _megabytes(setting: config.Setting) -> int:
    """A size setting in bytes."""
    try:
        return int(float(config.get(setting)) * 1024 * 1024)
    except ValueError as error:
        raise ValueError(f"{setting.name} must be a number of megabytes") from error


def max_bytes() -> int:
    """The configured size limit of one file in bytes."""
    return _megabytes(MAX_UPLOAD_MB)


def max_upload_mb() -> int:
    """The configured size limit of one file in whole megabytes (at least 1), as an upload box states it."""
    return max(1, int(max_bytes() // (1024 * 1024)))


def max_import_bytes() -> int:
    """The configured size limit of one whole import in bytes."""
    return _megabytes(MAX_IMPORT_MB)


def sha256(data: bytes) -> str:
    """Hex SHA-256 of the file's bytes: the identity that makes re-importing the same file a no-op."""
    return hashlib.sha256(data).hexdigest()


def stream_sha256(stream: IO[bytes]) -> str:
    """Hex SHA-256 of a stream, read a block at a time."""
    digest = hashlib.sha256()
    while block := stream.read(BLOCK):
        digest.update(block)
    return digest.hexdigest()


def check_total(name: str, sizes: Iterable[int]) -> None:
    """Reject an import whose files add up to more than the import limit (before any is read)."""
    total, limit = sum(sizes), max_import_bytes()
    if total > limit:
        raise ImportRejectedError(
            name,
            [
                Problem(
                    f"the files add up to {total / 1024 / 1024:,.0f} MB uncompressed; one import takes at most "
                    f"{limit / 1024 / 1024:,.0f} MB ({MAX_IMPORT_MB.name}). Import them in smaller groups."
                )
            ],
        )


def check_archive(name: str, archive: zipfile.ZipFile) -> None:
    """Reject an archive (a zip, or an .xlsx workbook) that would cost too much to open, from its directory alone:
    too many members, a member over the file limit, more than the import limit in all, or a member that claims to
    expand implausibly (a zip bomb)."""
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise ImportRejectedError(
            name, [Problem(f"the archive holds {len(members):,} files; at most {MAX_MEMBERS:,} are accepted")]
        )
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > BLOCK and ratio > MAX_RATIO:
            raise ImportRejectedError(
                f"{name}:{info.filename}",
                [
                    Problem(
                        f"it claims to expand {ratio:,.0f} times (to {info.file_size / 1024 / 1024:,.0f} MB); real "
                        f"files expand at most about 15 times, so it is refused as a possible zip bomb"
                    )
                ],
            )
    check_total(name, (info.file_size for info in members))


def damaged_archive(name: str, error: Exception) -> ImportRejectedError:
    """The plain refusal for an archive whose data turns out damaged while it is read (bad CRC, false sizes)."""
    return ImportRejectedError(
        name,
        [
            Problem(
                f"the archive is damaged and cannot be read ({error}); download it again, or unzip it and import "
                "the CSV files"
            )
        ],
    )


UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def text_problem(head: bytes) -> Problem | None:
    """What is wrong with a file for a CSV import, judged from its first bytes: empty, UTF-16 ("Unicode Text"), or
    binary; None if it may be UTF-8 text."""
    if not head.strip():
        return Problem("the file is empty")
    if head.startswith(UTF16_MARKS) or (len(head) > 3 and head[1::2][:64].count(0) > 32):
        return Problem(
            "the file is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8 (comma delimited)' and try again"
        )
    if b"\x00" in head[:8192]:
        return Problem("this is not a text file (it holds binary data); expected a CSV")
    return None


def check_size(file_name: str, size: int) -> None:
    """Reject a file over the size limit (before reading it, where the size is known first)."""
    limit = max_bytes()
    if size > limit:
        raise ImportRejectedError(
            file_name,
            [
                Problem(
                    f"the file is {size / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:.0f} MB "
                    f"({MAX_UPLOAD_MB.name}). Split it (one month per file) or raise the limit."
                )
            ],
        )


def decode_text(file_name: str, data: bytes) -> str:
    """The file as text: UTF-8 (a byte-order mark is fine), never guessed. Binary or other encodings are rejected."""
    check_size(file_name, len(data))
    if problem := text_problem(data[:8192]):
        raise ImportRejectedError(file_name, [problem])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejectedError(
            file_name,
            [
                Problem(
                    f"the file is not UTF-8 text (byte {error.start + 1}, on line {line}). "
                    "Save it as 'CSV UTF-8' and try again.",
                    row=line,
                )
            ],
        ) from error
    if not text.strip():
        raise ImportRejectedError(file_name, [Problem("the file is empty")])
    return text  # line endings (LF, CRLF) are the CSV reader's business


# Workbooks ---------------------------------------------------------------------------------------------------------


def cell_text(value: object, number_format: str = "General") -> str:
    """An Excel cell as the text a CSV would hold (dates as ISO, whole numbers without .0, formulas as written).

    A number in a percentage format is what Excel shows, not what it stores: typing 85% stores 0.85, shown "85%".
    """
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        value = round(value * 100, 10)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(file_name: str, data: bytes) -> dict[str, list[list[str]]]:
    """Every sheet of a workbook as rows of text, by sheet name in the workbook's order; formulas are read as their
    text, never calculated. A workbook is a zip: what opening it may cost is checked from its directory first (a
    600 KB file can hold 200 MB)."""
    from openpyxl import load_workbook  # imported here: only Excel uploads need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_archive(file_name, archive)
            check_size(file_name, sum(info.file_size for info in archive.infolist()))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except ImportRejectedError:
        raise
    except Exception as error:  # noqa: BLE001 - zipfile and openpyxl raise many types for a damaged file
        raise ImportRejectedError(file_name, [Problem("this is not a readable Excel workbook (.xlsx)")]) from error
    sheets = {
        sheet.title: [
            [cell_text(cell.value, getattr(cell, "number_format", None) or "General") for cell in row]
            for row in sheet.iter_rows()
        ]
        for sheet in workbook.worksheets
    }
    workbook.close()
    return sheets
