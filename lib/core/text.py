"""User-supplied text shown literally: whatever a file name, cell or comment holds, it never renders as markup."""

from __future__ import annotations

import re

# Characters Streamlit's markdown treats as syntax (CommonMark punctuation plus $ for maths and : for icons).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# GitHub-flavoured markdown also turns bare addresses into links ("https://…", "www.…", "name@host"), escaped or
# not; an invisible word joiner inside the trigger keeps them plain text that reads the same.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=\\:)|(?<=http)(?=\\:)|(?<=ftp)(?=\\:)|(?<=www)(?=\\\.)|(?=@)")
_JOINER = "\u2060"


def literal(text: object) -> str:
    """text escaped for st.markdown, captions, help and messages, so it shows exactly as typed (no markup, no link)."""
    escaped = _MARKDOWN.sub(r"\\\1", visible(text)).replace("\n", " ")
    return _AUTOLINK.sub(_JOINER, escaped)


def literal_block(text: object) -> str:
    """Like literal(), keeping the writer's line breaks (as markdown hard breaks)."""
    return "  \n".join(literal(line) for line in visible(text).splitlines())


# Characters that are never printed but change what is printed around them: C0 controls but tab and line feed, DEL,
# C1 controls (U+0080-U+009F, among them CSI, which starts terminal escape sequences) and the bidirectional
# overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069), which reorder text so that "pay \u202e0001\u202c
# pounds" reads "pay 1000 pounds". They are removed from everything typed or imported, before it is checked or
# stored, and again from stored text as it is shown (text written before this rule). See README "Text as typed".
INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(value: object) -> str:
    """value as text with line endings as \\n and the invisible controls (INVISIBLE) removed."""
    return INVISIBLE.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))


def checked(value: str | None, what: str, limit: int, required: bool = True) -> str:
    """Typed text made safe to store: line endings as \\n, invisible controls removed (INVISIBLE), spaces trimmed;
    ValueError (one line, saying what to do) when it is required and empty, or longer than limit characters."""
    text = visible(value or "").strip()
    if required and not text:
        raise ValueError(f"{what} is empty: write something")
    if len(text) > limit:
        raise ValueError(f"{what} is {len(text):,} characters long; the limit is {limit:,}: shorten it")
    return text
