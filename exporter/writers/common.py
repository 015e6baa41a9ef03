"""Small helpers the writers share."""

from __future__ import annotations

from urllib.parse import urlsplit

_LINKABLE = ("http", "https", "mailto")


def safe_url(url: str | None) -> str | None:
    """The URL if it is safe to make clickable (http, https, mailto), else None; it is then shown as text."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINKABLE or any(ord(c) < 33 for c in url):
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return url
