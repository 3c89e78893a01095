"""User-supplied text shown literally: whatever a file name, cell or comment holds, it never renders as markup."""

from __future__ import annotations

import re

# Characters Streamlit's markdown treats as syntax (CommonMark punctuation plus $ for maths and : for icons).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def literal(text: object) -> str:
    """text escaped for st.markdown, captions, help and messages, so it shows exactly as typed."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")
