"""E-mail addresses a person types (users, action owners), checked by a well-kept library (email-validator) against
the rules of the standards, with no network look-ups: the dashboard never mails anyone, it names them."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

LIMIT = 200  # characters: the longest address stored


def checked(value: str, what: str = "the e-mail address") -> str:
    """value as an address to store (as typed, spaces trimmed: addresses are matched without regard to case);
    ValueError in one line if it is not an e-mail address ("x'; DROP TABLE kpi;--@a.b" is not)."""
    address = (value or "").strip()
    if not address:
        raise ValueError(f"{what} is empty: give an address such as name@council.gov.uk")
    if len(address) > LIMIT:
        raise ValueError(f"{what} is {len(address):,} characters long; the limit is {LIMIT}")
    try:
        validate_email(address, check_deliverability=False, globally_deliverable=False, test_environment=True)
    except EmailNotValidError as error:
        raise ValueError(f"{address!r} is not an e-mail address ({str(error).rstrip('.')})") from None
    return address
