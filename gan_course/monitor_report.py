"""The health monitor's words and figure (:class:`gan_course.monitor.HealthMonitor`).

:func:`sentence` turns a flagged problem and the measurements around it into a diagnosis a
student can act on; :func:`draw_report` draws everything the monitor measured on one figure,
with the checks where each problem's rule held shaded.
"""

import numpy as np

COLOURS = {"d_wins": "tab:red", "g_vanishing": "tab:purple", "g_exploding": "tab:orange",
           "diverging": "tab:brown", "collapse": "tab:olive"}
NAMES = {"d_wins": "the discriminator wins", "g_vanishing": "G's gradient vanishes",
         "g_exploding": "G's gradient explodes", "diverging": "a loss diverges",
         "collapse": "mode collapse"}


def _at(records: list[dict], step: int | None) -> dict:
    """The record of ``step`` (the last one when None)."""
    return next((r for r in records if r["step"] == step), records[-1])


def _healthy(records: list[dict]) -> str:
    last = records[-1]
    parts = [f"Healthy: no problem persisted over {len(records)} checks up to step {last['step']}."]
    if "d_real" in last:
        parts.append(f"At the end D's verdicts are {last['d_real']:.2f} on data and "
                     f"{last['d_fake']:.2f} on samples (1 = surely real, 0 = surely fake): "
                     "D still has to work to tell them apart.")
    if "covered" in last:
        parts.append(f"The samples cover {last['covered']} of {last['of']} modes or classes.")
    return " ".join(parts)


def _diverging(records: list[dict], step: int, limits: dict) -> str:
    first = records[: max(2, len(records) // 4)]
    names = {"d_loss": "discriminator's loss", "g_loss": "generator's loss",
             "wasserstein": "critic's Wasserstein estimate"}
    key = max((k for k in names if k in records[-1]),
              key=lambda k: abs(_at(records, step)[k]) / max(1e-12, max(abs(r[k]) for r in first)))
    peak = max(abs(r[key]) for r in records)
    return (f"From step {step} the {names[key]} diverges: it reaches {peak:.3g} in size, against "
            f"at most {max(abs(r[key]) for r in first):.3g} in the first checks. One player runs "
            "away from the other instead of settling: lower the learning rates, or constrain D "
            "(spectral normalisation, a gradient penalty).")


def sentence(problem: str, records: list[dict], step: int | None, limits: dict) -> str:
    """The diagnosis of ``problem``, first flagged at ``step``, in words."""
    if problem == "healthy":
        return _healthy(records)
    r = _at(records, step)
    if problem == "d_wins":
        return (f"From step {step} the discriminator wins: it calls the data real ({r['d_real']:.2f}) "
                f"and the samples fake ({r['d_fake']:.2f}) with near certainty, so L_D is low and "
                "its verdict no longer shows the generator which way to move. Usual causes: a "
                "generator too small for the data, or a discriminator that learns much faster "
                "(lower lr_d, spectral normalisation, a penalty).")
    if problem == "g_vanishing":
        return (f"From step {step} the generator's gradient vanishes: the slope of its loss at D's "
                f"scores is {r['g_slope']:.3f} per sample (the non-saturating loss gives about 1 "
                "there) and ||grad L_G|| is "
                f"{r['g_grad']:.2g}. The saturating loss log(1 - D(G(z))) is flat exactly where D "
                "is confident: use the non-saturating loss -log D(G(z)).")
    if problem == "g_exploding":
        earlier = [e["g_grad"] for e in records if e["step"] < step]
        typical = float(np.median(earlier)) if earlier else float("nan")
        peak = max(e["g_grad"] for e in records)
        return (f"From step {step} the generator's gradient explodes: ||grad L_G|| reaches "
                f"{peak:.3g}, {peak / typical:.0f} times its typical {typical:.3g} before. Steps "
                "that large overshoot: lower the learning rates (a rate 10 times too high does "
                "this), or constrain D.")
    if problem == "diverging":
        return _diverging(records, step, limits)
    return (f"From step {step} mode collapse: the samples cover only {r['covered']} of {r['of']} "
            f"modes or classes (at least 1 % of the samples each; the limit is "
            f"{limits['collapse']:.0%}). The generator puts its mass on a few modes instead of "
            "spreading it like the data. Common causes: steps too large (G jumps from mode to mode), "
            "a generator too small for the data, a discriminator much stronger than G.")


def _shade(ax, monitor, problems) -> None:
    half = monitor.every / 2
    for problem in problems:
        steps = [r["step"] for r in monitor.records if problem in r["problems"]]
        for i, step in enumerate(steps):
            ax.axvspan(step - half, step + half, color=COLOURS[problem], alpha=0.15, lw=0,
                       label=NAMES[problem] if i == 0 else None)


def _series(monitor, key: str) -> tuple[list, list]:
    rows = [r for r in monitor.records if key in r]
    return [r["step"] for r in rows], [r[key] for r in rows]


def draw_report(monitor, title: str = "", figsize=(11, 4.6)):
    """Four panels: D's verdicts, G's gradient, the losses, the coverage. Returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=figsize, sharex=True)
    (verdict, gradient), (loss, coverage) = axes
    if any("d_real" in r for r in monitor.records):
        verdict.plot(*_series(monitor, "d_real"), "o-", label="D on data")
        verdict.plot(*_series(monitor, "d_fake"), "s-", label="D on samples")
        verdict.axhline(0.5, color="grey", ls=":", label="undecided")
    verdict.set(ylabel="D's verdict (1 = real, 0 = fake)", ylim=(-0.05, 1.05), title="discriminator")
    _shade(verdict, monitor, ["d_wins"])
    gradient.plot(*_series(monitor, "g_grad"), "o-", label="norm of grad L_G")
    gradient.plot(*_series(monitor, "g_slope"), "s-", label="slope of L_G at D's scores")
    gradient.set(yscale="log", ylabel="value (log scale)", title="generator's gradient")
    _shade(gradient, monitor, ["g_vanishing", "g_exploding"])
    for key, label in (("d_loss", "D's loss"), ("g_loss", "G's loss"), ("wasserstein", "critic's estimate")):
        if any(key in r for r in monitor.records):
            loss.plot(*_series(monitor, key), "o-", label=label)
    loss.set(xlabel="step", ylabel="mean since last check", title="losses")
    _shade(loss, monitor, ["diverging"])
    if any("covered" in r for r in monitor.records):
        coverage.plot(*_series(monitor, "covered"), "o-", label="covered")
        of = monitor.records[-1]["of"]
        coverage.axhline(monitor.limits["collapse"] * of, color="grey", ls=":", label="collapse limit")
        coverage.set(ylim=(-0.5, of + 0.5))
    coverage.set(xlabel="step", ylabel="modes or classes covered", title="coverage")
    _shade(coverage, monitor, ["collapse"])
    for ax in axes.flat:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")
    flagged = ", ".join(f"{NAMES[p]} (step {s})" for p, s in monitor.flagged.items())
    fig.suptitle(title + (" - " if title else "") + (f"flagged: {flagged}" if flagged else "healthy"))
    fig.tight_layout()
    return fig
