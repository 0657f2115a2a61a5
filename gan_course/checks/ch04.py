"""Checkers for chapter 04 (the conditional GAN)."""

import math

import torch
import torch.nn.functional as F

from gan_course.checks._common import _close, _float, _report, _run


def check_conditional_input(answer) -> bool:
    """``answer(z, labels, n_classes)``: [z, one_hot(labels)] joined along the feature axis."""
    z = torch.linspace(-1, 1, 12).view(3, 4)
    labels = torch.tensor([2, 0, 9])
    want = torch.cat([z, F.one_hot(labels, 10).float()], dim=1)
    got, error = _run(answer, z, labels, 10)
    if error:
        return _report(False, failure=error)
    if not torch.is_tensor(got) or got.shape != want.shape:
        shape = tuple(got.shape) if torch.is_tensor(got) else type(got).__name__
        return _report(False, failure=f"expected a tensor of shape {tuple(want.shape)} "
                       f"(batch, noise_dim + n_classes), got {shape}. Hint: torch.cat(..., dim=1).")
    return _report(_close(got, want),
                   "the generator now sees both the noise and which digit to draw.",
                   "the shape is right but the values differ: the noise should come first, then "
                   "the one-hot label (F.one_hot(labels, n_classes).float()).")


def check_label_morph(answer) -> bool:
    """``answer(generator, z, label_a, label_b, t)``: the conditional generator's output for one
    noise vector ``z`` and the label embedding (1 - t) e(a) + t e(b), for each value of the 1-D
    tensor ``t``: shape (len(t), *data_shape)."""
    from gan_course.models import MLPGenerator

    torch.manual_seed(0)
    generator = MLPGenerator(noise_dim=4, hidden=(16,), data_shape=(1, 2, 3), n_classes=5,
                             embed_dim=3).eval()
    z = torch.rand(4) * 2 - 1
    t = torch.tensor([0.0, 0.3, 1.0])
    with torch.no_grad():
        codes = (1 - t[:, None]) * generator.embed.weight[1] + t[:, None] * generator.embed.weight[4]
        want = generator.net(torch.cat([z.expand(3, -1), codes], dim=1)).view(3, 1, 2, 3)
    got, error = _run(answer, generator, z.clone(), 1, 4, t.clone())
    if error:
        return _report(False, failure=error + ". Hint: generator.embed(torch.tensor(a)) is e(a); "
                       "join [z, code] with torch.cat and run generator.net, then reshape.")
    if not torch.is_tensor(got):
        return _report(False, failure=f"return a tensor, got {type(got).__name__}.")
    got = got.detach()
    if got.numel() != want.numel():
        return _report(False, failure=f"for 3 values of t expected {want.numel()} numbers, shape "
                       f"(3, *data_shape) = {tuple(want.shape)}; got shape {tuple(got.shape)}.")
    if _close(got.reshape(want.shape), want, 1e-5):
        return _report(True, "between two labels the generator draws something in between:\n"
                       "the embedding space is continuous even though the labels are not.")
    return _report(False, failure="the values differ from the reference. Hint: the code of the "
                   "mixture is (1 - t) * e(label_a) + t * e(label_b) (t = 0 gives label_a), and "
                   "the generator's input is [z, code], noise first, exactly as in its forward().")


def _best_value(p_data: torch.Tensor, p_g: torch.Tensor) -> float:
    """V(D*, G) = sum p_data log D* + p_g log(1 - D*), D* = p_data / (p_data + p_g) cell by cell
    (Goodfellow et al. 2014, Proposition 1 and Theorem 1: -log 4 + 2 JSD), with 0 log 0 = 0."""
    total = p_data + p_g
    return float((torch.xlogy(p_data, p_data) + torch.xlogy(p_g, p_g) - torch.xlogy(total, total)).sum())


def _tables() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Test cases: two label-by-image tables without zeros, one with zeros in either or both,
    and one 1-D distribution (what a discriminator without labels sees)."""
    gen = torch.Generator().manual_seed(4)
    dense = [torch.rand(2, 3, generator=gen, dtype=torch.float64) + 0.05 for _ in range(2)]
    sparse = (torch.tensor([[0.3, 0.2, 0.0], [0.0, 0.1, 0.4]], dtype=torch.float64),
              torch.tensor([[0.1, 0.0, 0.0], [0.2, 0.3, 0.4]], dtype=torch.float64))
    marginal = (torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64),
                torch.tensor([0.2, 0.2, 0.6], dtype=torch.float64))
    return [(dense[0] / dense[0].sum(), dense[1] / dense[1].sum()), sparse, marginal]


def _best_value_hint(p_data: torch.Tensor, p_g: torch.Tensor, got: float | None) -> str:
    """Why an answer is wrong on one case: the usual slips, recognised by the value they give."""
    want = _best_value(p_data, p_g)
    if got is None:
        return "return one number (a float or a 0-d tensor), the value of the game at D*."
    if got != got:  # NaN
        return ("the result is NaN: a cell where a probability is 0 gives 0 * log 0. Its limit is "
                "0, so such cells add nothing (torch.xlogy(p, q) computes p log q with 0 log 0 = 0).")
    slips = [
        (_best_value(p_data.sum(0), p_g.sum(0)) if p_data.dim() == 2 else None,
         "that is the value for the tables summed over the labels: what a discriminator WITHOUT "
         "labels can reach. Use the cells of the table you are given, the (y, x) pairs."),
        (want / p_data.numel(), "you took the mean over the cells; the expectation is the sum "
         "over the cells, weighted by p_data and by p_g."),
        (want + 2 * math.log(2), "that is 2 JSD(p_data || p_g); the value of the game at D* is "
         "-log 4 + 2 JSD (chapter 01, Theorem 1)."),
        (float(torch.xlogy(p_data, p_data / (p_data + p_g)).sum()),
         "that is only the data's term E_data[log D*]; add E_g[log(1 - D*)]."),
    ]
    for value, hint in slips:
        if value is not None and abs(got - value) < 1e-6:
            return hint
    shown = [t.numpy().round(3).tolist() for t in (p_data, p_g)]
    return (f"for p_data = {shown[0]} and p_g = {shown[1]} expected {want:.4f}, got "
            f"{got:.4f}. Hint: D* = p_data / (p_data + p_g) in every cell, then sum p_data log D* "
            "+ p_g log(1 - D*) over all cells.")


def check_best_value(answer) -> bool:
    """``answer(p_data, p_g)``: the value of the GAN game at the optimal discriminator, for two
    distributions given as tables of the same shape (labels by images for a discriminator that
    sees pairs, or a 1-D table for one that sees images only). Chapter 04, exercise 1."""
    for p_data, p_g in _tables():
        got, error = _run(answer, p_data.clone(), p_g.clone())
        if error:
            return _report(False, failure=error + ". Hint: D* = p_data / (p_data + p_g), then "
                           "torch.xlogy for the p log D* terms, summed over all cells.")
        got = _float(got)
        if got is None or got != got or abs(got - _best_value(p_data, p_g)) > 1e-6:
            return _report(False, failure=_best_value_hint(p_data, p_g, got))
    return _report(True, "the value is -log 4 = -1.386 when the two tables are equal, and higher "
                   "by 2 JSD otherwise.\nNow see what a discriminator without labels misses.")
