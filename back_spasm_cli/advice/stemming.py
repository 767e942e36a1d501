"""Word stems from the Snowball stemmers (`snowballstemmer`), one language at a time.

The language is named in the words data (`words: language: english`), never here, so a
Spanish words file says `spanish`. Only the one language's module is loaded: the
package's own `__init__` imports all of its 36 stemmers (about 28 ms), one is about 2 ms.
Nothing imports this module on a plain lookup (`spasm remedy heat`): only the recogniser
and the search index do.

Pure: a word in, its stem out (cached per language for the life of the process).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable
from typing import Protocol

from back_spasm_cli.knowledge.schema import STEMMER_LANGUAGES as LANGUAGES


class _Engine(Protocol):
    def stemWord(self, word: str) -> str: ...  # snowballstemmer's name


DEFAULT_LANGUAGE = "english"
_PRIVATE = "_spasm_snowball"  # the package's folder, loaded without its __init__

_STEMMERS: dict[str, Callable[[str], str]] = {}


def stemmer(language: str = DEFAULT_LANGUAGE) -> Callable[[str], str]:
    """A function word -> stem for `language` (a word already lower-cased)."""
    found = _STEMMERS.get(language)
    if found is not None:
        return found
    if language not in LANGUAGES:
        raise ValueError(f"no stemmer for {language!r}")
    engine = _engine(language)
    cache: dict[str, str] = {}

    def stem(word: str) -> str:
        out = cache.get(word)
        if out is None:
            out = cache[word] = engine.stemWord(word) if len(word) > 2 else word
        return out

    _STEMMERS[language] = stem
    return stem


def _engine(language: str) -> _Engine:
    """The language's stemmer object: its module alone, else through the package."""
    try:
        package = sys.modules.get(_PRIVATE)
        if package is None:
            spec = importlib.util.find_spec("snowballstemmer")
            if spec is None or not spec.submodule_search_locations:
                raise ImportError("snowballstemmer")
            package = types.ModuleType(_PRIVATE)
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules[_PRIVATE] = package
        module = importlib.import_module(f"{_PRIVATE}.{language}_stemmer")
        base = importlib.import_module(f"{_PRIVATE}.basestemmer").BaseStemmer
        cls = next(
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, base) and value is not base
        )
        engine: _Engine = cls()
        return engine
    except (ImportError, StopIteration, AttributeError):
        import snowballstemmer  # type: ignore[import-untyped]

        fallback: _Engine = snowballstemmer.stemmer(language)
        return fallback
