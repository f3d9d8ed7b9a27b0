"""Benchmark `campaignsync build` on a synthetic campaign of N messages x L locales x C channels.

Usage (from the repository root, in the project's virtualenv):

    python benchmarks/build.py                          # 500 x 26 x 8 = 104,000 outputs
    python benchmarks/build.py --quick                  # 50 x 6 x 8 = 2,400 outputs, well under a minute
    python benchmarks/build.py --workdir /tmp/csbench --keep

It generates the campaign once (kept in --workdir and reused when the size matches),
then times, each as a fresh process:

1. a clean build into an empty output folder (no render cache), and its peak memory (its
   largest process; after one message and one template changed, all its processes together
   too, in a run of its own: forked ones share pages until written),
2. a no-change rebuild (nothing should be read or written), and one after every input
   file was written again unchanged (as a checkout gives them: told by their bytes), with
   `check` after it,
3. a rebuild after one message changed (with the zip, and its peak memory; the folder alone:
   --no-zip, then the zip made again; and in a process that built before, as `preview`
   rebuilds after each save: the folder, then the zip, the median of three saves; and at a
   new time, as after a commit: every zip member and calendar event carries it), after
   one PO entry changed, and
   after one channel's template changed (X: that channel of every message), with its peak,
   after one channel's settings changed (SMS's segments: that channel of every message),
   after a blackout day was added to the calendar (checked, then built: nothing renders
   again), after `locale add` (checked, then built: no partner publishes in the locale
   yet, nothing renders again), and after the config changed elsewhere (the site's name: every unit renders again,
   over the pack), with its peak,
4. `check` with a warm cache, after one message or one PO entry changed, and cold (cache deleted),
5. `locale update` after one English edit (26 catalogs),
6. clean builds with --jobs 1 and --jobs 2, twice each in the order 1 2 2 1 (each mode's
   faster run counts),
7. when `hugo` is installed, Hugo's clean and no-change builds of an equivalent site
   (every message a page in every language, eight output formats: benchmarks/hugosite.py).

Figures are printed as seconds and as ratios within the same run (to the clean build,
to Hugo, to a Markdown floor: Python-Markdown converting every body once per locale in
one process), because the machines are shared and noisy: compare ratios, not seconds,
between machines.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import random
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


def run(command: list[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> float:
    """Run a command, fail loudly if it fails, and return its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
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


def compiled() -> None:
    """Compile the package once, as installing it does.

    A shell with PYTHONDONTWRITEBYTECODE set (CI images often set it) would otherwise
    compile every module again in each timed run: 40 ms of a 150 ms no-change rebuild.
    """
    import compileall

    import campaignsync

    compileall.compile_dir(Path(campaignsync.__file__).parent, quiet=1)


def edited(path: Path, old: str, new: str) -> str:
    """Replace ``old`` by ``new`` in a file; return the original text."""
    original = path.read_text(encoding="utf-8")
    assert old in original, f"{old!r} not in {path}"
    path.write_text(original.replace(old, new, 1), encoding="utf-8")
    return original


