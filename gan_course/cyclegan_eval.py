"""Chapter 11's measures: does a translation keep its content, and does it look like its target?

On the test digits, where each digit a comes with its own thickened copy b (the true translation,
never shown in training), :func:`scores` measures

- **content**: the course's MNIST classifier reads the translation G_AB(a) (and G_BA(b)); the
  share read as the source digit's label. The classifier reads the real thickened copies of the
  first 5,000 test digits right 94.9 % of the time, the ceiling of ``content_ab``;
- **domain**: the classifier FID (chapter 08) of the translations G_AB(a) to the real B digits
  (and of G_BA(b) to the real A digits): low when the translations look like the target domain;
- **cycle**: the mean absolute pixel error of the round trips, |G_BA(G_AB(a)) - a| and
  |G_AB(G_BA(b)) - b|, averaged (pixels in [-1, 1]);
- **identity**: |G_AB(b) - b| and |G_BA(a) - a| averaged: how much a translator changes an
  image that is already in its target domain.
"""

from functools import lru_cache

import numpy as np
import torch

from gan_course import cyclegan, evaluation, metrics, plots
from gan_course.runtime import outputs_in_chunks as translate  # G.ab or G.ba on images, eval mode


def ink(images: torch.Tensor) -> torch.Tensor:
    """Each image's share of ink: the mean of (x + 1) / 2 over its pixels (0 blank, 1 all ink)."""
    return ((images + 1) / 2).flatten(1).mean(1)


def round_trips(G, pairs: torch.Tensor) -> dict[str, torch.Tensor]:
    """For test pairs (a, b): the translations and the round trips."""
    a, b = pairs[:, :1], pairs[:, 1:]
    fake_b, fake_a = translate(G.ab, a), translate(G.ba, b)
    return {"a": a, "b": b, "fake_b": fake_b, "fake_a": fake_a,
            "back_a": translate(G.ba, fake_b), "back_b": translate(G.ab, fake_a)}


def content_accuracy(images: torch.Tensor, labels: torch.Tensor) -> float:
    """The share of ``images`` the course's classifier reads as ``labels``."""
    _, probs = metrics.features_and_probs(images.clamp(-1, 1))
    return float((probs.argmax(1) == labels.numpy()).mean())


@lru_cache(maxsize=2)
def _real_features(n: int) -> dict[str, np.ndarray]:
    """The classifier's features of the first ``n`` real test digits of each domain (read-only):
    the same for every run scored, so computed once per process."""
    pairs = cyclegan.stroke_domains("test")[0][:n]
    features = {"a": metrics.features_and_probs(pairs[:, :1].clamp(-1, 1))[0],
                "b": metrics.features_and_probs(pairs[:, 1:].clamp(-1, 1))[0]}
    for array in features.values():
        array.setflags(write=False)
    return features


def scores(G, n: int = 10_000) -> dict[str, float]:
    """The measures of the module's docstring for translator pair ``G`` on the first ``n`` test pairs."""
    pairs, labels = cyclegan.stroke_domains("test")
    t = round_trips(G, pairs[:n])
    t["same_b"], t["same_a"] = translate(G.ab, t["b"]), translate(G.ba, t["a"])  # identity outputs
    labels = labels[:n, 0].numpy()
    features, read = dict(_real_features(n)), {}
    for k in ("fake_a", "fake_b"):
        features[k], probs = metrics.features_and_probs(t[k].clamp(-1, 1))
        read[k] = probs.argmax(1)
    return {
        "content_ab": float((read["fake_b"] == labels).mean()),
        "content_ba": float((read["fake_a"] == labels).mean()),
        # a squared distance: rounding can leave -1e-9 where the two sets are the same images
        "fid_to_b": max(0.0, evaluation.frechet_distance_of(features["fake_b"], features["b"])),
        "fid_to_a": max(0.0, evaluation.frechet_distance_of(features["fake_a"], features["a"])),
        "cycle_l1": 0.5 * float((t["back_a"] - t["a"]).abs().mean() + (t["back_b"] - t["b"]).abs().mean()),
        "identity_l1": 0.5 * float((t["same_b"] - t["b"]).abs().mean() + (t["same_a"] - t["a"]).abs().mean()),
    }


def show_translations(G, pairs: torch.Tensor, title: str = "", ax=None):
    """Six rows: a, G_AB(a), G_BA(G_AB(a)), then b, G_BA(b), G_AB(G_BA(b)), one test pair per column."""
    t = round_trips(G, pairs)
    rows = [t[k] for k in ("a", "fake_b", "back_a", "b", "fake_a", "back_b")]
    ax = plots.show_images(torch.cat(rows), nrow=len(pairs), title=title, ax=ax)
    names = ["A: a", "G_AB(a)", "G_BA(G_AB(a))", "B: b", "G_BA(b)", "G_AB(G_BA(b))"]
    ax.set_yticks(np.arange(len(names)) * 30 + 16, names)  # rows of 28 pixels and 2 of padding
    return ax
