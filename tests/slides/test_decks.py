"""The instructor decks, opened in headless Chromium with the network cut off.

`make test-slides` runs this after `make slides`; the unit-test run leaves tests/slides out. Each
deck in build/slides/ must reach reveal.js's `ready` state, show one slide per slide/subslide cell
of its notebook, typeset all its maths, and ask for nothing beyond the local files. Screenshots of
the title slide and of the first slide with maths are saved next to the decks for a person to
check. tests/slides/sample.ipynb gets the same checks, so they run before any chapter exists.
"""

import json
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SLIDES = ROOT / "build" / "slides"
CHAPTERS = sorted(ROOT.glob("chapters/[0-9][0-9]_*.ipynb"))
SAMPLE = Path(__file__).with_name("sample.ipynb")
CHROMIUM = "/usr/bin/chromium"
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}

# No request can leave: every hostname resolves to nothing and every proxied request goes to a
# closed local port. What the deck tried to fetch is read back from Chromium's net log.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=15000", "--window-size=1280,720",
]
# TeX that MathJax left as text: $...$, $$, \command, or MathJax's own error message.
RAW_TEX = re.compile(r"\$\$|\$[^$\s][^$]*\$|\\[A-Za-z]+|Math Processing Error")


def slide_types(notebook: Path) -> list[str]:
    nb = nbformat.read(notebook, as_version=4)
    return [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]


def expected_slides(notebook: Path) -> tuple[int, int]:
    """(horizontal slides, all slides) as nbconvert's reveal exporter builds them: the first cell
    that is neither skip nor notes always opens a slide; later `slide` cells open a slide, and
    `slide` or `subslide` cells a vertical sub-slide; `-` and `fragment` cells join the slide
    above, `skip` cells vanish and `notes` cells become speaker notes."""
    shown = [kind for kind in slide_types(notebook) if kind not in ("skip", "notes")]
    later = shown[1:]
    return 1 + later.count("slide"), 1 + sum(kind in ("slide", "subslide") for kind in later)


def has_maths(notebook: Path) -> bool:
    nb = nbformat.read(notebook, as_version=4)
    return any(
        "$" in cell.source
        for cell in nb.cells
        if cell.cell_type == "markdown"
        and cell.metadata.get("slideshow", {}).get("slide_type") not in ("skip", "notes")
    )


class Deck(HTMLParser):
    """What a deck's rendered DOM shows: slides, typeset maths and visible text."""

    HIDDEN = {"script", "style", "pre", "code", "aside", "textarea", "title"}

    def __init__(self, dom: str):
        super().__init__()
        self.ready = False
        self.slides = self.subslides = 0  # <section> at depth 1 and 2
        self.maths = self.maths_sources = 0  # MathJax output frames, <script type="math/tex">
        self.first_maths_slide = None  # reveal.js "h/v" address
        self.text = []
        self._depth = 0
        self._sub = -1  # sub-slide index within the current slide
        self._hidden = None  # [tag, nesting] of the hidden element we are inside
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and "reveal" in classes:
            self.ready = "ready" in classes
        if tag == "section":
            self._depth += 1
            if self._depth == 1:
                self.slides += 1
                self._sub = -1
            else:
                self.subslides += 1
                self._sub += 1
        if "MathJax_CHTML" in classes:
            self.maths += 1
            self.first_maths_slide = self.first_maths_slide or f"{self.slides - 1}/{self._sub}"
        if tag == "script" and (attrs.get("type") or "").startswith("math/tex"):
            self.maths_sources += 1
        if self._hidden:
            self._hidden[1] += tag == self._hidden[0]
        elif tag in self.HIDDEN or "MJX_Assistive_MathML" in classes:
            self._hidden = [tag, 1]

    def handle_endtag(self, tag):
        self._depth -= tag == "section"
        if self._hidden and tag == self._hidden[0]:
            self._hidden[1] -= 1
            if not self._hidden[1]:
                self._hidden = None

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)

    def raw_tex(self) -> list[str]:
        return RAW_TEX.findall(" ".join(self.text))


