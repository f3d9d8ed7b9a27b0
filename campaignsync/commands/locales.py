"""The translator's loop: extract the POT, add a locale, update catalogs (files and config)."""

from __future__ import annotations

import contextlib
import hashlib
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from campaignsync import gitrepo, paths, pipeline
from campaignsync.commands import pomemo
from campaignsync.errors import CatalogError, ConfigError, DiagnosticsError, UsageError
from campaignsync.l10n import catalog, localize, mofile, pomerge, pot, tokens
from campaignsync.load.config import CONFIG_NAME, LocaleError, parse_locale
from campaignsync.model import Config, Diagnostic, Locale, Project, Severity
from campaignsync.pipeline.collecting import fewer_collections
from campaignsync.render import engine, templatefiles


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


def template_catalog(project: Project, created: datetime) -> catalog.Catalog:
    """Return the POT for the project as it is now (raises DiagnosticsError on bad templates)."""
    templates = project.root / project.config.paths.templates
    rels = [f"{project.config.paths.templates}/{name}" for name in templatefiles.names(templates)]
    strings: list[catalog.TemplateString] = []
    for rel in rels:
        try:
            strings.extend(catalog.extract_templates(project.root, rel))
        except Exception as exc:
            raise DiagnosticsError([engine.extraction_error(exc, rel)]) from None
    return pot.build_template(project, strings, created)


def derived_time(root: Path, epoch: int | None, now: datetime) -> datetime:
    """Return the time to write into derived catalogs (the POT's creation date).

    SOURCE_DATE_EPOCH (``epoch``) when set, else the commit time of HEAD, so
    every clone that derives the catalogs from the same commit writes the
    same bytes; ``now`` outside git or before the first commit.
    """
    if epoch is None:
        epoch = gitrepo.head_time(root)
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else now


def current_template(
    project: Project, now: datetime, kept: pomemo.Kept | None = None
) -> tuple[catalog.Catalog, ExtractResult]:
    """Return the POT the messages and templates give now, and whether the file differs.

    The POT is derived data: every command that needs it derives it here, so a
    stale or missing file never matters. When the file on disk holds the same
    entries, its catalog is returned as it is (dates included): nothing churns.
    A file ``locale update`` wrote from the ``kept`` entries is not read again.
    """
    rel = catalog.pot_rel(project.config)
    pot = template_catalog(project, now)
    result = ExtractResult(rel, sum(1 for m in pot if m.id), changed=True)
    if not (project.root / rel).is_file() or pomemo.template_changed(project.root / rel, pot, kept):
        return pot, result
    try:
        existing = catalog.read_catalog(project.root, rel, None)
    except CatalogError:
        return pot, result
    if pomerge.same_entries(existing, pot):
        return existing, ExtractResult(rel, result.entries, changed=False)
    return pot, result


def _write_template(project: Project, now: datetime) -> tuple[catalog.Catalog, ExtractResult]:
    """Return the current POT, writing the file first when it is stale."""
    pot, result = current_template(project, now)
    if result.changed:
        paths.write_atomic(project.root / result.path, catalog.render_po(pot))
    return pot, result


def extract(project: Project, now: datetime) -> ExtractResult:
    """Write the POT unless its entries are unchanged (so no date churn)."""
    return _write_template(project, now)[1]


@dataclass(frozen=True, slots=True)
class AddResult:
    """What ``locale add`` created."""

    path: str
    tag: str
    plurals: int
    template: ExtractResult  # the POT, written first when it was stale


def add(project: Project, tag: str, now: datetime) -> AddResult:
    """Create the PO file of a new locale and list the locale in the config."""
    try:
        locale = parse_locale(tag)
    except LocaleError as exc:
        raise UsageError(f"cannot add locale: {exc}") from None
    config = project.config
    if config.locale(locale.tag) is not None:
        raise UsageError(f"locale {locale.tag!r} is already configured")
    rel = catalog.po_rel(config, locale)
    path = project.root / rel
    if path.exists():
        raise CatalogError(
            f"{rel} already exists; add {locale.tag!r} to 'locales' in {CONFIG_NAME} instead"
        )
    pot, template = _write_template(project, now)
    po = pomerge.new_catalog(pot, locale, now, team=f"{locale.tag} translators")
    config_path = project.root / CONFIG_NAME
    text = config_path.read_text(encoding="utf-8")
    updated = _with_locale(text, locale.tag)
    paths.write_atomic(path, catalog.render_po(po))
    try:
        paths.write_atomic(config_path, updated.encode("utf-8"))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return AddResult(rel, locale.tag, catalog.cldr_plurals(locale)[0], template)


def _with_locale(text: str, tag: str) -> str:
    """Return the config text with ``tag`` appended to the top-level ``locales`` list.

    tomlkit edits the document in place, so comments, layout and the order of
    settings stay as the team wrote them.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(text)
        listed = document.get("locales")
        if listed is None:
            document["locales"] = [tag]
        elif isinstance(listed, list):
            listed.append(tag)
        updated = tomlkit.dumps(document)
        added = tag in tomllib.loads(updated).get("locales", [])
    except (TOMLKitError, tomllib.TOMLDecodeError):
        added = False
    if not added:
        raise ConfigError(f"could not add {tag!r} to {CONFIG_NAME}; add it to 'locales' by hand")
    return updated


@dataclass(frozen=True, slots=True)
class Updated:
    """What ``locale update`` did: the POT, then every configured locale's catalog."""

    template: ExtractResult
    catalogs: tuple[UpdateResult, ...]


