"""Locale pages after an edit: the last pack's page with the changed sections, as a clean build's."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke
from test_incremental import (
    EPOCH,
    change_body,
    delete_message,
    rename_message,
    same_as_clean,
    small_build,
    tree,
)

from campaignsync.load.project import load_project
from campaignsync.pack import cache as unitcache
from campaignsync.pack import gallery, localepages, shown
from campaignsync.pack.attention import Item
from campaignsync.pack.based import save_based
from campaignsync.pack.kept import PIECES, Kept, open_kept

#: What a card of an unchanged message shows while the build runs: a page joined from it is wrong.
POISON = b"<p>POISON</p>"


def _poison(monkeypatch: pytest.MonkeyPatch, spared: set[str]) -> list[str]:
    """Hand the gallery every card of a message not in ``spared`` with HTML that is not its own.

    Where it takes the cards it knows (``shown.cards_by_unit``: those found by path, and
    those of the messages taken whole from the render cache, taken from their units). Return
    the messages whose cards were so handed (the digests, and all else the pages may read of
    a card, are left as they are).
    """
    cards_by_unit, poisoned = shown.cards_by_unit, []

    def bad(card: gallery.Drawn) -> gallery.Drawn:
        poisoned.append(card.message)
        section = POISON + b"<!--cards-->" + POISON if card.section else b""
        return replace(card, html=POISON, section=section)

    def handed(*args: Any, **kwargs: Any) -> dict[tuple[str, str], list[gallery.Drawn]]:
        made = cards_by_unit(*args, **kwargs)
        for unit, cards in made.items():
            if unit[1] not in spared:
                made[unit] = [bad(card) for card in cards]
        return made

    monkeypatch.setattr(shown, "cards_by_unit", handed)
    return poisoned


def _add_message(repo: Path, new_id: str) -> None:
    first = sorted((repo / "content" / "messages").rglob("*.md"))[0]
    text = re.sub(r"(?m)^id: .*$", f"id: {new_id}", first.read_text(encoding="utf-8"), count=1)
    text = re.sub(r"(?m)^(  \w+: 2026-\d\d-\d\dT\d\d):00", r"\1:37", text)  # no clash
    (first.parent / f"{new_id}.md").write_text(text, encoding="utf-8")


def _placed(pack: Path) -> dict[str, int]:
    """Return the number of the English page that shows each message, by message id."""
    found = {}
    for path in (pack / "preview").glob("en.*html"):  # en.html, en.2.html...
        number = int(path.suffixes[0][1:]) if len(path.suffixes) > 1 else 1
        for match in re.finditer(r'<section class="post-group" id="([^"]+)"', path.read_text()):
            found[match.group(1)] = number
    return found


@pytest.mark.parametrize("page", [localepages.PAGE, 1])
def test_after_an_edit_the_locale_pages_read_no_unchanged_messages_cards(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    monkeypatch.setattr(localepages, "PAGE", page)  # 1: a page a message
    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    steps = [
        (lambda: change_body(repo, 0, "One more line"), {"kickoff"}),  # one message edited
        (lambda: _add_message(repo, "aaa-added"), {"aaa-added"}),  # added, first on the pages
        # removed (not kickoff: the copy added shares its day, its findings would change)
        (lambda: delete_message(repo, 2, ""), set()),
        (lambda: rename_message(repo, 0, ""), {"renamed-0"}),  # moved from first to last
    ]
    drawn: list[str] = []  # the messages whose sections are joined from their cards
    joined = localepages._drawn

    def counted(locale: Any, message: Any, mine: Any) -> Any:
        drawn.append(message.id)
        return joined(locale, message, mine)

    for number, (change, spared) in enumerate(steps):
        before = _placed(out / "2026")
        change()
        # A message moved to another locale page has its page drawn again (its links to them
        # changed); the locale pages take every unchanged section as it was, wherever it was.
        project, _ = load_project(repo)
        assert project is not None
        after = localepages.numbered(list(project.messages_of("2026")))
        moved = {m for m, n in after.items() if before.get(m, n) != n}
        assert bool(moved) == (page == 1 and number > 0)
        drawn.clear()
        with monkeypatch.context() as patched:
            poisoned = _poison(patched, spared | moved)
            patched.setattr(localepages, "_drawn", counted)
            cli_invoke(build, env=EPOCH)
        assert poisoned or spared | moved >= set(after), "no unchanged card was handed over"
        assert [p for p, data in tree(out / "2026").items() if POISON in data] == [], number
        assert set(drawn) == spared, number  # a moved section is taken from its last page
        same_as_clean(cli_invoke, repo, out, tmp_path / f"clean-{number}")
    # A locale added (the config changed: every unit is rendered and drawn again).
    config = repo / "campaignsync.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('locales = ["de",', 'locales = ["sv", "de",', 1)
    config.write_text(text.replace('locales = ["en", "de",', 'locales = ["en", "sv", "de",', 1))
    cli_invoke(build, env=EPOCH)
    assert b'lang="sv"' in (out / "2026" / "preview" / "sv.html").read_bytes()
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-locale")


def test_a_locale_page_changed_by_hand_is_joined_again_from_the_cards(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    # In a section the edit leaves alone, one letter changed: the page keeps its size.
    page = out / "2026" / "preview" / "de.html"
    data = page.read_bytes()
    at = data.index(b'id="passphrase-tip"')
    page.write_bytes(data[:at] + b'id="passphrase-tiP"' + data[at + 19 :])
    change_body(repo, 0, "One more line")
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")
    # Removed by hand: made again as well.
    page.unlink()
    change_body(repo, 0, "And another")
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-again")


def test_a_record_of_sections_that_does_not_read_back_is_a_miss(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    cache = out / unitcache.FOLDER / "2026"
    key = (cache / "kept.index").read_bytes().split(b"\n")[2].decode()  # the pack key
    pieces = open_kept(cache, out / "2026", key).pieces
    names = sorted(k for k in pieces if k.startswith("sections of preview/"))
    assert len(names) == len(list((out / "2026" / "preview").glob("*.html")))
    for n, name in enumerate(names):  # not lines of three, or sections past the page's end
        pieces[name] = "not a record" if n % 2 else re.sub(r" \d+\n", " 99999999\n", pieces[name])
    save_based(cache / PIECES, key, pieces, None)
    change_body(repo, 0, "One more line")
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")


def test_after_an_edit_only_the_edited_messages_sections_are_digested_again(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    digested: list[str] = []
    digest = localepages._digest
    monkeypatch.setattr(
        localepages, "_digest", lambda loc, m, mine: digested.append(m.id) or digest(loc, m, mine)
    )
    change_body(repo, 0, "One more line")
    cli_invoke(build, env=EPOCH)
    assert set(digested) == {"kickoff"}
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")
    # Kept digests that do not read back (one too few for the message's sections): a miss.
    cache = out / unitcache.FOLDER / "2026"
    key = (cache / "kept.index").read_bytes().split(b"\n")[2].decode()  # the pack key
    pieces = open_kept(cache, out / "2026", key).pieces
    lists = [k for k, t in pieces.items() if re.fullmatch(r"[0-9a-f]{64}( [0-9a-f]{64})+", t)]
    assert len(lists) == len(list((out / "2026" / "preview" / "messages").iterdir()))
    for name in lists:
        pieces[name] = pieces[name].rpartition(" ")[0]
    save_based(cache / PIECES, key, pieces, None)
    digested.clear()
    change_body(repo, 0, "And another")
    cli_invoke(build, env=EPOCH)
    assert len(set(digested)) == len(lists)
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-again")


def test_a_locale_pages_frame_is_kept_while_its_items_and_what_every_page_shows_are(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _ = load_project(small_repo)
    assert project is not None
    locale = project.config.all_locales[1]
    listed = list(project.messages_of("2026"))
    common = gallery.everywhere(project, "2026", list(project.config.all_locales), [], listed)
    items = [Item("untranslated", m.id, locale.tag, "", "1 of 3: body", "") for m in listed]
    drawn: list[str] = []
    render = localepages._render
    monkeypatch.setattr(
        localepages, "_render", lambda *a, **k: drawn.append(a[0]) or render(*a, **k)
    )
    one = localepages.Paging(1)
    whole = localepages._frame(locale, items, common, None, "", one)
    first = Kept(tmp_path, tmp_path / "index", "key")
    assert localepages._frame(locale, items, common, first, "common", one) == whole
    drawn.clear()
    again = Kept(tmp_path, tmp_path / "index", "key", pieces=dict(first.used))
    assert localepages._frame(locale, items, common, again, "common", one) == whole
    assert drawn == []
    # Another item, other common parts, or another place among the pages: drawn again.
    fewer = localepages._frame(locale, items[1:], common, again, "common", one)
    assert drawn == ["locale.html.j2"] and fewer != whole
    assert localepages._frame(locale, items, common, again, "other", one) == whole
    assert drawn == ["locale.html.j2"] * 2
    of_two = localepages._frame(locale, items, common, again, "common", localepages.Paging(1, 2))
    assert drawn == ["locale.html.j2"] * 3 and of_two != whole
    # A piece that does not read back (no place for the sections): a miss.
    drawn.clear()
    damaged = Kept(tmp_path, tmp_path / "index", "key",
                   pieces={k: "no sections" for k in first.used})  # fmt: skip
    assert localepages._frame(locale, items, common, damaged, "common", one) == whole
    assert drawn == ["locale.html.j2"]


class _Links(HTMLParser):
    """The links of a page, and the ids its elements have."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))


