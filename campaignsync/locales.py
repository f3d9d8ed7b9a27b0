"""The translator's loop: extract the POT, add a locale, update catalogs (files and config)."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from campaignsync import catalog, render
from campaignsync.config import CONFIG_NAME, LocaleError, parse_locale
from campaignsync.errors import CatalogError, ConfigError, DiagnosticsError
from campaignsync.model import Diagnostic, Project, Severity


@dataclass(frozen=True, slots=True)
class ExtractResult:
    """What ``locale extract`` did."""

    path: str
    entries: int
    changed: bool


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """One catalog after ``locale update``."""

    path: str
    changed: bool
    fuzzy: int
    untranslated: int


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: a reader sees the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def template_catalog(project: Project, created: datetime) -> catalog.Catalog:
    """Return the POT for the project as it is now (raises DiagnosticsError on bad templates)."""
    templates = project.root / project.config.paths.templates
    rels = [f"{project.config.paths.templates}/{name}" for name in render.template_names(templates)]
    strings: list[catalog.TemplateString] = []
    for rel in rels:
        try:
            strings.extend(catalog.extract_templates(project.root, [rel]))
        except Exception as exc:
            line = getattr(exc, "lineno", None) or 1
            text = getattr(exc, "message", None) or str(exc)
            raise DiagnosticsError(
                [Diagnostic("CS030", Severity.ERROR, f"cannot extract strings: {text}", rel, line)]
            ) from None
    return catalog.build_template(project, strings, created)


def extract(project: Project, now: datetime) -> ExtractResult:
    """Write the POT unless its entries are unchanged (so no date churn)."""
    rel = catalog.pot_rel(project.config)
    pot = template_catalog(project, now)
    path = project.root / rel
    entries = sum(1 for m in pot if m.id)
    if path.is_file():
        try:
            existing = catalog.read_catalog(project.root, rel, None)
        except (catalog.PoFileError, OSError):
            existing = None
        if existing is not None and catalog.same_entries(existing, pot):
            return ExtractResult(rel, entries, changed=False)
    write_atomic(path, catalog.render_po(pot))
    return ExtractResult(rel, entries, changed=True)


def _read_pot(project: Project) -> catalog.Catalog:
    rel = catalog.pot_rel(project.config)
    if not (project.root / rel).is_file():
        raise CatalogError(f"{rel} does not exist; run 'campaignsync locale extract' first")
    try:
        return catalog.read_catalog(project.root, rel, None)
    except catalog.PoFileError as exc:
        raise CatalogError(f"{rel}:{exc.lineno}: cannot read: {exc}") from None


def add(project: Project, tag: str, now: datetime) -> str:
    """Create the PO file of a new locale and list the locale in the config."""
    try:
        locale = parse_locale(tag)
    except LocaleError as exc:
        raise ConfigError(f"cannot add locale: {exc}") from None
    config = project.config
    if config.locale(locale.tag) is not None:
        raise ConfigError(f"locale {locale.tag!r} is already configured")
    rel = catalog.po_rel(config, locale)
    path = project.root / rel
    if path.exists():
        raise CatalogError(
            f"{rel} already exists; add {locale.tag!r} to 'locales' in {CONFIG_NAME} instead"
        )
    pot = _read_pot(project)
    po = catalog.new_catalog(pot, locale, now, team=f"{locale.tag} translators")
    config_path = project.root / CONFIG_NAME
    text = config_path.read_text(encoding="utf-8")
    updated = _with_locale(text, locale.tag)
    write_atomic(path, catalog.render_po(po))
    write_atomic(config_path, updated.encode("utf-8"))
    return rel


def _with_locale(text: str, tag: str) -> str:
    """Return the config text with ``tag`` appended to the top-level ``locales`` list."""
    match = re.search(r"(?m)^locales\s*=\s*\[([^\]]*)\]", text)
    if match is None:
        source = re.search(r"(?m)^source_locale\s*=.*$", text)
        at = source.end() if source else 0
        updated = f'{text[:at]}\nlocales = ["{tag}"]{text[at:]}'
    else:
        items = match.group(1).rstrip()
        joiner = "" if not items.strip() else ("" if items.endswith(",") else ",") + " "
        updated = f'{text[: match.end(1)].rstrip()}{joiner}"{tag}"{text[match.end(1) :]}'
    if tag not in tomllib.loads(updated).get("locales", []):
        raise ConfigError(f"could not add {tag!r} to {CONFIG_NAME}; add it to 'locales' by hand")
    return updated


def _created(pot: catalog.Catalog) -> datetime:
    value = pot.creation_date
    return value if isinstance(value, datetime) else datetime.fromtimestamp(0, UTC)


def update(project: Project, check_only: bool = False) -> list[UpdateResult]:
    """Merge the POT into every configured locale's catalog (creating missing ones)."""
    pot = _read_pot(project)
    results = []
    for locale in project.config.locales:
        rel = catalog.po_rel(project.config, locale)
        path = project.root / rel
        if path.is_file():
            try:
                old = catalog.read_catalog(project.root, rel, locale)
            except catalog.PoFileError as exc:
                raise CatalogError(f"{rel}:{exc.lineno}: cannot read: {exc}") from None
            merged = catalog.merge(pot, old)
            # Compare entries, not bytes: a translator's editor may wrap lines its own way.
            changed = not catalog.same_entries(merged, old)
        else:
            merged = catalog.new_catalog(
                pot, locale, _created(pot), team=f"{locale.tag} translators"
            )
            changed = True
        if changed and not check_only:
            write_atomic(path, catalog.render_po(merged))
        entries = [m for m in merged if m.id]
        fuzzy = sum(1 for m in entries if m.fuzzy)
        untranslated = sum(1 for m in entries if not m.fuzzy and not catalog.is_translated(m))
        results.append(UpdateResult(rel, changed, fuzzy, untranslated))
    return results
