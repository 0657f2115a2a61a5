"""Render the chapter notebooks to reveal.js decks that work with no network.

    .venv/bin/python tools/slides.py                          # every chapters/NN_*.ipynb
    .venv/bin/python tools/slides.py [--out DIR] NOTEBOOK ... # just these

Each notebook becomes build/slides/NN_name.slides.html, rendered from the outputs saved in it
(nothing is executed: re-run a chapter in JupyterLab first to refresh its figures). The browser
files a deck loads (reveal.js, MathJax 2, require.js, jQuery) come from npm, pinned in
package.json, and are copied next to the decks, so a deck opens straight from disk.

The slides are 1280x720 (16:9, a projector's shape) and tools/slides.html.j2 sizes the type for
that frame; `make test-slides` measures that every slide's content fits it. Animations saved by
`gan_course.plots.animate` are passed through `gan_course.animation.offline_jshtml`, so those of
an older run play offline too.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from nbconvert.exporters import SlidesExporter
from traitlets.config import Config

from gan_course.animation import offline_jshtml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "slides"
NODE_MODULES = ROOT / "node_modules"
TEMPLATE = ROOT / "tools" / "slides.html.j2"

# What the decks load: node_modules/<source> -> build/slides/<target>. MathJax is 73 MB; the
# TeX-AMS_CHTML-full configuration needs 1.6 MB of it (WOFF fonts only, CommonHTML output only).
ASSETS = {
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "requirejs/require.js": "require.js",
    "jquery/dist/jquery.min.js": "jquery.min.js",
    "mathjax/MathJax.js": "mathjax/MathJax.js",
    "mathjax/config/TeX-AMS_CHTML-full.js": "mathjax/config/TeX-AMS_CHTML-full.js",
    "mathjax/config/Safe.js": "mathjax/config/Safe.js",
    "mathjax/extensions": "mathjax/extensions",
    "mathjax/jax/input/TeX": "mathjax/jax/input/TeX",
    "mathjax/jax/element/mml": "mathjax/jax/element/mml",
    "mathjax/jax/output/CommonHTML": "mathjax/jax/output/CommonHTML",
    "mathjax/fonts/HTML-CSS/TeX/woff": "mathjax/fonts/HTML-CSS/TeX/woff",
}
SKIP = shutil.ignore_patterns("*.map", "*.esm.js", "a11y", "HTML-CSS")

# Paths relative to the deck. `locale=en` stops MathJax fetching translations for the viewer's
# browser language. The frame: reveal.js scales a 1280x720 slide to the window.
EXPORTER_OPTIONS = {
    "template_file": str(TEMPLATE),
    "reveal_url_prefix": "reveal.js",
    "reveal_theme": "white",
    "reveal_width": "1280",
    "reveal_height": "720",
    "require_js_url": "require.js",
    "jquery_url": "jquery.min.js",
    "mathjax_url": "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe&locale=en",
}
REMOVE_INPUT_TAG = "remove-input"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def fail(message: str) -> None:
    sys.exit(f"tools/slides.py: {message}")


def install_npm_packages() -> None:
    installed = NODE_MODULES / ".package-lock.json"  # written by npm ci
    lock = ROOT / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        fail("npm is not installed; it fetches reveal.js and MathJax (Debian: apt-get install npm)")
    print("npm ci (reveal.js, MathJax 2, require.js, jQuery)", flush=True)
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


def copy_assets(out: Path) -> None:
    for source, target in ASSETS.items():
        src, dst = NODE_MODULES / source, out / target
        if not src.exists():
            fail(f"{src} is missing: delete node_modules/ and run again")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=SKIP, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def render(notebooks: list[Path], out: Path) -> None:
    config = Config()
    config.SlidesExporter.update(EXPORTER_OPTIONS)
    # A code cell tagged `remove-input` shows only its output in the decks (a figure whose
    # plotting code would not fit beside it); the notebook still shows both.
    config.TagRemovePreprocessor.update(enabled=True, remove_input_tags={REMOVE_INPUT_TAG})
    # A deck has no live kernel, so no widget can draw itself: an output that also carries a
    # still image (the playground's panel) shows that image instead of an empty widget.
    # nbconvert's own order, with the widget moved from first to just before plain text.
    priority = [t for t in SlidesExporter().default_config.NbConvertBase.display_data_priority
                if t != WIDGET_VIEW]
    priority.insert(priority.index("text/plain"), WIDGET_VIEW)
    config.NbConvertBase.display_data_priority = priority
    exporter = SlidesExporter(config=config)
    exporter.register_filter("offline_animation", offline_jshtml)
    for notebook in notebooks:
        if not notebook.exists():
            fail(f"{notebook} does not exist: give the path of a .ipynb file")
        deck = out / f"{notebook.stem}.slides.html"
        html, _ = exporter.from_filename(str(notebook))
        partial = deck.with_name(deck.name + ".part")  # a deck is replaced whole, never half-written
        partial.write_text(html, encoding="utf-8")
        partial.replace(deck)
        print(f"{notebook.name} -> {deck}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: chapters/NN_*.ipynb")
    parser.add_argument("--out", type=Path, default=OUT, help="default: build/slides")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted(ROOT.glob("chapters/[0-9][0-9]_*.ipynb"))
    if not notebooks:
        fail("no notebooks found: expected chapters/NN_name.ipynb")
    install_npm_packages()
    copy_assets(args.out)
    render(notebooks, args.out)
    print(f"{len(notebooks)} deck(s) in {args.out}: open one in a browser, no server needed")


if __name__ == "__main__":
    main()
