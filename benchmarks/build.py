"""Benchmark `campaignsync build` on a synthetic campaign of N messages x L locales x C channels.

Usage (from the repository root, in the project's virtualenv):

    python benchmarks/build.py                          # 500 x 26 x 8 = 104,000 outputs
    python benchmarks/build.py --quick                  # 50 x 6 x 8 = 2,400 outputs, well under a minute
    python benchmarks/build.py --workdir /tmp/csbench --keep

It generates the campaign once (kept in --workdir and reused when the size matches),
then times, each as a fresh `campaignsync build` process:

1. a full build into an empty output folder,
2. a no-change rebuild (nothing should be written),
3. a rebuild after one message changed,

and reports the peak resident memory of the largest process. Figures are printed as
seconds and as ratios to a floor measured in the same run (Python-Markdown converting
every message x locale body once, in one process), because the machines are shared
and noisy: compare ratios, not seconds, between machines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: The 24 official EU languages minus the source, plus the two US locales: 26 with `en`.
LOCALES = [
    "bg", "cs", "da", "de", "el", "es", "et", "fi", "fr", "ga", "hr", "hu", "it",
    "lt", "lv", "mt", "nl", "pl", "pt-PT", "ro", "sk", "sl", "sv", "en-US", "es-US",
]  # fmt: skip
CHANNELS = ["x", "mastodon", "bluesky", "linkedin", "sms", "email", "web", "press"]
WORDS = [
    "password",
    "account",
    "phone",
    "update",
    "backup",
    "phishing",
    "message",
    "link",
    "code",
    "login",
    "secure",
    "safe",
    "check",
    "report",
    "scam",
    "bank",
    "email",
    "device",
    "app",
    "family",
    "friends",
    "colleagues",
    "week",
    "month",
    "habit",
    "step",
    "second",
    "strong",
    "unique",
    "long",
    "manager",
    "remember",
    "share",
    "protect",
    "criminals",
    "attack",
    "online",
    "data",
    "photos",
    "documents",
    "copy",
    "cloud",
    "drive",
    "restore",
    "settings",
    "automatic",
    "install",
    "official",
    "store",
    "website",
    "browser",
    "address",
    "sender",
    "urgent",
    "money",
    "gift",
    "prize",
    "delivery",
    "parcel",
    "invoice",
    "payment",
    "card",
]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(8, 14)) for _ in range(sentences))


def body(rng: random.Random, index: int) -> str:
    """Return ~300 words: two headings, paragraphs, a four-item list, links and emphasis."""
    items = "\n".join(
        f"- {sentence(rng, 7)} See [this tip](https://example.org/t/{index}/{i})." for i in range(4)
    )
    return (
        f"## {sentence(rng, 4)[:-1]}\n\n{paragraph(rng, 5)} It is **important** and *simple*.\n\n"
        f"{paragraph(rng, 4)}\n\n{items}\n\n## {sentence(rng, 3)[:-1]}\n\n{paragraph(rng, 5)}\n\n"
        f"Read more on the [campaign website](https://example.org/{index}).\n"
    )


def message(rng: random.Random, index: int) -> str:
    day = 1 + index % 30
    hour = 9 + index // 30 % 8  # spread over the business day, so `check` stays quiet
    eu_offset = "+02:00" if day < 25 else "+01:00"  # Brussels leaves summer time on 25 October
    mid = f"m{index:04d}"
    return (
        "---\n"
        f"id: {mid}\n"
        'campaign: "2026"\n'
        "partners: [eu, us]\n"
        f"channels: [{', '.join(CHANNELS)}]\n"
        "publish:\n"
        f"  eu: 2026-10-{day:02d}T{hour:02d}:00:00{eu_offset}\n"
        f"  us: 2026-10-{day:02d}T{hour:02d}:00:00-04:00\n"
        f"title: {sentence(rng, 6)}\n"
        f"summary: {sentence(rng, 16)}\n"
        f"link: https://example.org/2026/{mid}\n"
        "hashtags: [JointCyberMonth, StaySafeOnline]\n"
        f"image: {{src: assets/img.png, alt: {sentence(rng, 8)}}}\n"
        "posts:\n"
        f"  sms: {sentence(rng, 10)}\n"
        "---\n" + body(rng, index)
    )


def config(locales: list[str]) -> str:
    quoted = ", ".join(f'"{t}"' for t in locales)
    eu = ", ".join(f'"{t}"' for t in ["en", *[t for t in locales if not t.endswith("-US")]])
    us = ", ".join(f'"{t}"' for t in locales if t.endswith("-US"))
    return f"""name = "Benchmark campaign"
source_locale = "en"
locales = [{quoted}]
default_campaign = "2026"
base_url = "https://example.org"

[partners.eu]
name = "EU"
timezone = "Europe/Brussels"
locales = [{eu}]

[partners.us]
name = "US"
timezone = "America/New_York"
locales = [{us or '"en"'}]

[channels.sms]
max_segments = 10

[channels.email]
from = "Benchmark <news@example.org>"
"""


CALENDAR = """campaigns:
  - id: "2026"
    name: Benchmark month
    start: 2026-10-01
    end: 2026-10-31
