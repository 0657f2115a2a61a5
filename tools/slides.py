"""Render the chapter notebooks to reveal.js decks that work with no network.

    .venv/bin/python tools/slides.py                          # every chapters/NN_*.ipynb
    .venv/bin/python tools/slides.py [--out DIR] NOTEBOOK ... # just these

Each notebook becomes build/slides/NN_name.slides.html, rendered from the outputs saved in it
(nothing is executed: re-run a chapter in JupyterLab first to refresh its figures). The browser
files a deck loads (reveal.js, MathJax 2, require.js, jQuery, Font Awesome) come from npm, pinned
in package.json, and are copied next to the decks, so a deck opens straight from disk.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

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
    "font-awesome/css": "font-awesome/css",
    "font-awesome/fonts/fontawesome-webfont.woff2": "font-awesome/fonts/fontawesome-webfont.woff2",
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
# browser language.
NBCONVERT_OPTIONS = [
    f"--template-file={TEMPLATE}",
    "--SlidesExporter.reveal_url_prefix=reveal.js",
    "--SlidesExporter.reveal_theme=white",
    "--SlidesExporter.require_js_url=require.js",
    "--SlidesExporter.jquery_url=jquery.min.js",
    "--SlidesExporter.mathjax_url=mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe&locale=en",
    "--SlidesExporter.font_awesome_url=font-awesome/css/font-awesome.min.css",
]


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
    print("npm ci (reveal.js, MathJax 2, require.js, jQuery, Font Awesome)", flush=True)
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
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "slides", "--log-level=WARN"]
    command += NBCONVERT_OPTIONS + [f"--output-dir={out}"] + [str(nb) for nb in notebooks]
    subprocess.run(command, check=True)
    for notebook in notebooks:
        print(f"{notebook.name} -> {out / notebook.stem}.slides.html")


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
