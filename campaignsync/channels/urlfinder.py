"""Where twitter-text finds URLs in a post: the spans X and Mastodon count as links.

twitter-text's URL regex (js/src/regexp/*) rewritten for `regex`, with the
labels of a domain memoised so long runs of labels stay linear, and the
answer kept per space-free token (a campaign's links recur in every locale
and channel). Its alternation of 1,579 TLDs is not compiled (that cost every
process 0.2-0.8 s): the text after a dot is looked up in a dict of the TLDs,
one slice per TLD length, with the alternation's answers (see ``_tld_end``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

import regex

# Character classes of twitter-text's URL extractor (js/src/regexp/*), rewritten for `regex`.
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_SPACES = r"\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_LATIN = (
    r"\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    r"\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_D = rf"[^{_PUNCT}{_SPACES}\ufffe\ufeff\uffff]"
_NAME = rf"(?:(?:{_D}(?:-|{_D})*)?{_D}\.)"
_PC = rf"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN}]"
_PARENS = rf"\((?:{_PC}+|{_PC}*\({_PC}+\){_PC}*)\)"
_PATH_END = rf"(?:[+\-a-z\u0400-\u04ff0-9=_#/{_LATIN}]|{_PARENS})"
_PATH = rf"(?:{_PC}*(?:{_PARENS}{_PC}*)*{_PATH_END}|@{_PC}+/)"
_QUERY = r"\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"
_PROTOCOL = regex.compile(r"https?://", regex.IGNORECASE)
_TCO = regex.compile(r"https?://t\.co/([a-z0-9]+)", regex.IGNORECASE)
_NOT_BEFORE_URL = "@＠$#＃\ufffe\ufeff\uffff"
_MAX_URL_LENGTH = 4096
_MAX_LABEL_LENGTH = 63
_MAX_TCO_SLUG_LENGTH = 40
#: A space-free token that holds a dot, from its start (the standard library's ``re``:
#: three times as fast here as ``regex`` and a Python loop over every token).
_DOTTED = re.compile(rf"(?<![^{_SPACES}])[^{_SPACES}.]*\.[^{_SPACES}]*")


@dataclass(frozen=True, slots=True)
class _UrlPatterns:
    run: regex.Pattern[str]
    ascii_run: regex.Pattern[str]
    after_tld: regex.Pattern[str]
    punycode_tld: regex.Pattern[str]
    tail: regex.Pattern[str]
    short_domain: regex.Pattern[str]
    special_short_domain: regex.Pattern[str]
    # Case-folded TLD -> its first place in the alternation (generic first, then country).
    tlds: dict[str, int]
    lengths: tuple[int, ...]
    countries: frozenset[str]


def data(name: str) -> str:
    """Return a data file of the channels package (twitter-text's TLD list, its config)."""
    return files("campaignsync.channels").joinpath("data", name).read_text(encoding="utf-8")


@cache
def _url_patterns() -> _UrlPatterns:
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in data("tlds.txt").splitlines():
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        elif line and not line.startswith("#"):
            current.append(line)
    tlds: dict[str, int] = {}
    for rank, tld in enumerate(sections["generic"] + sections["country"]):
        tlds.setdefault(_fold(tld), rank)
    flags = regex.IGNORECASE
    return _UrlPatterns(
        run=regex.compile(rf"(?:{_D}|[_-])+"),
        ascii_run=regex.compile(rf"[\-a-z0-9{_LATIN}]+", flags),
        after_tld=regex.compile(r"[^0-9a-z@+\-]|$", flags),
        punycode_tld=regex.compile(r"xn--[\-0-9a-z]+", flags),
        tail=regex.compile(rf"(?::[0-9]+)?(?P<path>/{_PATH}*)?(?:{_QUERY})?", flags),
        short_domain=regex.compile(rf"{_NAME}(?P<tld>[^.]+)", flags),
        special_short_domain=regex.compile(rf"{_NAME}(?:co|tv)(?=[^0-9a-z@]|$)", flags),
        tlds=tlds,
        lengths=tuple(sorted({len(tld) for tld in tlds})),
        countries=frozenset(map(_fold, sections["country"])),
    )


def _fold(text: str) -> str:
    """Return ``text`` case-folded as `regex`'s IGNORECASE compares it with a TLD, or "".

    For the characters of the TLD list, IGNORECASE matches exactly the characters of the
    same casefold, and İ for i; a character that folds to more than one (ß, ﬁ) matches none.
    """
    folded = text.replace("İ", "i").casefold()
    return folded if len(folded) == len(text) else ""


def _tld_end(text: str, index: int) -> int:
    r"""Return where twitter-text's TLD regex, matched at ``index``, ends, or -1.

    The regex is ``(?:generic|country)(?=[^0-9a-z@+\-]|$)|xn--[\-0-9a-z]+`` (IGNORECASE),
    each list in its own order: the first TLD in that order that the text holds at ``index``
    with the lookahead true wins (so list order, not length, decides), then punycode.
    """
    patterns = _url_patterns()
    best_rank = best_end = -1
    for length in patterns.lengths:
        end = index + length
        if end > len(text):
            break
        rank = patterns.tlds.get(_fold(text[index:end]), -1)
        if rank >= 0 and (best_end < 0 or rank < best_rank) and patterns.after_tld.match(text, end):
            best_rank, best_end = rank, end
    if best_end < 0 and (punycode := patterns.punycode_tld.match(text, index)):
        best_end = int(punycode.end())
    return best_end


def _domain_end(
    text: str, start: int, runs: dict[int, int], memo: dict[int, int], edges: str = "-_"
) -> int:
    r"""Return where the longest ``(?:label\.)+tld`` twitter-text matches at ``start`` ends, or -1.

    ``runs`` maps each index of a label to its end; a label may not begin or end with a
    character of ``edges``, and one holding ``_`` may not come right before the TLD.
    """
    # twitter-text's regex retries every label from every start (quadratic on long runs of
    # labels); memoising the answer per label start gives the same result in linear time.
    chain: list[tuple[int, int, bool]] = []
    index = start
    while index not in memo:
        end = runs.get(index, index)
        label = text[index:end]
        if not label or label[0] in edges or label[-1] in edges or text[end : end + 1] != ".":
            memo[index] = -1
        else:
            chain.append((index, end, "_" not in label))
            index = end + 1
    best = memo[index]
    for label_start, label_end, can_be_name in reversed(chain):
        if best < 0 and can_be_name:
            best = _tld_end(text, label_end + 1)
        memo[label_start] = best
    return best


def _runs(pattern: regex.Pattern[str], text: str) -> dict[int, int]:
    return {i: m.end() for m in pattern.finditer(text) for i in range(*m.span())}


def _ascii_domains(domain: str) -> list[tuple[int, int]]:
    r"""Return the spans that twitter-text's ASCII-domain regex finds in ``domain``.

    The regex is ``(?:[\-a-z0-9<Latin>]+\.)+<tld>``, searched for from left to right.
    """
    runs, memo = _runs(_url_patterns().ascii_run, domain), dict[int, int]()
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(domain):
        end = _domain_end(domain, index, runs, memo, edges="")
        if end >= 0:
            found.append((index, end))
        index = max(end, index + 1)
    return found


def _url_candidates(
    text: str, after_space: bool = False
) -> Iterator[tuple[str, int, str, int, int, str]]:
    """Yield twitter-text's URL regex matches as (before, start, protocol, host end, end, path).

    ``after_space``: ``text`` follows a space, so a URL may start at 0 as it would after
    any character that may precede one (the space itself is not part of ``text``).
    """
    patterns = _url_patterns()
    runs = _runs(patterns.run, text)
    memo: dict[int, int] = {}
    index = -1 if after_space else 0
    while index < len(text):
        if index < 0:
            starts = [0]
        else:
            char = text[index]
            ok = not ((char.isascii() and char.isalnum()) or char in _NOT_BEFORE_URL)
            starts = [index + 1] if ok else []
            if index == 0 and not after_space:
                starts.append(0)
        for start in starts:
            protocol_match = _PROTOCOL.match(text, start)
            protocol = str(protocol_match.group()) if protocol_match else ""
            host_end = _domain_end(text, start + len(protocol), runs, memo)
            if host_end >= 0:
                tail = patterns.tail.match(text, host_end)
                before = text[start - 1] if start else ""
                yield before, start, protocol, host_end, int(tail.end()), tail.group("path") or ""
                index = int(tail.end())
                break
        else:
            index += 1


def _valid_domain(url: str, protocol: str, domain: str) -> bool:
    if domain.lower().startswith("xn--") and not _ascii_domains(domain):
        return False
    labels = [
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in domain.split(".")
    ]
    if not all(1 <= len(label) <= _MAX_LABEL_LENGTH for label in labels):
        return False
    encoded = len(protocol) + len(url) - len(domain) + len(".".join(labels))
    return encoded <= _MAX_URL_LENGTH


def spans(text: str, *, bare: bool = True) -> dict[int, int]:
    """Map the start of each URL twitter-text would extract to its end."""
    if "." not in text:
        return {}
    # No URL contains a space, and a URL may start right after one as at the start of the
    # text: so only the space-separated tokens that hold a dot need the extractor.
    spans: dict[int, int] = {}
    for token in _DOTTED.finditer(text):
        offset = token.start()
        for start, end in token_spans(token.group(), bare, after_space=offset > 0):
            spans[offset + start] = offset + end
    return spans


@lru_cache(maxsize=1 << 16)
def token_spans(text: str, bare: bool, after_space: bool) -> tuple[tuple[int, int], ...]:
    """Return the (start, end) of each URL in one space-free token.

    Kept per token: a campaign's links and dotted words recur in every locale and
    channel, and both the counting and the gallery's highlighting ask again.
    """
    patterns = _url_patterns()
    spans: dict[int, int] = {}
    for before, start, protocol, host_end, end, path in _url_candidates(text, after_space):
        url, domain = text[start:end], text[start + len(protocol) : host_end]
        if not _valid_domain(url, protocol or "https://", domain):
            continue
        if protocol:
            tco = _TCO.match(url)
            if tco and len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                continue
            spans[start] = start + int(tco.end()) if tco else end
            continue
        if not bare or (before and before in "-_./"):
            continue
        found = _ascii_domains(domain)
        for i, (name_start, name_end) in enumerate(found):
            name = domain[name_start:name_end]
            short = patterns.short_domain.fullmatch(name)
            if path and i == len(found) - 1:
                spans[start + name_start] = end
            elif (
                path
                or patterns.special_short_domain.fullmatch(name)
                or not (short and _fold(short.group("tld")) in patterns.countries)
            ):
                spans[start + name_start] = start + name_end
    return tuple(spans.items())