@fewer_collections()  # what an update reads and merges lives to its end
def update(project: Project, now: datetime, check_only: bool = False, jobs: int = 1) -> Updated:
    """Bring the POT up to date, then merge it into every locale's catalog (creating missing ones).

    The POT is derived from the messages and templates as they are now, so the
    catalogs follow the English whether or not ``locale extract`` ran first.
    Every catalog is read and merged before any file is written: a catalog
    that cannot be read stops the update with its file and line, and nothing
    changes. With ``check_only`` nothing is written; the results say what would
    change. With ``jobs`` above 1 the catalogs are merged in that many processes.
    """
    out = (project.root / project.config.paths.out).resolve()
    memo = pomemo.Memo(out)
    kept = memo.get_template()
    pot, template = current_template(project, now, kept)
    locales = project.config.locales
    merging = pomemo.template(pot, kept)
    # Kept only beside packs or checks already there: an update alone makes no dist/.
    keep = not check_only and out.is_dir()
    context = _MergeContext(project.root, project.config, merging, memo, keep)
    merged = pipeline.in_processes(_merge_one, context, locales, jobs if len(locales) >= 4 else 1)
    if not check_only:
        written = ""
        if template.changed:
            text = pomemo.render_template(merging, project.root / template.path, kept)
            paths.write_atomic(project.root / template.path, text)
            written = hashlib.sha256(text).hexdigest()
        elif keep:
            written = pomemo.as_written(project.root / template.path, pot, kept)
        for locale, (result, data, staged) in zip(locales, merged, strict=True):
            if data is not None:
                paths.write_atomic(project.root / result.path, data)
            if staged:
                memo.commit(locale)
        before = kept.digest if kept is not None else ""
        if keep and (merging.ident != merging.previous or written != before):
            memo.put_template(pomemo.Kept(merging.ident, merging.entries, written))
    return Updated(template, tuple(result for result, _, _ in merged))


@dataclass(frozen=True, slots=True)
class _MergeContext:
    """What every catalog's merge reads: one value, handed to each worker process once."""

    root: Path
    config: Config
    template: pomemo.Template  # the POT
    memo: pomemo.Memo
    keep: bool  # whether to keep what is written (staged by the worker, committed once written)


def _merge_one(context: _MergeContext, locale: Locale) -> tuple[UpdateResult, bytes | None, bool]:
    """Merge the POT into one locale's catalog: the result, what to write, whether it is staged.

    A file as the last update wrote it is merged from its kept entries
    (``pomemo``); any other is read whole. Raises CatalogError (at the file
    and line) when the catalog cannot be read.
    """
    rel = catalog.po_rel(context.config, locale)
    path = context.root / rel
    done = data = None
    if path.is_file() and not path.is_symlink():
        data = path.read_bytes()
        known = context.memo.get(locale, hashlib.sha256(data).hexdigest())
        if known is not None:
            done, data = pomemo.merge_known(context.template, locale, data, known), None
    if done is None:
        done = pomemo.merge_whole(context.template, context.root, rel, locale)
    fuzzy, untranslated = done.known.counts
    # Kept: what is written, and a file read whole and up to date (else read whole each time).
    staged, kept = False, done.data if done.data is not None else data
    if kept is not None and context.keep:
        with contextlib.suppress(OSError):  # not kept: the next update reads it whole
            context.memo.stage(locale, hashlib.sha256(kept).hexdigest(), pomemo.plain(done.known))
            staged = True
    return UpdateResult(rel, done.data is not None, fuzzy, untranslated), done.data, staged


def template_needs(project: Project) -> list[localize.Need]:
    """Return the strings marked in templates as needed entries (templates that fail are skipped).

    A template that cannot be read is reported by the renderer (CS030).
    """
    templates = project.root / project.config.paths.templates
    found: dict[catalog.Key, localize.Need] = {}
    for name in templatefiles.names(templates):
        rel = f"{project.config.paths.templates}/{name}"
        try:
            strings = list(catalog.extract_templates(project.root, rel))
        except Exception:  # noqa: S112 - reported as CS030 by the renderer
            continue
        for _rel, _line, text, context, _comments in strings:
            msgid = text if isinstance(text, str) else text[0]
            key = (context or "", msgid)
            found.setdefault(key, localize.Need(key, tokens.words(msgid)))
    return list(found.values())


@dataclass(frozen=True, slots=True)
class CompileResult:
    """One MO file written by ``locale compile``."""

    path: str
    translated: int
    fuzzy: int
    untranslated: int


def compile_catalogs(project: Project, out: Path | None = None) -> list[CompileResult]:
    """Write an MO file per catalog (fuzzy entries left out); nothing when one is broken.

    The MO files go next to the PO files, or to ``out/<ll_CC>/LC_MESSAGES/``.
    """
    config = project.config
    compiled: list[tuple[Path, str, mofile.Compiled]] = []
    problems: list[Diagnostic] = []
    for locale in config.locales:
        rel = catalog.po_rel(config, locale)
        if not (project.root / rel).exists():
            continue
        po = catalog.read_strict(project.root, rel)
        problems.extend(
            Diagnostic(p.code, Severity.ERROR, p.text, rel, p.line, locale.tag) for p in po.problems
        )
        mo_rel = rel.removesuffix(".po") + ".mo"
        target = (
            project.root / mo_rel
            if out is None
            else out / locale.gettext / "LC_MESSAGES" / f"{catalog.DOMAIN}.mo"
        )
        shown = mo_rel if out is None else str(target)
        if not po.problems:  # a broken catalog is reported, never compiled
            compiled.append((target, shown, mofile.compile_mo(po, locale)))
    if problems:
        raise DiagnosticsError(problems)
    results = []
    for target, shown, mo in compiled:
        paths.write_atomic(target, mo.data)
        results.append(CompileResult(shown, mo.translated, mo.fuzzy, mo.untranslated))
    return results
