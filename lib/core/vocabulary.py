"""Names every layer shares: police.uk's crime types and import statuses (plain constants, no imports)."""

from enum import StrEnum

# police.uk's street-level crime categories, as they appear in the "Crime type" column.
POLICE_UK_CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
ASB = "Anti-social behaviour"
ALL_CRIME_TYPES = tuple(t for t in POLICE_UK_CRIME_TYPES if t != ASB)  # "all crime" excludes ASB incidents
SENSITIVE_CRIME_TYPES = ("Violence and sexual offences",)  # includes sexual offences: sensitive at ward level


class FetchStatus(StrEnum):
    """Every status a police.uk fetch (a row of the fetch log) can have."""

    RUNNING = "running"  # started, not yet finished (one left running by a killed process says so)
    SUCCESS = "success"  # new months were imported
    UNCHANGED = "unchanged"  # nothing new: every month wanted was already imported with the same bytes
    NOTHING_DUE = "nothing due"  # --due: no new month can be expected yet; nothing was asked of police.uk's archive
    INCOMPLETE = "incomplete"  # what was found was imported, but months wanted are missing from the archive
    FAILED = "failed"  # the download or the import failed; nothing was imported


class ImportStatus(StrEnum):
    """Every status an import batch (a row of the import log) can have."""

    RUNNING = "running"  # started, not yet finished (a batch left running by a killed process says so)
    SUCCESS = "success"  # rows were written
    UNCHANGED = "unchanged"  # nothing new: the same file or the same values were already stored
    REJECTED = "rejected"  # the file failed its checks; nothing was written
    NOT_IMPORTED = "not imported"  # the file passed, but another file in the same import was rejected
    FAILED = "failed"  # the write stopped with an error and was rolled back; nothing was written
    PREVIEWED = "previewed"  # checked and previewed (a dry run); nothing was written
