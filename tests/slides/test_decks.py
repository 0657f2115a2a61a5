"""The instructor decks, opened in headless Chromium with the network cut off.

`make test-slides` runs this after `make slides`; the unit-test run leaves tests/slides out. Each
deck in build/slides/ must reach reveal.js's `ready` state, show one slide per slide/subslide cell
of its notebook, typeset all its maths, ask for nothing beyond the local files, fit every slide in
its frame at 1280x720 (fit.js measures it), and play its animations. Screenshots of the title
slide and of the first slide with maths are saved next to the decks for a person to check.
tests/slides/sample.ipynb gets the same checks, so they run before any chapter exists; decks made
to fail (a CDN script, no MathJax, slides that overflow) show that each check can fail.
"""

import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from browser import Browser  # noqa: E402 (tests/ is not a package)

ROOT = Path(__file__).resolve().parents[2]
SLIDES = ROOT / "build" / "slides"
CHAPTERS = sorted(ROOT.glob("chapters/[0-9][0-9]_*.ipynb"))
SAMPLE = Path(__file__).with_name("sample.ipynb")
FIT_JS = Path(__file__).with_name("fit.js").read_text()
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
READY = "document.querySelector('.reveal.ready')"
REVEAL = "require('reveal.js/dist/reveal.js')"
# MathJax 2 typesets the page on its own startup queue, which Hub.Queue does not wait for: a
# callback queued before the startup posts "End" can run while every formula still shows its TeX
# preview (seen once in CI). Wait for "End", then for whatever the deck queued after it.
MATHJAX_STARTED = "!window.MathJax || !MathJax.Hub || MathJax.Hub.Startup.signal.posted.includes('End')"
MATHJAX_DONE = "new Promise(done => window.MathJax ? MathJax.Hub.Queue(done) : done())"
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

    def raw_tex_context(self) -> str:
        """The visible text around the first TeX shown as text, to tell where it is."""
        text = " ".join(self.text)
        found = RAW_TEX.search(text)
        return "" if found is None else " ".join(text[max(found.start() - 150, 0):found.end() + 150].split())


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium, offline, 1280x720, for every deck of this module."""
    with Browser(width=1280, height=720) as opened:
        yield opened


def open_deck(browser: Browser, deck: Path, address: str = "") -> "Deck":
    """Load `deck` (at reveal.js address `h/v`), wait for reveal.js and MathJax; what it shows."""
    url = f"{deck.as_uri()}#/{address}" if address else deck.as_uri()
    # Seen in CI (twice, chapter 01's learning goals, never locally): every formula MathJax had found
    # was typeset, yet some TeX was still shown as text. Look again every 0.5 s; after 15 s load
    # the deck once more; only TeX that stays untypeset through both loads fails the test.
    for attempt in range(60):
        if attempt % 30 == 0:
            browser.open(url, until=READY)
            browser.wait_for(MATHJAX_STARTED)
        browser.evaluate(MATHJAX_DONE)
        shown = Deck(browser.dom())
        if not shown.raw_tex():
            break
        time.sleep(0.5)
    return shown


def fit_problems(browser: Browser, notebook: Path) -> list[str]:
    """What fit.js finds on the deck open in `browser`: one line per slide that does not fit its
    frame or box that hides part of its content, naming the notebook cell by index."""
    cells = nbformat.read(notebook, as_version=4).cells
    where = {cell.get("id"): n for n, cell in enumerate(cells)}
    lines = []
    for problem in browser.evaluate(f"({FIT_JS})()"):
        n = where.get(problem["cell"])
        first = cells[n].source.splitlines()[0][:60] if n is not None and cells[n].source else "?"
        cell = f"cell {n} `{first}`"
        if problem["kind"].startswith("clipped"):
            side = "on the right" if problem["kind"] == "clipped-x" else "at the bottom"
            long = "; ".join(f"`{line[:70]}`" for line in problem["lines"])
            what = f"{problem['part']} hidden {problem['px']} px {side}"
            what += f", too long: {long}" if long else ""
        else:
            heights = ", ".join(f"{where.get(cell)}: {px}" for cell, px in problem["cells"])
            what = (f"content {problem['px']} px beyond the frame's {problem['kind']} edge "
                    f"(px tall, by cell: {heights})")
        lines.append(f"slide {problem['slide']}, {cell}: {what}")
    return lines


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


def check_deck(browser: Browser, deck: Path, notebook: Path, screenshots: Path) -> "Deck":
    """Every check on one deck; saves NAME.title.png and NAME.maths.png in `screenshots`."""
    assert deck.exists(), f"{deck} is missing: run `make slides`"
    assert deck.stat().st_mtime >= notebook.stat().st_mtime, f"{deck} is stale: run `make slides`"
    assert static_references(deck) == [], "the deck loads files from elsewhere"

    shown = open_deck(browser, deck)
    assert browser.requests == [], f"the deck tried to reach the network: {browser.requests}"
    assert shown.ready, "reveal.js did not start (class 'ready' missing)"
    assert (shown.slides, shown.subslides) == expected_slides(notebook), "(slides, sub-slides)"
    assert shown.maths == shown.maths_sources, "MathJax did not finish typesetting"
    assert shown.raw_tex() == [], f"TeX left untypeset: {shown.raw_tex()} in: {shown.raw_tex_context()}"
    assert shown.maths > 0 or not has_maths(notebook), "no maths typeset"
    problems = fit_problems(browser, notebook)
    assert browser.errors == [], f"JavaScript errors: {browser.errors}"

    stem = deck.name.removesuffix(".slides.html")
    shots = {"title": "0/0", "maths": shown.first_maths_slide}
    for name, address in shots.items():
        if address:
            open_deck(browser, deck, address)
            browser.screenshot(screenshots / f"{stem}.{name}.png")
            assert browser.requests == [], f"the deck tried to reach the network: {browser.requests}"
    assert problems == [], (f"{len(problems)} slide(s) of {deck.name} do not fit 1280x720 "
                            "(split the cell onto a sub-slide, shorten the line):\n" + "\n".join(problems))
    return shown


def check_animation(browser: Browser, deck: Path) -> None:
    """The deck's first `to_jshtml` animation shows a frame with scripts off, and with scripts on
    pressing its play button moves the slider and changes the picture, with no network."""
    browser.open(deck.as_uri(), scripts=False)
    still = browser.evaluate("(img => img && img.complete && img.naturalWidth > 0 && img.src)"
                             "(document.querySelector('.animation img'))")
    assert still and still.startswith("data:image/png;base64,"), "no frame shown without scripts"

    open_deck(browser, deck)
    address = browser.evaluate(f"(R => {{ const s = document.querySelector('.animation').closest('section');"
                               f" const i = R.getIndices(s); R.configure({{transition: 'none'}});"
                               f" R.slide(i.h, i.v || 0); return `${{i.h}}/${{i.v || 0}}`; }})({REVEAL})")
    frame = "document.querySelector('.animation input.anim-slider').valueAsNumber"
    image = "document.querySelector('.animation img').src"
    first, first_image = browser.evaluate(frame), browser.evaluate(image)
    browser.click(".animation button[title='Play']")
    browser.wait_for(f"{frame} > {first}", timeout=10)
    assert browser.evaluate(image) != first_image, f"slide {address}: the picture did not change"
    assert browser.requests == [], f"the animation reached for the network: {browser.requests}"


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
def test_chapter_deck(browser, notebook):
    deck = SLIDES / f"{notebook.stem}.slides.html"
    if deck.exists() and 'class="animation"' in deck.read_text():
        check_animation(browser, deck)
    check_deck(browser, deck, notebook, screenshots=SLIDES)
    assert (SLIDES / f"{notebook.stem}.title.png").exists()


def test_sample_deck(browser, sample_deck):
    shown = check_deck(browser, sample_deck, SAMPLE, screenshots=sample_deck.parent)
    assert (shown.slides, shown.subslides, shown.maths) == (3, 5, 3)
    assert shown.first_maths_slide == "1/0"
    assert (sample_deck.parent / "sample.maths.png").stat().st_size > 10_000
    open_deck(browser, sample_deck)
    where = f"(i => `${{i.h}}/${{i.v || 0}}`)({REVEAL}.getIndices())"
    # the keys a presenter uses: → next slide, ↓ first shows slide 1's fragment, then its sub-slide
    for key, key_code, address, fragments in [("ArrowRight", 39, "1/0", 0), ("ArrowDown", 40, "1/0", 1),
                                              ("ArrowDown", 40, "1/1", 1)]:
        browser.press(key, key_code=key_code)
        assert browser.wait_for(f"{where} === '{address}' && {where}", timeout=5) == address
        assert browser.evaluate("document.querySelectorAll('.fragment.visible').length") == fragments


def test_sample_animation_plays_offline(browser, sample_deck):
    """The sample's animation is matplotlib's own to_jshtml (Font Awesome from a CDN, no frame in
    its <img>): the decks rewrite it to play offline and to show a frame without scripts."""
    assert "font-awesome" in nbformat.read(SAMPLE, as_version=4).cells[6].outputs[0].data["text/html"]
    assert "font-awesome" not in sample_deck.read_text()
    check_animation(browser, sample_deck)


def render_deck(tmp_path: Path, name: str, cells: list, slides: bool = True) -> Path:
    """Write ``cells`` as the notebook ``name`` (each a slide of its own if ``slides``), render
    it with tools/slides.py into ``tmp_path`` and return the deck."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    if slides:
        for n, cell in enumerate(cells):
            cell.id, cell.metadata["slideshow"] = f"cell-{n}", {"slide_type": "slide"}
    source = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, source)
    subprocess.run([sys.executable, ROOT / "tools" / "slides.py", "--out", tmp_path, source],
                   check=True, capture_output=True)
    return tmp_path / f"{name}.slides.html"


