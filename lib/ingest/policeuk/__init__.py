"""police.uk street-level crime: read monthly CSVs (a file, a folder or a custom-download zip), check every row,
assign wards through the LSOA lookup, and write new and updated records in one transaction.

Rules a user can rely on:
- a file is checked completely before anything is written; one bad file in an import means nothing is written;
- what an upload may cost is bounded before it is opened (lib/ingest/files.py: file and import size, archive members,
  compression ratio) and files are read as streams, a chunk of rows at a time, so memory stays flat whatever their
  size: the check reads each file once and keeps only its summary, and the write reads it again;
- the rows kept are those whose LSOA code is in the area's lookup (lib/area: its districts' LSOAs, both vintages);
  every other row is counted and not stored, and rows with no LSOA at all (no location) are counted apart. LSOA names
  are never matched: a whole-force file feeds any partnership of the force;
- crimes are identified by their Crime ID and anti-social behaviour incidents (which have none) by a hash of their
  fields plus their position among identical rows of the month, because police.uk publishes genuinely separate
  incidents with identical rows (127 in one district's March 2024 file). Positions run on across the files of one import
  that are parts of a month (no Crime ID in common), so a month split into parts and imported together gives the
  same rows as the whole file; a file that shares Crime IDs with another of the import is another copy of the month
  and counts afresh, so re-importing a file or an overlapping archive adds nothing;
- a file that looks implausible for one force's month (far more rows than any month stored, far fewer than usual,
  or mostly identical rows) is imported only when the person confirms it;
- a later file that changes a crime's outcome or type updates it and the earlier values go to crimerecordhistory;
- the month x ward x type aggregate is rebuilt for the affected months only.

The package is split by job: model (layout, thresholds, results), sources (finding files), rows (checking and
reading a file), judge (an import as a whole), writer (one file's records), importer (end to end); archive and fetch
get the month's files from police.uk's published archive by themselves.
"""

from lib.ingest.policeuk.importer import (
    CheckedImport,
    check_sources,
    default_lookup,
    import_paths,
    import_sources,
    write_checked,
)
from lib.ingest.policeuk.model import CHUNK_ROWS, HEADER, KIND, FileResult, ImportResult, ParsedFile, Source
from lib.ingest.policeuk.rows import parse
from lib.ingest.policeuk.sources import collect, source_sha256, uploaded

__all__ = [
    "CHUNK_ROWS",
    "HEADER",
    "KIND",
    "CheckedImport",
    "FileResult",
    "ImportResult",
    "ParsedFile",
    "Source",
    "check_sources",
    "collect",
    "default_lookup",
    "import_paths",
    "import_sources",
    "parse",
    "source_sha256",
    "uploaded",
    "write_checked",
]
