"""Every source shown is the canonical page of a trusted body or a named paper (issue 18),
and the article spasm started from is named the way a reader understands it."""

from __future__ import annotations

from pathlib import Path

import pytest

from back_spasm_cli.knowledge import kb, sources
from tests.helpers import Invoke

DATA = Path(__file__).resolve().parent.parent / "data"


def test_every_source_url_names_a_trusted_host() -> None:
    content = kb.load().content
    assert content.meta is not None and "nhs.uk" in content.meta.trusted_hosts
    assert len(list(sources.all_sources(content))) > 300  # nested ones (steps, options) too
    assert sources.untrusted(content) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://www.crimestoppersact.com.au/campaign/crime-stoppers-day-2022/",
        "https://slideplayer.com./amp/13261345",
        "https://sheffieldachespains-staging.preflight.site/conditions/back-pain/",
        "https://www.1pmobile.com/blog.taf?post=29",
        "https://www.news.lt/Law-And-Order-Crime/Need-help-Dial-112.im",
        "https://en.wikipedia.org/wiki/911_(emergency_telephone_number)",
        "https://nhs.uk.example.com/back-pain",  # a lookalike is not a subdomain
    ],
)
def test_the_check_refuses_mirrors_and_unrelated_sites(url: str) -> None:
    hosts = kb.load().content.meta.trusted_hosts  # type: ignore[union-attr]
    assert not sources.trusted(url, hosts)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.nhs.uk/conditions/back-pain/",
        "https://www.guysandstthomas.nhs.uk/health-information/low-back-pain/",
        "https://doi.org/10.1002/art.24853",
        "https://pubmed.ncbi.nlm.nih.gov/25208042/",
    ],
)
def test_the_check_takes_trusted_bodies_and_their_subdomains(url: str) -> None:
    hosts = kb.load().content.meta.trusted_hosts  # type: ignore[union-attr]
    assert sources.trusted(url, hosts)


def test_no_shipped_text_names_the_seed_or_the_brief() -> None:
    for path in sorted(DATA.glob("*.yaml")):
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("#")  # comments are for authors
        ]
        text = " ".join(" ".join(lines).split()).lower()
        for phrase in ("founding article", "the brief", "the seed", "seed:"):
            assert phrase not in text, (path.name, phrase)


def test_the_seed_source_reads_as_a_general_audience_article(invoke: Invoke) -> None:
    out = invoke("remedy", "heat", "--full", "--format", "plain").stdout
    assert "- a general-audience article on back spasms\n" in out
    assert "seed" not in out and "founding" not in out
