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
    escaped = _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")
    return _AUTOLINK.sub(_JOINER, escaped)