def peak_mib(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall time and the peak memory of its largest process."""
    return _wrapped(PEAK, command, env)


def together_mib(command: list[str], env: dict[str, str]) -> float:
    """Run a command (not timed); return the peak memory of all its processes together."""
    return _wrapped(TOGETHER, command, env)[1]


def _wrapped(script: str, command: list[str], env: dict[str, str]) -> tuple[float, float]:
    wrapped = [sys.executable, "-c", script, *command]
    start = time.perf_counter()
    done = subprocess.run(wrapped, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, float(done.stdout.strip().splitlines()[-1])


#: Rebuilds in one process, as ``preview`` does after each save (the folder, then the zip):
#: the message edited, then the edit undone, edited and undone again; prints the median of
#: the last three rebuilds' seconds until the pages can reload, then that of the zip after
#: (what a save costs once preview runs; one save alone varies by a tenth on a busy host).
WARM = (
    "import os, sys, time\n"
    "from pathlib import Path\n"
    "from campaignsync import pipeline\n"
    "from campaignsync.pack import live\n"
    "repo, victim, old, new = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]\n"
    "jobs = int(sys.argv[6]) or pipeline.default_jobs()\n"
    "original = victim.read_text(encoding='utf-8')\n"
    "out = pipeline.output_folder(repo, None)\n"
    "folder = next(p for p in sorted(out.iterdir()) if p.is_dir() and p.name[0] != '.')\n"
    "request = pipeline.Request(epoch=int(os.environ['SOURCE_DATE_EPOCH']))\n"
    "def save():\n"
    "    done = live.rebuild(repo, out, request, jobs, time.time_ns, folder)  # (as preview)\n"
    "    assert not done.problems, done.problems\n"
    "    pages = time.perf_counter()\n"
    "    live.zip_again(repo, out, request, jobs, time.time_ns)\n"
    "    return pages\n"
    "timed = []\n"
    "try:\n"
    "    for text in (original.replace(old, new, 1), original) * 2:\n"
    "        victim.write_text(text, encoding='utf-8')\n"
    "        start = time.perf_counter()\n"
    "        pages = save()\n"
    "        timed.append((pages - start, time.perf_counter() - pages))\n"
    "finally:\n"
    "    victim.write_text(original, encoding='utf-8')\n"
    "import statistics\n"
    "rest = timed[1:]  # the first edit's rebuild reads what the process keeps\n"
    "print(statistics.median(p for p, _ in rest), statistics.median(z for _, z in rest))\n"
)


def warm(
    repo: Path, victim: Path, change: tuple[str, str], jobs: list[str], env: dict[str, str]
) -> tuple[float, float]:
    """Return the seconds of a one-message rebuild as ``preview`` makes it after a save.

    In a process that built before: the folder first (until the pages can reload), then
    the zip (the seconds after that); each the median of three saves (see :data:`WARM`).
    """
    command = [sys.executable, "-c", WARM, str(repo), str(victim), *change, *jobs]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"the rebuild in one process failed:\n{done.stdout}\n{done.stderr}")
    pages, zipped = done.stdout.strip().splitlines()[-1].split()
    return float(pages), float(zipped)


#: Runs a command and prints the largest resident set of it and its children, in MiB.
#: Runs a command; prints the peak RSS of its largest process.
PEAK = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
)
#: Runs a command; prints the peak of the summed PSS of all its processes (each shared page
#: counted once: what the machine needs while forked processes run beside the build),
#: sampled every 0.25 s from /proc (0 without it). Reading a process's PSS walks its page
#: tables (26 ms for 1 GB): never in a run that is timed.
TOGETHER = (
    "import os, subprocess, sys, time\n"
    "def tree(top):\n"
    "    kids = {}\n"
    "    for name in filter(str.isdigit, os.listdir('/proc')):\n"
    "        try:\n"
    "            with open(f'/proc/{name}/stat') as handle:\n"
    "                ppid = int(handle.read().rpartition(')')[2].split()[1])\n"
    "        except (OSError, ValueError, IndexError):\n"
    "            continue\n"
    "        kids.setdefault(ppid, []).append(int(name))\n"
    "    found, todo = [], [top]\n"
    "    while todo:\n"
    "        pid = todo.pop()\n"
    "        found.append(pid)\n"
    "        todo.extend(kids.get(pid, ()))\n"
    "    return found\n"
    "def pss(pid):\n"
    "    try:\n"
    "        with open(f'/proc/{pid}/smaps_rollup') as handle:\n"
    "            return next(int(l.split()[1]) for l in handle if l.startswith('Pss:'))\n"
    "    except (OSError, StopIteration, ValueError):\n"
    "        return 0\n"
    "process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "most = 0\n"
    "while process.poll() is None:\n"
    "    most = max(most, sum(pss(pid) for pid in tree(process.pid)))\n"
    "    time.sleep(0.25)\n"
    "if process.returncode:\n"
    "    sys.exit(process.returncode)\n"
    "print(most / 1024)\n"
)


class Figures(dict[str, float]):
    """The figures of a run, each printed as it is measured (a long run shows its progress)."""

    def __setitem__(self, key: str, value: float) -> None:
        super().__setitem__(key, value)
        print(f"  {key}: {value:.2f}", flush=True)


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
    parser.add_argument("--keep", action="store_true", help="keep the output folders afterwards")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="50 messages x 6 locales (2,400 outputs): a check that finishes in well under a minute",
    )
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo yardstick")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.locales = 50, 6
    locales = LOCALES[: max(0, min(args.locales, 26) - 1)]
    campaignsync = find_campaignsync()
    compiled()
    repo = args.workdir / "repo"
    marker = repo / ".benchmark.json"
    wanted = {"messages": args.messages, "locales": locales}
    if not marker.is_file() or json.loads(marker.read_text()) != wanted:
        print(
            f"generating {args.messages} messages x {len(locales) + 1} locales in {repo} ...",
            flush=True,
        )
        generate(repo, args.messages, locales, campaignsync)
    # The tool timed as installed: its modules compiled once (as pip compiles them), not
    # again by every process where bytecode is not written (PYTHONDONTWRITEBYTECODE).
    spec = importlib.util.find_spec("campaignsync")
    if spec is not None and spec.submodule_search_locations:
        compileall.compile_dir(spec.submodule_search_locations[0], quiet=1)
    # The repository's own dist/: `check` keeps its cache there too.
    out = repo / "dist"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000"}
    jobs = ["--jobs", str(args.jobs)]
    build = [campaignsync, "build", "--repo", str(repo), *jobs]
    check = [campaignsync, "check", "--repo", str(repo), "--now", "2026-09-01", *jobs]
    outputs = args.messages * (len(locales) + 1) * len(CHANNELS)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"{args.messages} messages x {len(locales) + 1} locales x {len(CHANNELS)} channels"
        f" = {outputs:,} outputs; {cores} cores; output in {out}",
        flush=True,
    )
    victim = repo / "content/messages/2026/m0000.md"
    change = ("It is **important**", "It is **very important**")
    po = repo / "locales" / (locales[0] if locales else "en").replace("-", "_")
    po = po / "LC_MESSAGES" / "messages.po"
    figures: Figures = Figures()

    figures["clean"], figures["peak"] = peak_mib(build, env)
    figures["nochange"] = run(build, env)
    original = edited(victim, *change)
    try:
        figures["one"], figures["peak_one"] = peak_mib(build, env)
        figures["check_built"] = run(check, env, ok=(0, 1))
    finally:
        victim.write_text(original, encoding="utf-8")
    # The edit undone: one message changed again, this time the folder alone; then the
    # zip made again, from the zip that build set aside (pack/asidezip.py).
    figures["one_nozip"] = run([*build, "--no-zip"], env)
    figures["zip_again"] = run(build, env)
    figures["check_warm"] = run(check, env, ok=(0, 1))
    figures["check_again"] = run(check, env, ok=(0, 1))
    # A translator's or writer's edit checked before any build: nothing kept answers it.
    original = edited(victim, *change)
    try:
        figures["check_edit"] = run(check, env, ok=(0, 1))
    finally:
        victim.write_text(original, encoding="utf-8")
    run(build, env)
    figures["one_warm"], figures["one_warm_zip"] = warm(repo, victim, change, jobs, env)
    original = edited(victim, *change)  # built again, untimed: the memory of all processes
    try:
        figures["peak_one_all"] = together_mib(build, env)
    finally:
        victim.write_text(original, encoding="utf-8")
    run(build, env)
    if po.is_file():
        text = po.read_text(encoding="utf-8")
        at = text.index('msgstr "', text.index("#: content/messages/2026/m0001.md"))
        po.write_text(text[: at + 8] + "X" + text[at + 8 :], encoding="utf-8")
        try:
            # A translator's fix checked before any build, then built.
            figures["check_po"] = run(check, env, ok=(0, 1))
            figures["po"] = run(build, env)
        finally:
            po.write_text(text, encoding="utf-8")
        run(build, env)
    # A message edited and committed: the build takes the commit's time, which each zip
    # member and calendar event carries (a later SOURCE_DATE_EPOCH here).
    original = edited(victim, *change)
    try:
        figures["one_commit"] = run(build, {**env, "SOURCE_DATE_EPOCH": "1790086400"})
    finally:
        victim.write_text(original, encoding="utf-8")
    run(build, env)  # (back at the benchmark's time)
    # One channel's template edited: that channel of every message renders again.
    template = repo / "templates" / "x.txt.j2"
    original = edited(template, "{{ message.post }}", "New: {{ message.post }}")
    try:
        figures["template"], figures["peak_template"] = peak_mib(build, env)
    finally:
        template.write_text(original, encoding="utf-8")
    run(build, env)
    edited(template, "{{ message.post }}", "New: {{ message.post }}")
    try:  # the same edit built again, untimed: the memory of all its processes
        figures["peak_template_all"] = together_mib(build, env)
    finally:
        template.write_text(original, encoding="utf-8")
    run(build, env)  # (the template back as it was)
    # One channel's settings edited: that channel of every message renders again, as after
    # its template.
    settings = repo / "campaignsync.toml"
    original = edited(settings, "max_segments = 10", "max_segments = 9")
    try:
        figures["channel"] = run(build, env)
    finally:
        settings.write_text(original, encoding="utf-8")
    run(build, env)  # (SMS back as it was)
    # A blackout day added to the calendar, checked then built: no unit renders again, no
    # message is checked again, and the gallery draws again only the pages of the messages
    # published that day.
    calendar = repo / "content" / "calendar.yaml"
    original = edited(
        calendar, "    end: 2026-10-31\n", "    end: 2026-10-31\n    blackout: [2026-10-20]\n"
    )
    try:
        figures["check_calendar"] = run(check, env, ok=(0, 1))
        figures["calendar"] = run(build, env)
    finally:
        calendar.write_text(original, encoding="utf-8")
    # A locale added with `locale add` (its catalog made, the config listing it), before any
    # partner publishes in it: checked, then built; nothing renders again.
    original = settings.read_text(encoding="utf-8")
    added = [campaignsync, "locale", "add", "is", "--repo", str(repo)]
    subprocess.run(added, env=env, check=True, stdout=subprocess.DEVNULL)
    try:
        figures["check_locale"] = run(check, env, ok=(0, 1))
        figures["locale_added"] = run(build, env)
    finally:
        settings.write_text(original, encoding="utf-8")
        shutil.rmtree(repo / "locales" / "is", ignore_errors=True)
    run(build, env)  # (the locale removed)
    # Every input file written again as it was (git checking them out again, a CI cache
    # restored over a fresh checkout): new signatures, the same bytes, nothing to build.
    for name in ("content", "locales", "templates"):
        for path in sorted(p for p in (repo / name).rglob("*") if p.is_file()):
            data = path.read_bytes()
            path.unlink()
            path.write_bytes(data)
    figures["touched"] = run(build, env)
    figures["check_touched"] = run(check, env, ok=(0, 1))
    # The config edited elsewhere (the site's name, which pages show): every unit renders
    # again, over the pack. The cache is deleted after it, for the cold check.
    original = edited(settings, 'name = "Benchmark campaign"', 'name = "Benchmark campaign 2"')
    try:
        figures["config"], figures["peak_config"] = peak_mib(build, env)
    finally:
        settings.write_text(original, encoding="utf-8")
    shutil.rmtree(out / ".campaignsync-cache", ignore_errors=True)
    figures["check_cold"] = run(check, env, ok=(0, 1))
    # The generated catalogs were written by Babel, not by `locale update`: one untimed update
    # first gives them the layout a team's catalogs have (and keeps its merged entries), so the
    # timed update after one English edit is the one a translator team waits for every day.
    run([campaignsync, "locale", "update", "--repo", str(repo)], env)
    saved = args.workdir / "locales.saved"
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(repo / "locales", saved)
    original = edited(victim, *change)
    try:
        figures["locale_update"] = run([campaignsync, "locale", "update", "--repo", str(repo)], env)
    finally:
        victim.write_text(original, encoding="utf-8")
        shutil.rmtree(repo / "locales")
        shutil.copytree(saved, repo / "locales")
        shutil.rmtree(saved)
    # Twice, in the order 1 2 2 1: the host's speed drifts by a tenth within minutes, and
    # one run of each, one after the other, put that drift into the ratio. Each mode's
    # faster run counts.
    for round_, order in ((1, (1, 2)), (2, (2, 1))):
        for n in order:
            target = args.workdir / f"dist-jobs{n}"
            shutil.rmtree(target, ignore_errors=True)
            command = [*build[:-2], "--jobs", str(n), "--out", str(target)]
            figures[f"jobs{n}_{round_}"] = run(command, env)
            shutil.rmtree(target, ignore_errors=True)
    for n in (1, 2):
        figures[f"jobs{n}"] = min(figures[f"jobs{n}_1"], figures[f"jobs{n}_2"])
    if shutil.which("hugo") and not args.no_hugo:
        import hugosite

        site = args.workdir / "hugo"
        hugosite.generate(repo, site, ["en", *locales], pseudo)
        public = args.workdir / "hugo-public"
        shutil.rmtree(public, ignore_errors=True)
        hugo = ["hugo", "--quiet", "--source", str(site), "--destination", str(public.resolve())]
        figures["hugo_clean"] = run(hugo)
        figures["hugo_nochange"] = run(hugo)
        figures["hugo_files"] = sum(1 for p in public.rglob("*") if p.is_file())
        if not args.keep:
            shutil.rmtree(public, ignore_errors=True)
    figures["floor"] = markdown_floor(repo, len(locales) + 1)
    files = sum(1 for p in (out / "2026").rglob("*") if p.is_file())
    report(figures, files, (out / "2026.zip").stat().st_size)
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)


def report(f: dict[str, float], files: int, zip_bytes: int) -> None:
    """Print every figure with the ratio that matters for it."""
    clean = f["clean"]
    hugo = f.get("hugo_clean")

    def line(label: str, seconds: float, note: str = "") -> None:
        print(f"{label:34} {seconds:8.2f} s   {note}")

    line("clean build", clean, f"= {clean / hugo:.2f} x Hugo clean" if hugo else "")
    nochange = f["nochange"]
    line(
        "no-change rebuild",
        nochange,
        f"= Hugo no-change / {f['hugo_nochange'] / nochange:.0f}" if hugo else "",
    )
    line("one message changed (with zip)", f["one"], f"= {f['one'] / clean:.3f} x clean build")
    line(
        "one message changed, --no-zip",
        f["one_nozip"],
        f"= {f['one_nozip'] / clean:.3f} x clean build, {f['one_nozip'] / f['one']:.2f} x with zip",
    )
    line("zip made again after --no-zip", f["zip_again"], f"= {f['zip_again'] / clean:.3f} x clean")
    line(
        "preview after a save: pages",
        f["one_warm"],
        f"= {f['one_warm'] / clean:.3f} x clean build (one message, median of 3; the folder first)",
    )
    line("preview after a save: zip after", f["one_warm_zip"], "(made from the zip set aside)")
    line(
        "one message changed, a new time",
        f["one_commit"],
        f"= {f['one_commit'] / clean:.3f} x clean build (as after a commit: each member's time)",
    )
    if "po" in f:
        line("one PO entry changed", f["po"], f"= {f['po'] / clean:.3f} x clean build")
    line(
        "one template changed (X)",
        f["template"],
        f"= {f['template'] / clean:.2f} x clean build (X of every message renders again)",
    )
    line(
        "one channel's settings changed",
        f["channel"],
        f"= {f['channel'] / clean:.2f} x clean build (SMS's segments: SMS of every message)",
    )
    line(
        "calendar changed",
        f["calendar"],
        f"= {f['calendar'] / clean:.3f} x clean build (a blackout day: nothing renders again)",
    )
    line(
        "check, calendar changed",
        f["check_calendar"],
        f"= {f['check_calendar'] / clean:.3f} x clean build (the blackout day, no build)",
    )
    line(
        "locale added (no partner yet)",
        f["locale_added"],
        f"= {f['locale_added'] / clean:.3f} x clean build (`locale add`: nothing renders again)",
    )
    line(
        "check, locale added", f["check_locale"], f"= {f['check_locale'] / clean:.3f} x clean build"
    )
    line(
        "inputs written again unchanged",
        f["touched"],
        f"= {f['touched'] / clean:.4f} x clean build (every input file: up to date by its bytes)",
    )
    line("check, inputs written again", f["check_touched"], "(its last answer, by their bytes)")
    line(
        "config changed",
        f["config"],
        f"= {f['config'] / clean:.2f} x clean build (the site's name: every unit renders again)",
    )
    line(
        "check, cold (no cache)", f["check_cold"], f"= {f['check_cold'] / clean:.2f} x clean build"
    )
    line(
        "check, nothing changed (after build)",
        f["check_warm"],
        f"= {f['check_warm'] / clean:.3f} x clean build",
    )
    line("check, nothing changed (after check)", f["check_again"])
    line("check, after a one-message build", f["check_built"])
    line(
        "check, one message changed (no build)",
        f["check_edit"],
        f"= {f['check_edit'] / clean:.3f} x clean build",
    )
    if "check_po" in f:
        line(
            "check, one PO entry changed (no build)",
            f["check_po"],
            f"= {f['check_po'] / clean:.3f} x clean build",
        )
    line("locale update, one English edit", f["locale_update"])
    runs = [(f[f"jobs1_{r}"], f[f"jobs2_{r}"]) for r in (1, 2)]
    pairs = ", ".join(f"{one:.1f} / {two:.1f} s = {one / two:.2f} x" for one, two in runs)
    line("build --jobs 1 (clean)", f["jobs1"], "(the faster of two runs; order 1 2 2 1)")
    line(
        "build --jobs 2 (clean)",
        f["jobs2"],
        f"= {f['jobs1'] / f['jobs2']:.2f} x faster than --jobs 1 (each round: {pairs})",
    )
    if hugo:
        line("Hugo clean build", hugo, f"({f['hugo_files']:,.0f} files)")
        line("Hugo no-change rebuild", f["hugo_nochange"])
    line("markdown floor", f["floor"], "(every body converted once per locale, one process)")
    for label, key in (("clean build", "peak"), ("one message changed", "peak_one"),
                       ("one template changed", "peak_template"), ("config changed", "peak_config")):  # fmt: skip
        all_of = f.get(key + "_all")
        together = f"; all its processes together {all_of:.0f} MiB" if all_of else ""
        print(f"{'peak memory (' + label + ')':34} {f[key]:8.0f} MiB (largest process{together})")
    print(f"{'pack':34} {files:,} files, zip {zip_bytes / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