"""


def pseudo(text: str, tag: str) -> str:
    """Return a pseudo-translation that keeps Markdown links, URLs and placeholders intact."""
    out = []
    for word in text.split(" "):
        if "](" in word or "://" in word or "%(" in word or word.startswith(("#", "[", "*")):
            out.append(word)
        else:
            out.append(word[::-1] if len(word) > 3 else word)
    return f"{tag.upper()}: " + " ".join(out)


def generate(root: Path, messages: int, locales: list[str], campaignsync: str) -> None:
    """Write the synthetic campaign repository and its fully translated catalogs."""
    from babel.messages.pofile import read_po, write_po

    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(2026)
    (root / "content" / "messages" / "2026").mkdir(parents=True)
    (root / "content" / "assets").mkdir()
    (root / "content" / "assets" / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (root / "campaignsync.toml").write_text(config(locales), encoding="utf-8")
    (root / "content" / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", root / "templates")
    for index in range(messages):
        path = root / "content" / "messages" / "2026" / f"m{index:04d}.md"
        path.write_text(message(rng, index), encoding="utf-8")
    run([campaignsync, "locale", "extract", "--repo", str(root)])
    run([campaignsync, "locale", "update", "--repo", str(root)])
    for tag in locales:
        po = root / "locales" / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for entry in catalog:
            if entry.id and isinstance(entry.id, str):
                entry.string = pseudo(entry.id, tag)
        with po.open("wb") as handle:
            write_po(handle, catalog, width=0)
    (root / ".benchmark.json").write_text(json.dumps({"messages": messages, "locales": locales}))


def run(command: list[str], env: dict[str, str] | None = None) -> float:
    """Run a command, fail loudly if it fails, and return its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def markdown_floor(root: Path, locales: int) -> float:
    """Time Python-Markdown converting every message body once per locale, in this process."""
    import markdown

    bodies = [
        p.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for p in sorted((root / "content/messages/2026").glob("*.md"))
    ]
    converter = markdown.Markdown(output_format="html")
    start = time.perf_counter()
    for _ in range(locales):
        for text in bodies:
            converter.reset()
            converter.convert(text)
    return time.perf_counter() - start


def find_campaignsync() -> str:
    """Return the campaignsync script installed beside this Python, whatever PATH says."""
    beside = Path(sys.executable).parent / "campaignsync"
    if beside.is_file():
        return str(beside)
    return shutil.which("campaignsync") or sys.exit(
        f"campaignsync is not installed for {sys.executable}: "
        "run `.venv/bin/pip install -e .` and then `.venv/bin/python benchmarks/build.py`"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument(
        "--locales", type=int, default=26, help="locales including the source (max 26)"
    )
    parser.add_argument(
        "--jobs", type=int, default=0, help="passed to build --jobs (0: one per CPU)"
    )
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/out"))
    parser.add_argument("--keep", action="store_true", help="keep the output folder afterwards")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="50 messages x 6 locales (2,400 outputs): a check that finishes in well under a minute",
    )
    args = parser.parse_args()
    if args.quick:
        args.messages, args.locales = 50, 6
    locales = LOCALES[: max(0, min(args.locales, 26) - 1)]
    campaignsync = find_campaignsync()
    repo = args.workdir / "repo"
    out = args.workdir / "dist"
    marker = repo / ".benchmark.json"
    wanted = {"messages": args.messages, "locales": locales}
    if not marker.is_file() or json.loads(marker.read_text()) != wanted:
        print(
            f"generating {args.messages} messages x {len(locales) + 1} locales in {repo} ...",
            flush=True,
        )
        generate(repo, args.messages, locales, campaignsync)
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000"}
    build = [
        campaignsync,
        "build",
        "--repo",
        str(repo),
        "--out",
        str(out),
        "--jobs",
        str(args.jobs),
    ]
    outputs = args.messages * (len(locales) + 1) * len(CHANNELS)
    print(
        f"{args.messages} messages x {len(locales) + 1} locales x {len(CHANNELS)} channels = {outputs:,} outputs"
    )

    full = run(build, env)
    unchanged = run(build, env)
    victim = repo / "content/messages/2026/m0000.md"
    original = victim.read_text(encoding="utf-8")
    victim.write_text(
        original.replace("It is **important**", "It is **very important**", 1), encoding="utf-8"
    )
    try:
        one = run(build, env)
    finally:
        victim.write_text(original, encoding="utf-8")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    floor = markdown_floor(repo, len(locales) + 1)
    files = sum(1 for _ in (out / "2026").rglob("*") if _.is_file())

    print(f"full build           {full:8.2f} s   = {full / floor:5.2f} x markdown floor")
    print(f"no-change rebuild    {unchanged:8.2f} s   = {unchanged / full:6.3f} x full build")
    print(f"one message changed  {one:8.2f} s   = {one / full:6.3f} x full build")
    print(
        f"markdown floor       {floor:8.2f} s   (every body converted once per locale, one process)"
    )
    print(f"peak memory          {peak_mib:8.0f} MiB (largest single process)")
    print(
        f"pack                 {files:,} files, zip {(out / '2026.zip').stat().st_size / 2**20:.0f} MiB"
    )
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
