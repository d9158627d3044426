"""URL canonicalization: one spelling per article, so that ids are stable.

>>> canonicalize("HTTPS://Example.com:443/a/b?utm_source=x&id=3#top")
'https://example.com/a/b?id=3'
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["canonicalize", "is_http_url"]

# Parameters that only say where a click came from; they never change the page.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl"
    r"|ocid|cmpid|cmp|icid|ito|at_medium|at_campaign|at_custom\d*|ns_mchannel|ns_source"
    r"|ns_campaign|ns_linkname|ns_fee|sr_share|smid|soc_src|soc_trk|xtor|__twitter_impression"
    r"|ref_src|mbid|taid|traffic_source|wt_mc|wt_zmc)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_http_url(url: str) -> bool:
    """True for absolute http(s) URLs with a host."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)


def canonicalize(url: str, base: str | None = None) -> str:
    """Resolve ``url`` against ``base``, lower-case scheme and host, drop the default port,
    the fragment and tracking parameters; keep every other parameter in its order."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = host
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not _TRACKING.match(k)],
        doseq=True,
    )
    # Spaces and other unsafe characters are percent-encoded as browsers send them, so a
    # canonical URL is its own canonical form.
    path = quote(parts.path, safe="/%:@!$&'()*+,;=~") or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, query, ""))
