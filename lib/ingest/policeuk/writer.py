"""Writing one checked file's records inside the import's transaction: new records inserted, changed ones updated
with their earlier values kept, its batch closed; and the aggregates rebuilt for the months touched."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import Connection, and_, bindparam, delete, insert, or_, update
from sqlmodel import col

from lib.area import current as current_area
from lib.core import failpoints
from lib.core.vocabulary import ImportStatus
from lib.ingest import aggregates, batches, bulk
from lib.ingest.policeuk import fingerprint
from lib.ingest.policeuk.model import (
    CHUNK,
    CONTEXT,
    CRIME_TYPE,
    KEY,
    MONTH_ISO,
    OUTCOME,
    RECORD_COLUMNS,
    RECORD_TABLE,
    FileResult,
    ParsedFile,
    Progress,
)
from lib.store import reads
from lib.store.models import CrimeMonthFingerprint, CrimeRecord, CrimeRecordHistory, DistrictCrimeMonthly


class FileWriter:
    """Writes one file's records, a chunk at a time, inside the import's transaction, and logs its batch."""

    def __init__(
        self, connection: Connection, parsed: ParsedFile, batch_id: int, progress: Progress, peers_counted: bool
    ) -> None:
        """Write under the file's batch (logged as running beforehand); peers_counted: the rows outside the area are
        counted for the peers in this write (kept with the file's fingerprints)."""
        self.connection, self.parsed, self.progress, self.batch_id = connection, parsed, progress, batch_id
        self.peers_counted = peers_counted
        self.stored: dict[str, tuple] = {}
        self.loaded: set[str] = set()
        self.changed_months: set[str] = set()
        self.new = self.changed = self.done = 0

    def add(self, records: list[tuple]) -> None:
        """Insert a chunk's new records and update its changed ones, keeping their earlier values."""
        months = {r[MONTH_ISO] for r in records} - self.loaded
        if months:  # what is stored for these months, including what this import wrote before this file
            self.stored.update(reads.crime_record_state(self.connection, [date.fromisoformat(m) for m in months]))
            self.loaded |= months
        new, changed = [], []
        for record in records:
            before = self.stored.get(record[KEY])
            if before is None:
                new.append(record)
            elif before != (record[CRIME_TYPE], record[OUTCOME], record[CONTEXT]):
                changed.append(record)
        for start in range(0, len(new), CHUNK):
            bulk.insert_rows(
                self.connection,
                RECORD_TABLE,
                (*RECORD_COLUMNS, "import_batch_id"),
                [(*r, self.batch_id) for r in new[start : start + CHUNK]],
            )
        if changed:
            self._update(changed)
        # Nothing is remembered of what was written: no later chunk of the file repeats a key (repeated Crime IDs are
        # refused, identical ASB rows numbered), and the next file reads what is stored afresh.
        self.new += len(new)
        self.changed += len(changed)
        self.done += len(records)
        failpoints.hit(failpoints.WRITING)
        total = max(self.parsed.area_rows, 1)
        self.progress(
            min(1.0, self.done / total),
            f"{self.parsed.source.name}: {self.done:,} of {total:,} {current_area().name} rows written",
        )

    def _update(self, changed: list[tuple]) -> None:
        """Move the stored type, outcome and context of changed records to their history, then update them."""
        now = datetime.now(UTC)
        self.changed_months |= {r[MONTH_ISO] for r in changed}
        self.connection.execute(
            insert(CrimeRecordHistory),
            [
                {
                    "record_key": r[KEY],
                    "month": date.fromisoformat(r[MONTH_ISO]),
                    "crime_type": self.stored[r[KEY]][0],
                    "last_outcome": self.stored[r[KEY]][1],
                    "context": self.stored[r[KEY]][2],
                    "replaced_at": now,
                    "replaced_by_batch_id": self.batch_id,
                }
                for r in changed
            ],
        )
        self.connection.execute(
            update(CrimeRecord)
            .where(col(CrimeRecord.month) == bindparam("in_month"), col(CrimeRecord.record_key) == bindparam("key"))
            .values(
                crime_type=bindparam("new_type"),
                last_outcome=bindparam("new_outcome"),
                context=bindparam("new_context"),
                import_batch_id=self.batch_id,
            ),
            [
                {
                    "in_month": date.fromisoformat(r[MONTH_ISO]),
                    "key": r[KEY],
                    "new_type": r[CRIME_TYPE],
                    "new_outcome": r[OUTCOME],
                    "new_context": r[CONTEXT],
                }
                for r in changed
            ],
        )

    def _keep_fingerprints(self) -> None:
        """Store the file's month fingerprints; a month whose records this file changed keeps only its own."""
        months = {date.fromisoformat(m) for m in self.changed_months}
        table = CrimeMonthFingerprint
        if months:
            self.connection.execute(delete(table).where(col(table.month).in_(months)))
        found = dict(self.parsed.fingerprints)  # "YYYY-MM-01" -> (fingerprint, rows)
        if not found:
            return
        stored = [(m, digest, rows) for m, (digest, rows) in sorted(found.items())]
        if self.parsed.text_fingerprint:
            key = fingerprint.text_key(self.parsed.text_fingerprint, len(found))
            stored += [(m, key, rows) for m, (_digest, rows) in sorted(found.items())]
        self.connection.execute(
            delete(table).where(
                or_(
                    *(
                        and_(col(table.month) == date.fromisoformat(m), col(table.fingerprint) == digest)
                        for m, digest, _rows in stored
                    )
                )
            )
        )
        self.connection.execute(
            insert(table),
            [
                {
                    "month": date.fromisoformat(m),
                    "fingerprint": digest,
                    "rows": rows,
                    "peers_counted": self.peers_counted,
                    "import_batch_id": self.batch_id,
                }
                for m, digest, rows in stored
            ],
        )

    def finish(self) -> FileResult:
        """Keep the file's fingerprints, close its batch and say what it did."""
        self._keep_fingerprints()
        parsed = self.parsed
        status = ImportStatus.SUCCESS if self.new or self.changed else ImportStatus.UNCHANGED
        result = FileResult(
            parsed.source.name,
            status,
            parsed.rows_read,
            self.new,
            self.changed,
            parsed.outside,
            0,
            [m[:7] for m in sorted(parsed.month_rows)],
            [],
            self.batch_id,
            parsed.sha256,
        )
        batches.finish(
            self.connection,
            self.batch_id,
            status,
            [],
            rows_read=parsed.rows_read,
            rows_imported=self.new + self.changed,
            rows_rejected=result.rows_rejected,
            rows_outside=parsed.outside,
        )
        return result


def refresh_aggregate(connection: Connection, months: list[date]) -> None:
    """Rebuild the real rows of the ward and city aggregates for these months from the stored records."""
    if not months:
        return
    aggregates.refresh_wards(connection, months)
    aggregates.refresh_city(connection, months, illustrative=False)


ForceMonth = tuple[str, str]  # ("YYYY-MM-01", force)


class PeerCounts:
    """The district counts of one import, by force-month: a file that is another copy of a month (its Crime IDs
    overlap an earlier file's) replaces that month's counts, parts of a month add up."""

    def __init__(self) -> None:
        """Nothing counted yet."""
        self.counts: dict[ForceMonth, Counter] = {}
        self.batches: dict[ForceMonth, int] = {}
        self.unplaced = 0  # rows outside the area whose LSOA is in no district known

    def add(self, parsed: ParsedFile, fresh_months: set[str], batch_id: int) -> None:
        """One written file's counts; fresh_months: the months it is another copy of."""
        self.unplaced += parsed.unplaced
        district_counts = parsed.district_counts
        mine: dict[ForceMonth, Counter] = {}
        for (month, district, force, crime_type), rows in district_counts.items():
            mine.setdefault((month, force), Counter())[(district, crime_type)] += rows
        for key, counts in mine.items():
            if key[0] in fresh_months or key not in self.counts:
                self.counts[key] = counts
            else:
                self.counts[key].update(counts)
            self.batches[key] = batch_id

    def write(self, connection: Connection) -> int:
        """Replace each force-month's stored counts with this import's; how many rows were written."""
        if not self.counts:
            return 0
        keys = sorted(self.counts)
        for start in range(0, len(keys), 200):
            connection.execute(
                delete(DistrictCrimeMonthly).where(
                    or_(
                        *(
                            and_(
                                col(DistrictCrimeMonthly.month) == date.fromisoformat(month),
                                col(DistrictCrimeMonthly.force) == force,
                            )
                            for month, force in keys[start : start + 200]
                        )
                    )
                )
            )
        rows = [
            (month, district, force, crime_type, count, self.batches[(month, force)])
            for (month, force), counts in sorted(self.counts.items())
            for (district, crime_type), count in sorted(counts.items())
        ]
        for start in range(0, len(rows), CHUNK):
            bulk.insert_rows(
                connection,
                DistrictCrimeMonthly.__table__,  # type: ignore[attr-defined]
                ("month", "district_code", "force", "crime_type", "count", "import_batch_id"),
                rows[start : start + CHUNK],
            )
        return len(rows)