def _links(pack: Path) -> dict[str, _Links]:
    """Return the links and ids of each page of the gallery, by pack path."""
    pages = {}
    for path in [pack / "index.html", *sorted((pack / "preview").rglob("*.html"))]:
        parsed = _Links()
        parsed.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(pack).as_posix()] = parsed
    return pages


def _every_link_finds_its_page(pack: Path, pages: Mapping[str, _Links]) -> int:
    """Assert that every link of the gallery finds its file, and the place it names there.

    Return how many lead to a locale's second page or later.
    """
    checked = 0
    for rel, parsed in pages.items():
        for href in parsed.hrefs:
            target, _, anchor = href.partition("#")
            if "://" in href or (not target.endswith(".html") and not anchor):
                continue
            path = (
                posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
                if target
                else rel
            )
            if path not in pages:  # a file of the pack, not a page of the gallery
                assert not anchor and (pack / path).is_file(), f"{rel} links to {href}: none"
                continue
            assert not anchor or anchor in pages[path].ids, f"{rel} links to {href}, not there"
            checked += bool(re.search(r"\.\d+\.html$", path))
    return checked


def test_a_locale_shows_its_messages_a_page_at_a_time_and_every_link_finds_its_post(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(localepages, "PAGE", 2)
    repo, out, build = small_build(tmp_path)
    _add_message(repo, "zz-added")  # four messages: two pages a locale
    added = next((repo / "content" / "messages").rglob("zz-added.md"))
    added.write_text(added.read_text(encoding="utf-8") + "\nNot translated yet.\n")
    cli_invoke(build, env=EPOCH)
    pack = out / "2026"
    pages = _links(pack)
    order = ["kickoff", "mfa-email-first", "passphrase-tip", "zz-added"]
    listed = {tag: {m for m in order if any((pack / tag).glob(f"*/{m}.*"))}
              for tag in ("en", "de", "pt-PT", "es-US")}  # fmt: skip
    assert listed["en"] == set(order) and len(listed["es-US"]) < len(order)
    for tag in ("en", "de", "pt-PT", "es-US"):
        first, second = pages[f"preview/{tag}.html"], pages[f"preview/{tag}.2.html"]
        assert f"preview/{tag}.3.html" not in pages
        # The same page number in every locale, whatever messages the locale has.
        assert [m for m in order if m in first.ids] == [m for m in order[:2] if m in listed[tag]]
        assert [m for m in order if m in second.ids] == [m for m in order[2:] if m in listed[tag]]
        # Each page links to the other, on top and at the end; the attention list is on the
        # first, the second links to it (whether the locale has items or not: its frame does
        # not change with them).
        assert first.hrefs.count(f"{tag}.2.html") == 2 and second.hrefs.count(f"{tag}.html") == 2
        # (In English, the source, nothing needs attention: the first page says so.)
        assert "attention-heading" in first.ids and "attention-heading" not in second.ids
        assert f"{tag}.html#attention-heading" in second.hrefs
    assert _every_link_finds_its_page(pack, pages) > 20  # overview, message pages, attention lists
    # The added message, not translated, is listed on the overview: it links to the pages.
    untranslated = [h for h in pages["index.html"].hrefs if h.endswith("#zz-added")]
    assert "preview/de.2.html#zz-added" in untranslated
    # A page a message: es-US, which lacks some, has its four pages all the same, those
    # without its messages saying so.
    monkeypatch.setattr(localepages, "PAGE", 1)
    cli_invoke([*build, "--force"], env=EPOCH)  # (no input changed)
    pages = _links(pack)
    _every_link_finds_its_page(pack, pages)
    for number, message in enumerate(order, 1):
        name = localepages.page_name("es-US", number)
        assert (message in pages[f"preview/{name}"].ids) == (message in listed["es-US"])
        empty = (
            b"No message on this page is published in es-US"
            in (pack / "preview" / name).read_bytes()
        )
        assert empty == (message not in listed["es-US"])
    assert "preview/es-US.5.html" not in pages


def test_an_edit_rewrites_the_locale_pages_that_show_the_message(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(localepages, "PAGE", 2)
    repo, out, build = small_build(tmp_path)
    _add_message(repo, "zz-added")
    cli_invoke(build, env=EPOCH)
    preview = out / "2026" / "preview"

    def seen() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in preview.glob("*.html")}

    before = seen()
    # One German title of passphrase-tip, on the second pages: only de.2.html is made again.
    po = repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    old = 'msgstr "Machen Sie aus Ihrem Passwort eine Passphrase"'
    po.write_text(text.replace(old, old[:-1] + ' mit vier Wörtern"'), encoding="utf-8")
    cli_invoke(build, env=EPOCH)
    after = seen()
    assert [n for n in sorted(after) if after[n] != before[n]] == ["de.2.html"]
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")
    # A message added first moves every other one; one removed leaves one page a locale.
    _add_message(repo, "aaa-added")
    cli_invoke(build, env=EPOCH)
    assert (preview / "de.3.html").is_file()
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-added")
    for name in ("aaa-added", "zz-added", "mfa-email-first"):
        next((repo / "content" / "messages").rglob(f"{name}.md")).unlink()
    cli_invoke(build, env=EPOCH)
    assert not list(preview.glob("*.2.html")) and not list(preview.glob("*.3.html"))
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-removed")


def _card(channel: str, section: bytes = b"") -> Any:
    from campaignsync.pack.gallery import Drawn

    html = f'<article id="m-{channel}">{channel} post</article>'.encode()
    return Drawn(f"de/{channel}/m.txt", "m", "de", channel, "ltr", "Title", channel.upper(), (),
                 html, "digest", section)  # fmt: skip


def test_a_units_cards_spilled_give_its_section_whole_and_only_as_the_spill_holds_it(
    tmp_path: Path,
) -> None:
    """A renderer spills a unit's cards as its section shows them: read back in one read."""
    from campaignsync.model import Locale, Message
    from campaignsync.pack import localepages, spilledcards
    from campaignsync.pack.staging import Staging

    head = b'<section lang="de"><h2>Title</h2>'
    sectioned = head + localepages.CARDS.encode() + b"</section>\n"
    plain = [_card("x", sectioned), _card("sms"), _card("email")]
    other = [_card("x", sectioned.replace(b"Title", b"Other")), _card("web")]
    (tmp_path / "spills").mkdir()
    staging = Staging(tmp_path / "pack", tmp_path / "spills")
    try:
        spilled = spilledcards.spilled(staging, [*plain, *other])
        locale, message = Locale("de", "de"), Message.__new__(Message)
        expected = head + b"".join(c.html + b"\n" for c in plain) + b"</section>\n"
        assert b"".join(localepages._drawn(locale, message, plain)) == expected
        mine = spilled[:3]
        reads: list[int] = []
        read = spilledcards.Cards.read

        def counted(cards: Any, at: int, size: int, whole: bool = False) -> bytes:
            reads.append(size)
            return read(cards, at, size, whole)

        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(spilledcards.Cards, "read", counted)
            assert mine[0].whole_section(mine) == expected
        assert reads == [len(expected)]  # one read
        assert b"".join(localepages._drawn(locale, message, mine)) == expected
        assert [c.html for c in spilled] == [c.html for c in [*plain, *other]]
        assert spilled[0].section == sectioned and spilled[1].section == b""
        assert spilled[3].section == other[0].section
        # Not as the spill holds them (another order, one card left out, another unit's):
        # joined from the parts, as before.
        for shown in ([mine[0], mine[2], mine[1]], mine[:2], [mine[0], *spilled[3:]]):
            assert shown[0].whole_section(shown) is None
            joined = b"".join(localepages._drawn(locale, message, shown))
            assert joined == head + b"".join(c.html + b"\n" for c in shown) + b"</section>\n"
    finally:
        staging.close()
