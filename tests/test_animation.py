"""plots.animate: an animation that needs no network and shows a real frame before any script runs
(gan_course.animation.offline_jshtml rewrites matplotlib's to_jshtml player)."""

import base64
import io
import re

import matplotlib.image
import numpy as np
import pytest

from gan_course import plots
from gan_course.animation import ICON_PATHS, offline_jshtml

N_FRAMES = 4


def draw_grey(ax, i):
    """Frame i: the whole image one grey level, i / (N_FRAMES - 1) (0 black ... 1 white)."""
    ax.imshow(np.full((4, 4), float(i)), vmin=0, vmax=N_FRAMES - 1, cmap="gray")
    ax.set_title(f"frame {i}")


def still_image(html: str) -> np.ndarray:
    """The picture in the player's <img src=...>, decoded from its PNG data URI."""
    img = re.search(r'<img id="_anim_img[0-9a-f]+" src="data:image/png;base64,([^"]+)"', html)
    assert img, "the <img> carries no frame"
    return matplotlib.image.imread(io.BytesIO(base64.b64decode(img.group(1))), format="png")


def centre_grey(picture: np.ndarray) -> float:
    height, width = picture.shape[:2]
    return float(picture[height // 2, width // 2, :3].mean())


@pytest.fixture(scope="module")
def player() -> str:
    return plots.animate(draw_grey, N_FRAMES, figsize=(3, 2), interval=100, dpi=40).data


def test_no_url_at_all(player):
    assert re.findall(r"https?://\S+", player) == []
    assert "font-awesome" not in player and 'class="fa ' not in player


def test_buttons_are_inline_svg(player):
    buttons = re.findall(r"<button [^>]*>\s*(.*?)</button>", player, flags=re.S)
    assert len(buttons) == 9  # slower, first, previous, reverse, pause, play, next, last, faster
    assert all(button.startswith("<svg ") and "<path d=" in button for button in buttons)


def test_still_frame_is_the_last_frame_by_default(player):
    picture = still_image(player)
    assert picture.shape[:2] == (2 * 40, 3 * 40)  # figsize x dpi
    assert centre_grey(picture) == pytest.approx(1.0, abs=0.02)  # frame 3 of 0..3: white
    assert 'alt="animation, frame 4 of 4' in player


@pytest.mark.parametrize("still", [0, 1, -2])
def test_still_frame_is_the_one_asked_for(still):
    html = plots.animate(draw_grey, N_FRAMES, figsize=(3, 2), dpi=40, still=still).data
    index = still % N_FRAMES
    assert centre_grey(still_image(html)) == pytest.approx(index / (N_FRAMES - 1), abs=0.02)


def test_the_player_still_plays(player):
    """The JavaScript player is intact: every frame embedded, and the script that swaps them."""
    assert len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', player)) == N_FRAMES
    assert "Animation.prototype.play_animation" in player and "new Animation(frames" in player


def test_rewrite_is_idempotent_and_leaves_other_html_alone(player):
    assert offline_jshtml(player) == player
    other = '<link rel="stylesheet" href="https://example.org/x.css"><p>a table</p>'
    assert offline_jshtml(other) == other


def test_bad_still_frame_says_what_to_do():
    with pytest.raises(ValueError, match="still=4 but the animation has 4 frames"):
        plots.animate(draw_grey, N_FRAMES, figsize=(3, 2), dpi=40, still=4)


def test_unknown_icon_is_an_error():
    html = ('frames[0] = "data:image/png;base64,AAAA"\n<img id="_anim_img0a">'
            '<button><i class="fa fa-rocket"></i></button>')
    with pytest.raises(ValueError, match="fa-rocket"):
        offline_jshtml(html)
    assert "rocket" not in ICON_PATHS
