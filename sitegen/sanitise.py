"""`markdown.safe_html = true`: strip scripts, event handlers and javascript: URLs from bodies.

Raw HTML is allowed by default because newsroom editors are trusted and embed maps and videos;
sites that take content from less trusted hands turn this on. nh3 (Rust's ammonia) does the work:
a well-kept allow-list sanitiser beats any regex we could write.
"""

from __future__ import annotations

import nh3

from .markup import CARD_TAG, MORE_MARKER, REF_SCHEME

_TAGS = set(nh3.ALLOWED_TAGS) | {CARD_TAG, "figure", "figcaption", "section", "aside", "bdi"}
_GENERIC_ATTRIBUTES = {"id", "class", "dir", "lang", "title"}
_ATTRIBUTES = {tag: set(attrs) | _GENERIC_ATTRIBUTES for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES.setdefault(CARD_TAG, set()).add("ref")
for _tag in _TAGS:
    _ATTRIBUTES.setdefault(_tag, set()).update(_GENERIC_ATTRIBUTES)
_SCHEMES = {"http", "https", "mailto", "tel", REF_SCHEME.rstrip(":")}


def sanitise_html(html: str) -> str:
    # nh3 drops comments, so keep the summary marker across the clean.
    parts = [nh3.clean(part, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                       link_rel=None, clean_content_tags={"script", "style"})
             for part in html.split(MORE_MARKER)]
    return MORE_MARKER.join(parts)
