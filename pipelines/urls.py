"""URL keys for dedupe: one key for every variant of an article's address.

``url_key(url)`` folds the variants that name the same article: scheme (http/https), host case,
``www.`` and ``m.`` hosts, AMP variants (``/amp`` path segment, ``?amp=1``, ``.amp.html``),
tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``yclid``, …), fragments, trailing slashes,
default ports, the order of query parameters and percent-encoding. The work is done by
``courlan.normalize_url`` and ``w3lib.url`` (well-kept libraries); this module only lists what
else is not part of an article's identity. The key is for dedupe only: the fetched URL and the
canonical URL are stored verbatim. No settings are read.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url, url_query_cleaner

# Parameters that track the visitor, not the page (courlan drops utm_* and a few more already).
TRACKING_PARAMETERS = (
    "fbclid", "gclid", "gclsrc", "dclid", "yclid", "ysclid", "msclkid", "mc_cid", "mc_eid",
    "igshid", "_openstat", "from", "ref", "ref_src", "referrer", "share", "utm_source",
    "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_referrer", "amp", "output",
    "spm", "cmpid", "_ga", "_gl", "tg", "tgshare",
)  # fmt: skip
HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
AMP_PATH = re.compile(r"(?:/amp)+(?=/|$)|\.amp(?=\.html?$)")


def host_of(url: str) -> str | None:
    """The URL's host name, or None (also for a URL whose host cannot be parsed: «http://[::1»)."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def safe_join(base: str, link: str) -> str | None:
    """``urljoin``, or None when either side is not a URL urllib can parse."""
    try:
        joined = urljoin(base, link)
        urlsplit(joined).hostname  # noqa: B018 - raises ValueError on a broken host
        return joined
    except ValueError:
        return None


def url_key(url: str) -> str:
    """The dedupe key of ``url``: ``host/path?query`` with every irrelevant variation folded."""
    text = url.strip()
    if not text:
        return ""
    try:
        return _key(text)
    except ValueError:  # not a URL a browser could open (a broken IPv6 host, a bad port)
        return text.casefold()


def _key(text: str) -> str:
    try:
        text = normalize_url(text)
    except (ValueError, TypeError):
        pass  # courlan refuses some odd URLs; w3lib below still canonicalises them
    text = url_query_cleaner(text, TRACKING_PARAMETERS, remove=True, keep_fragments=False)
    text = canonicalize_url(text, keep_fragments=False)
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = AMP_PATH.sub("", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit(("", netloc, path, parts.query, "")).lstrip("/")
