"""Matplotlib's JavaScript animation player, made to work with no network and no JavaScript.

`matplotlib.animation.Animation.to_jshtml` writes an HTML player whose buttons are Font Awesome
icons loaded from a CDN (offline, or on a repository's page, the buttons are blank) and whose
``<img>`` has no ``src`` until a script sets it (where scripts do not run it shows nothing).
`offline_jshtml` rewrites that HTML: the stylesheet link goes, each icon becomes a small inline
SVG, and the ``<img>`` carries one frame as its ``src``. `plots.animate` applies it to every
animation, and tools/slides.py to the animations already saved in a notebook.
"""

import re

# 16x16 shapes in the spirit of the Font Awesome 4 icons that to_jshtml names.
ICON_PATHS = {
    "minus": "M3 7h10v2H3z",
    "plus": "M7 3h2v4h4v2H9v4H7V9H3V7h4z",
    "play": "M4 2l10 6-10 6z",
    "play fa-flip-horizontal": "M12 2L2 8l10 6z",
    "pause": "M4 2h3v12H4zM9 2h3v12H9z",
    "step-forward": "M3 2l8 6-8 6zM11 2h2v12h-2z",
    "step-backward": "M13 2L5 8l8 6zM3 2h2v12H3z",
    "fast-forward": "M1 2l6 6-6 6zM7 2l6 6-6 6zM13 2h2v12h-2z",
    "fast-backward": "M15 2L9 8l6 6zM9 2L3 8l6 6zM1 2h2v12H1z",
}
FONT_AWESOME_LINK = re.compile(r"<link\b[^>]*font-awesome[^>]*>\s*")
ICON = re.compile(r'<i class="fa fa-([a-z -]+)"></i>')
FRAME = re.compile(r'frames\[(\d+)\] = "(data:image/[a-z+]+;base64,[^"]*)"')
BARE_IMG = re.compile(r'<img id="(_anim_img[0-9a-f]+)">')


def _svg(match: re.Match) -> str:
    name = match.group(1)
    if name not in ICON_PATHS:
        raise ValueError(f"unknown animation button icon 'fa-{name}': add its shape to ICON_PATHS")
    return (f'<svg width="14" height="14" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true">'
            f'<path d="{ICON_PATHS[name]}"/></svg>')


def offline_jshtml(html: str, still: int = -1) -> str:
    """`html` from ``to_jshtml()`` with no URL in it and frame `still` (default: the last) shown
    before any script runs. Other HTML, and HTML already rewritten, come back unchanged."""
    frames = {int(n): data.replace("\\\n", "") for n, data in FRAME.findall(html)}
    if not frames or "_anim_img" not in html:
        return html
    order = sorted(frames)
    if not -len(order) <= still < len(order):
        raise ValueError(f"still={still} but the animation has {len(order)} frames: pick one of them")
    index = order[still]
    alt = f"animation, frame {index + 1} of {len(order)} (press play to run it)"
    html = FONT_AWESOME_LINK.sub("", html)
    html = ICON.sub(_svg, html)
    return BARE_IMG.sub(lambda m: f'<img id="{m.group(1)}" src="{frames[index]}" alt="{alt}">', html)