def chromium(url: str, *args: str) -> tuple[str, list[str]]:
    """Run headless Chromium on `url`: what it prints, and the requests the page tried to send."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-slides` installs Debian's chromium")
    with tempfile.TemporaryDirectory() as profile:
        net_log = Path(profile) / "netlog.json"
        command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--log-net-log={net_log}", *args, url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout, requests_sent(net_log)


def requests_sent(net_log: Path) -> list[str]:
    """The http(s)/ws(s) requests in a Chromium net log that came from the page. Chromium's own
    background fetches (update checks, account lookups) have no initiating origin and are left
    out; the deck's have the file:// page as initiator and top frame."""
    log = json.loads(net_log.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params", {})
        if event["type"] != start_job or "url" not in params:
            continue
        top_frame = params.get("network_isolation_key", "")
        if params.get("initiator") == "not an origin" and not top_frame.startswith("file://"):
            continue  # Chromium's own
        if urlsplit(params["url"]).hostname not in ("localhost", "127.0.0.1"):
            urls.append(params["url"])
    return urls


def static_references(deck: Path) -> list[str]:
    """src/href/url() in the deck that load something, other than embedded data or files that
    exist next to it (hyperlinks are fine: they load nothing until clicked)."""
    html = deck.read_text()
    refs = re.findall(r"<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b"
                      r"(?:src|href)=[\"']([^\"']+)", html)
    refs += re.findall(r"(?:@import\s+|url\()[\"']?([^\"')\s]+)", html)
    bad = []
    for ref in refs:
        if ref.startswith(("data:", "#")):
            continue
        if urlsplit(ref).scheme or ref.startswith("//"):
            bad.append(ref)
        elif not (deck.parent / urlsplit(ref).path).exists():
            bad.append(f"{ref} (missing)")
    return bad


def check_deck(deck: Path, notebook: Path, screenshots: Path) -> Deck:
    """Every check on one deck; saves NAME.title.png and NAME.maths.png in `screenshots`."""
    assert deck.exists(), f"{deck} is missing: run `make slides`"
    assert deck.stat().st_mtime >= notebook.stat().st_mtime, f"{deck} is stale: run `make slides`"
    assert static_references(deck) == [], "the deck loads files from elsewhere"

    dom, sent = chromium(deck.as_uri(), "--dump-dom")
    assert sent == [], f"the deck tried to reach the network: {sent}"
    shown = Deck(dom)
    assert shown.ready, "reveal.js did not start (class 'ready' missing)"
    assert (shown.slides, shown.subslides) == expected_slides(notebook), "(slides, sub-slides)"
    assert shown.maths == shown.maths_sources, "MathJax did not finish typesetting"
    assert shown.raw_tex() == [], f"TeX left untypeset: {shown.raw_tex()}"
    assert shown.maths > 0 or not has_maths(notebook), "no maths typeset"

    stem = deck.name.removesuffix(".slides.html")
    shots = {"title": "0/0", "maths": shown.first_maths_slide}
    for name, address in shots.items():
        if address:
            png = screenshots / f"{stem}.{name}.png"
            _, sent = chromium(f"{deck.as_uri()}#/{address}", f"--screenshot={png}")
            assert sent == [], f"the deck tried to reach the network: {sent}"
    return shown


@pytest.fixture(scope="session")
def sample_deck(tmp_path_factory) -> Path:
    """The fixture notebook rendered by tools/slides.py into a folder of its own."""
    out = tmp_path_factory.mktemp("slides")
    subprocess.run([sys.executable, ROOT / "tools" / "slides.py", "--out", out, SAMPLE],
                   check=True, capture_output=True)
    return out / "sample.slides.html"


@pytest.mark.parametrize("notebook", CHAPTERS + [SAMPLE], ids=lambda path: path.stem)
def test_every_cell_has_slide_metadata(notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    kinds = slide_types(notebook)
    assert [n for n, kind in enumerate(kinds) if kind not in SLIDE_TYPES] == [], (
        f"cells (by index) without a slideshow.slide_type in {SLIDE_TYPES}"
    )
    assert kinds[0] == "slide" and cells[0].source.startswith("# "), (
        "the first cell must be the title slide: a markdown `# Title` of type slide"
    )
    exercises = [n for n, cell in enumerate(cells)
                 if cell.cell_type == "markdown" and re.match(r"#+ .*Exercise", cell.source)]
    assert [n for n in exercises if kinds[n] not in ("slide", "subslide")] == [], (
        "exercise cells (by index) must start their own slide or sub-slide"
    )


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_deck(notebook):
    check_deck(SLIDES / f"{notebook.stem}.slides.html", notebook, screenshots=SLIDES)
    assert (SLIDES / f"{notebook.stem}.title.png").exists()


def test_sample_deck(sample_deck):
    shown = check_deck(sample_deck, SAMPLE, screenshots=sample_deck.parent)
    assert (shown.slides, shown.subslides, shown.maths) == (3, 5, 3)
    assert shown.first_maths_slide == "1/0"
    assert (sample_deck.parent / "sample.maths.png").stat().st_size > 10_000


def test_checks_catch_a_cdn_script(sample_deck):
    """The offline checks are only worth something if they fail on a deck that fetches a script."""
    deck = sample_deck.with_name("cdn.slides.html")
    cdn = "https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js"
    deck.write_text(sample_deck.read_text().replace('src="jquery.min.js"', f'src="{cdn}"'))
    assert static_references(deck) == [cdn]
    assert chromium(deck.as_uri(), "--dump-dom")[1] == [cdn]


def test_checks_catch_untypeset_maths(sample_deck):
    deck = sample_deck.with_name("nomaths.slides.html")
    deck.write_text(sample_deck.read_text().replace("mathjax/MathJax.js", "missing/MathJax.js"))
    shown = Deck(chromium(deck.as_uri(), "--dump-dom")[0])
    assert shown.ready and shown.maths == 0
    assert "$$" in shown.raw_tex()


def test_mathjax_copy_stays_small(sample_deck):
    files = (sample_deck.parent / "mathjax").rglob("*")
    size = sum(f.stat().st_size for f in files if f.is_file())
    assert size < 3_000_000, f"MathJax copy is {size / 1e6:.1f} MB: prune ASSETS in tools/slides.py"
