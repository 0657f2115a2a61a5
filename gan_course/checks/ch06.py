"""Checkers for chapter 06 (DCGAN: convolutional generators and discriminators)."""

import torch
from torch import nn

from gan_course.checks._common import _report, _run
from gan_course.conv_models import output_size

# (size, kernel, stride, padding): the generator's layers, and cases where the formulas differ
_SIZE_CASES = [(1, 7, 1, 0), (7, 4, 2, 1), (14, 4, 2, 1), (14, 3, 2, 1), (5, 5, 3, 2), (8, 2, 2, 0)]


def check_transposed_output_size(answer) -> bool:
    """``answer(size, kernel, stride, padding)``: the side of the output of a transposed
    convolution (no output padding) on a ``size`` x ``size`` input."""
    for size, kernel, stride, padding in _SIZE_CASES:
        want = output_size(size, kernel, stride, padding, transposed=True)
        got, error = _run(answer, size, kernel, stride, padding)
        if error:
            return _report(False, failure=error)
        if got == want:
            continue
        case = f"size {size}, kernel {kernel}, stride {stride}, padding {padding}"
        if got == output_size(size, kernel, stride, padding):
            hint = ("that is the size after an ordinary convolution. A transposed convolution "
                    "runs it backwards: solve size = (out + 2 padding - kernel) / stride + 1 for out.")
        else:
            hint = ("each of the size inputs stamps a kernel-sized patch, stride apart: the last "
                    "one starts at (size - 1) stride, then crop padding from both sides.")
        return _report(False, failure=f"for {case} expected {want}, got {got!r}. Hint: {hint}")
    return _report(True, "(size - 1) stride - 2 padding + kernel: 1 -> 7 -> 14 -> 28 in the generator.")


def _layers(block: nn.Module) -> list[nn.Module]:
    return [m for m in block.modules() if not list(m.children())]


def _up_block_problem(block, n_in: int, n_out: int) -> str | None:
    """What is wrong with a generator block, or None."""
    if not isinstance(block, nn.Module):
        return f"return an nn.Module (e.g. nn.Sequential), got {type(block).__name__}"
    x = torch.randn(4, n_in, 7, 7)
    try:
        y = block.train()(x)
    except Exception as error:  # the student's module
        return f"the block failed on a batch of shape {tuple(x.shape)}: {type(error).__name__}: {error}"
    if tuple(y.shape) != (4, n_out, 14, 14):
        return (f"on a batch of shape (4, {n_in}, 7, 7) the block must give (4, {n_out}, 14, 14), got "
                f"{tuple(y.shape)}. Hint: ConvTranspose2d(n_in, n_out, 4, stride=2, padding=1).")
    kinds = [type(m) for m in _layers(block)]
    if kinds[:1] != [nn.ConvTranspose2d] or nn.BatchNorm2d not in kinds:
        return "the block is a transposed convolution, then BatchNorm2d, then ReLU (in this order)."
    if kinds.index(nn.BatchNorm2d) != 1 or kinds[2:] != [nn.ReLU]:
        names = " -> ".join(k.__name__ for k in kinds)
        return (f"got {names}; the generator uses ConvTranspose2d -> BatchNorm2d -> ReLU (DCGAN keeps "
                "LeakyReLU for the discriminator).")
    if _layers(block)[0].bias is not None:
        return ("drop the convolution's bias (bias=False): batch norm subtracts the mean of each "
                "channel right after it, so a bias would be cancelled, a wasted parameter.")
    return None


def check_up_block(answer) -> bool:
    """``answer(n_in, n_out)``: one block of the DCGAN generator that doubles the resolution,
    transposed convolution (4x4, stride 2, padding 1, no bias) -> batch norm -> ReLU."""
    for n_in, n_out in ((16, 8), (5, 3)):
        block, error = _run(answer, n_in, n_out)
        if error:
            return _report(False, failure=error)
        problem = _up_block_problem(block, n_in, n_out)
        if problem:
            return _report(False, failure=problem)
    return _report(True, "two of these take the 7x7 map to 28x28; the last block ends in tanh instead.")


def _overlaps(size: int, kernel: int, stride: int) -> torch.Tensor:
    counts = torch.zeros((size - 1) * stride + kernel, dtype=torch.long)
    for i in range(size):
        counts[i * stride:i * stride + kernel] += 1
    return counts


def check_overlap_counts(answer) -> bool:
    """``answer(size, kernel, stride)``: for a 1-D transposed convolution of a ``size``-long input
    (no padding), how many kernel stamps cover each output position, as an integer tensor."""
    for size, kernel, stride in ((6, 4, 2), (6, 3, 2), (5, 5, 3), (4, 2, 2)):
        want = _overlaps(size, kernel, stride)
        got, error = _run(answer, size, kernel, stride)
        if error:
            return _report(False, failure=error)
        try:
            got = torch.as_tensor(got)
        except (TypeError, ValueError, RuntimeError):
            return _report(False, failure=f"return a tensor of counts, got {type(got).__name__}")
        if got.shape != want.shape:
            return _report(False, failure=f"for size {size}, kernel {kernel}, stride {stride} the "
                           f"output has (size - 1) stride + kernel = {len(want)} positions, got "
                           f"{tuple(got.shape)}.")
        if not torch.equal(got.long(), want):
            return _report(False, failure=f"for size {size}, kernel {kernel}, stride {stride} expected "
                           f"{want.tolist()}, got {got.tolist()}. Hint: input i stamps positions "
                           "i * stride to i * stride + kernel - 1.")
    return _report(True, "k=3, s=2 alternates 1, 2, 1, 2 (a checkerboard);\n"
                   "k=4, s=2 covers the middle evenly.")