def test_slides_are_centred_once_their_maths_is_back(browser, tmp_path):
    """MathJax typesets slides that reveal.js keeps hidden (beyond its view distance of 3) at the
    wrong size, and the deck typesets a slide again when it is shown: reveal.js must then centre
    the slide on its height with the maths at their true size."""
    maths = "\n\n".join(f"$$ \\sum_{{i=1}}^{{{n}}} \\frac{{x_i^2}}{{\\sigma_i^2}} = {n} $$" for n in range(6))
    cells = [nbformat.v4.new_markdown_cell(f"# Slide {n}") for n in range(5)]
    cells.append(nbformat.v4.new_markdown_cell("## Far away\n\n" + maths))
    open_deck(browser, render_deck(tmp_path, "far", cells))
    top, height = browser.evaluate(f"""new Promise(done => {{
        const R = {REVEAL};
        MathJax.Hub.Register.MessageHook("End Rerender", () => setTimeout(() =>
            done([parseFloat(R.getCurrentSlide().style.top), R.getCurrentSlide().scrollHeight]), 100));
        R.configure({{transition: "none"}});
        R.slide(5, 0);
    }})""")
    assert height > 300 and top == pytest.approx(max((720 - height) / 2, 0), abs=1)


def test_checks_catch_a_cdn_script(browser, sample_deck):
    """The offline checks are only worth something if they fail on a deck that fetches a script."""
    deck = sample_deck.with_name("cdn.slides.html")
    cdn = "https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js"
    deck.write_text(sample_deck.read_text().replace('src="jquery.min.js"', f'src="{cdn}"'))
    assert static_references(deck) == [cdn]
    browser.open(deck.as_uri(), until=READY)
    assert browser.requests == [cdn]


