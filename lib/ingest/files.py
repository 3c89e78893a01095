"""Checks every uploaded file passes before it is parsed: size, emptiness, binary content, UTF-8; and its problems.

A problem is tied to a row and a column where it can be, so a user can find it in their spreadsheet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lib.core import config

MAX_UPLOAD_MB = config.Setting(
    "SAFERLEEDS_MAX_UPLOAD_MB",
    "50",
    "Largest file (in MB, uncompressed) an import accepts; larger files are rejected before they are read.",
)
SETTINGS = (MAX_UPLOAD_MB,)
FIRST_ERRORS = 20  # how many problems an ImportBatch keeps


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (row as a spreadsheet shows it, 1 = header; column) and what."""

    message: str
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        """'row 5, column value: not a number' or just the message."""
        where = ", ".join(
            p for p in (f"row {self.row}" if self.row else "", f"column {self.column}" if self.column else "") if p
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


def max_bytes() -> int:
    """The configured size limit in bytes."""
    try:
        return int(float(config.get(MAX_UPLOAD_MB)) * 1024 * 1024)
    except ValueError as error:
        raise ValueError(f"{MAX_UPLOAD_MB.name} must be a number of megabytes") from error


def sha256(data: bytes) -> str:
    """Hex SHA-256 of the file's bytes: the identity that makes re-importing the same file a no-op."""
    return hashlib.sha256(data).hexdigest()


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
    if not data.strip():
        raise ImportRejectedError(file_name, [Problem("the file is empty")])
    if b"\x00" in data[:8192]:
        raise ImportRejectedError(
            file_name, [Problem("this is not a text file (it holds binary data); expected a CSV")]
        )
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
