"""Where the knowledge base's sources point: one check that every source URL names a
trusted host (data/meta.yaml `trusted_hosts`). Returns data; never prints.

A source is `seed` (the general-audience article spasm started from), `clinician: NAME`
(a clinic's own overlay), or a URL; only URLs have a host to check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from back_spasm_cli.knowledge.schema import KnowledgeBaseFile, Model


class Untrusted(NamedTuple):
    where: tuple[int | str, ...]  # the path to the `sources` list, e.g. ("faq", 3, "sources")
    url: str
    host: str


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def trusted(url: str, hosts: Iterable[str]) -> bool:
    """A URL whose host is one of `hosts` or a subdomain of one (`www.nhs.uk` for nhs.uk)."""
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in hosts)


def all_sources(content: KnowledgeBaseFile) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """(where, source) for every source of every item, nested ones (options, steps) too."""
    yield from _walk(content, ())


def _walk(value: Any, where: tuple[int | str, ...]) -> Iterator[tuple[tuple[int | str, ...], str]]:
    if isinstance(value, Model):
        for name, field in value.__dict__.items():
            if name == "sources" and isinstance(field, list):
                for index, source in enumerate(field):
                    yield (*where, "sources", index), source
            else:
                yield from _walk(field, (*where, name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk(item, (*where, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*where, str(key)))


def untrusted(content: KnowledgeBaseFile, hosts: Sequence[str] | None = None) -> list[Untrusted]:
    """Every source URL whose host is not trusted (`hosts`, default: meta's trusted_hosts)."""
    allowed = list(
        hosts if hosts is not None else (content.meta.trusted_hosts if content.meta else ())
    )
    return [
        Untrusted(where, source, host_of(source))
        for where, source in all_sources(content)
        if source.startswith(("http://", "https://")) and not trusted(source, allowed)
    ]