def test_checks_catch_untypeset_maths(browser, sample_deck):
    deck = sample_deck.with_name("nomaths.slides.html")
    deck.write_text(sample_deck.read_text().replace("mathjax/MathJax.js", "missing/MathJax.js"))
    shown = open_deck(browser, deck)
    assert shown.ready and shown.maths == 0
    assert "$$" in shown.raw_tex()


def test_fit_check_catches_overflow(browser, tmp_path):
    """A deck made to overflow: a title slide too tall for the frame, a code line and a printed
    line too long for it. fit.js must name each, with the cell and the line to shorten."""
    long_code = "total = " + " + ".join(f"value_{n:03d}" for n in range(20))  # 238 characters
    long_print = "x" * 30 + " " + "y" * 170  # one printed line of 201 characters
    cells = [
        nbformat.v4.new_markdown_cell("# Too long\n\n" + "\n".join(f"- goal {n}" for n in range(40))),
        nbformat.v4.new_code_cell(long_code, outputs=[nbformat.v4.new_output(
            "stream", name="stdout", text=long_print + "\n")]),
    ]
    open_deck(browser, render_deck(tmp_path, "overflow", cells))
    problems = browser.evaluate(f"({FIT_JS})()")
    by_kind = {(p["slide"], p["kind"], p.get("part")): p for p in problems}
    assert set(by_kind) == {("0/0", "bottom", None), ("1/0", "clipped-x", "code"),
                            ("1/0", "clipped-x", "output")}, problems
    # 40 list items of 20 px type are at least 40 * 20 px tall: 800 px against a 720 px frame
    assert by_kind["0/0", "bottom", None]["px"] > 800 - 720
    assert by_kind["0/0", "bottom", None]["cell"] == "cell-0"
    # monospace glyphs are 0.6 em wide: 238 characters at 16 px are over 2200 px in a 1280 px frame
    assert by_kind["1/0", "clipped-x", "code"]["px"] > 238 * 16 * 0.55 - 1280
    assert by_kind["1/0", "clipped-x", "code"]["lines"] == [long_code]
    assert by_kind["1/0", "clipped-x", "output"]["lines"] == [long_print]
    first = fit_problems(browser, tmp_path / "overflow.ipynb")[0]
    assert first.startswith("slide 0/0, cell 0 `# Too long`: content ")


def test_remove_input_tag_leaves_the_output(tmp_path):
    """A code cell tagged `remove-input` keeps its output in the deck but not its code."""
    cells = [nbformat.v4.new_code_cell(f"print('shown {n}')  # code {n}", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=f"printed {n}\n")]) for n in range(2)]
    cells[1].metadata["tags"] = ["remove-input"]
    html = render_deck(tmp_path, "tagged", cells, slides=False).read_text()
    assert "printed 0" in html and "code 0" in html
    assert "printed 1" in html and "code 1" not in html


def test_mathjax_copy_stays_small(sample_deck):
    files = (sample_deck.parent / "mathjax").rglob("*")
    size = sum(f.stat().st_size for f in files if f.is_file())
    assert size < 3_000_000, f"MathJax copy is {size / 1e6:.1f} MB: prune ASSETS in tools/slides.py"
