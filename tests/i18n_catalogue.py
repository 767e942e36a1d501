"""The interface's catalogue, with Babel: extract the messages, update the Spanish .po.

    python -m tests.i18n_catalogue          # rewrite spasm.pot and merge it into spasm.po

tests/test_i18n.py runs the same extraction and fails when spasm.pot is out of date or a
Spanish message is missing, empty or fuzzy.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "back_spasm_cli"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "spasm.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
LANGUAGES = ("es",)


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "spasm.po"


def extract() -> Catalog:
    """Every message marked in the package's Python code."""
    # A fixed date: regenerating the template changes only what changed (no merge conflicts).
    catalog = Catalog(
        project="spasm",
        fuzzy=False,
        header_comment="# spasm's interface.",
        creation_date=datetime.datetime(2026, 12, 2, tzinfo=datetime.timezone.utc),
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(
            message,
            None,
            [(f"back_spasm_cli/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    extract_cli_help(catalog)
    return catalog


def extract_cli_help(catalog: Catalog) -> None:
    """The commands' own English, which Typer reads from the code: each command's
    docstring and every `help=` text in cli/ (cli/framework.translate_command asks the
    catalogue for them when the command is built)."""
    import ast
    import inspect

    for source in sorted((PACKAGE / "cli").glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        where = f"back_spasm_cli/cli/{source.name}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if (
                        keyword.arg in ("help", "epilog", "short_help")
                        and isinstance(keyword.value, ast.Constant)
                        and isinstance(keyword.value.value, str)
                        and keyword.value.value.strip()
                    ):
                        text = keyword.value.value
                        catalog.add(text, None, [(where, node.lineno)])
            elif isinstance(node, ast.FunctionDef) and node.decorator_list:
                names = [
                    ast.unparse(d.func if isinstance(d, ast.Call) else d)
                    for d in node.decorator_list
                ]
                if any(n == "command" or n.endswith((".command", ".callback")) for n in names):
                    doc = ast.get_docstring(node, clean=True)
                    if doc:
                        catalog.add(inspect.cleandoc(doc), None, [(where, node.lineno)])


def pot_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return out.getvalue()


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def update() -> None:
    template = extract()
    POT.write_bytes(pot_text(template))
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = read(path)
        else:
            catalog = Catalog(locale=language, project="spasm", fuzzy=False)
        catalog.update(read(POT), update_header_comment=False, no_fuzzy_matching=True)
        out = io.BytesIO()
        write_po(
            out, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.getvalue())


if __name__ == "__main__":
    update()
