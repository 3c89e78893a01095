"""Names every layer shares: Leeds's area code and police.uk's crime types (plain constants, no imports)."""

LEEDS_CODE = "E08000035"  # ONS code of Leeds local authority: the area_code of city-wide values

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
