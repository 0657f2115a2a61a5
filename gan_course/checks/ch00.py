"""Checkers for the playground (chapters/00_playground.ipynb): the arrows of a generator loss."""

import torch

from gan_course import playground
from gan_course.checks._common import _report, _run

_FORMULAS = {"least squares": "L_G = 1/2 E[(D(x) - 1)^2]", "hinge": "L_G = -E[D(x)]"}


def check_push(answer, loss: str = "least squares") -> bool:
    """``answer(score, grad_score)``: the arrow -dL_G/dx of each sample x for the generator loss
    ``loss`` ("least squares" or "hinge"), given D's raw output ``score`` (n,) at the samples and
    its gradient ``grad_score`` (n, 2), per sample (the batch mean's 1/n left out), as
    :meth:`playground.Session.generator_push` draws it."""
    if loss not in _FORMULAS:
        raise ValueError(f"loss must be one of {', '.join(_FORMULAS)}; got {loss!r}")
    session = playground.Session(playground.Settings(loss=loss, width=16, batch_size=64, seed=3))
    session.step_discriminator(30)  # a discriminator with some shape, its scores away from 1
    x = session.samples(16, average=False).requires_grad_(True)
    score = session.trainer.discriminator(x)
    (grad,) = torch.autograd.grad(score.sum(), x)
    want = session.generator_push(x.detach())
    got, error = _run(answer, score.detach().clone(), grad.clone())
    if error:
        return _report(False, failure=error)
    if not torch.is_tensor(got) or got.shape != want.shape:
        return _report(False, failure=f"return a tensor of shape {tuple(want.shape)}, one arrow per "
                       f"sample; got {got if not torch.is_tensor(got) else tuple(got.shape)}")
    if torch.allclose(got, -want, rtol=1e-4, atol=1e-6):
        return _report(False, failure="your arrows point the wrong way: the arrow is MINUS the "
                       "gradient of the loss, the direction that lowers it")
    good = torch.allclose(got, want, rtol=1e-4, atol=1e-6)
    return _report(good, f"the arrows of {_FORMULAS[loss]}: what the playground draws.",
                   f"for {_FORMULAS[loss]} the first arrow is {want[0].tolist()}, yours is "
                   f"{got[0].detach().tolist()}. Hint: differentiate the loss of one sample with "
                   "the chain rule, dL_G/dx = dL_G/dD * dD/dx, and negate it.")
