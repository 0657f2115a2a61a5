"""Chapter 10's measurements: does InfoGAN's categorical code find the digit classes?

The code's values carry no names: code 3 may well draw sevens. So each measurement counts, in a
K x K confusion matrix, how often code k goes with class j, and assigns codes to classes one to
one so that the matched counts are largest: the linear assignment problem, solved by the
Hungarian algorithm (Kuhn 1955; ``scipy.optimize.linear_sum_assignment``). The share of matched
counts is the **matched accuracy** (10 % for a code that ignores the classes would be the worst
case of a balanced problem; a permutation of the true classes scores 100 %). Two such measures:

- :func:`generator_confusion`: G draws n/K samples of each code value, the course's MNIST
  classifier names their digits (the code as a *control*: does code k draw one digit?);
- :func:`q_confusion`: Q reads the real test images, whose labels are known (the code as an
  *unsupervised classifier*: the measure behind the paper's 5 % error, Chen et al. 2016, section 7.1).
"""

import copy

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from gan_course import data, metrics
from gan_course.runtime import outputs_in_chunks


def confusion_matrix(codes, classes, n_codes: int = 10, n_classes: int = 10) -> np.ndarray:
    """Counts (n_codes, n_classes): entry [k, j] is how many items have code k and class j."""
    codes, classes = (np.asarray(torch.as_tensor(v).cpu(), dtype=np.int64).ravel() for v in (codes, classes))
    if codes.shape != classes.shape:
        raise ValueError(f"codes and classes must pair up, got {codes.size} codes and {classes.size} classes")
    for name, values, size in (("codes", codes, n_codes), ("classes", classes, n_classes)):
        if values.size and not (values.min() >= 0 and values.max() < size):
            raise ValueError(f"{name} must be integers 0 to {size - 1}, got values from "
                             f"{values.min()} to {values.max()}")
    counts = np.zeros((n_codes, n_classes), dtype=np.int64)
    np.add.at(counts, (codes, classes), 1)
    return counts


def match_codes(confusion: np.ndarray) -> tuple[np.ndarray, float]:
    """The one-to-one assignment of codes to classes with the most matched items (the Hungarian
    algorithm on the confusion matrix) and the share they make: ``(assignment, accuracy)``, where
    ``assignment[k]`` is code k's class (-1 for a code left over when codes outnumber classes)."""
    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.sum() <= 0:
        raise ValueError(f"need a 2-D confusion matrix of counts with at least one item, got shape "
                         f"{confusion.shape} and total {confusion.sum() if confusion.size else 0}")
    rows, columns = linear_sum_assignment(confusion, maximize=True)
    assignment = np.full(confusion.shape[0], -1, dtype=np.int64)
    assignment[rows] = columns
    return assignment, float(confusion[rows, columns].sum() / confusion.sum())


def matched_accuracy(codes, classes, n_codes: int = 10, n_classes: int = 10) -> float:
    """The share of items whose code is assigned to their class by the best one-to-one matching."""
    return match_codes(confusion_matrix(codes, classes, n_codes, n_classes))[1]


@torch.no_grad()
def balanced_inputs(generator, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``(inputs, categories)``: z and the continuous codes drawn from ``seed``, the categorical
    code 0, 1, ..., K-1, 0, 1, ... in turn (n/K samples of each value)."""
    z, _, continuous = generator.split(generator.sample_noise(n, torch.Generator().manual_seed(seed)))
    categories = torch.arange(n, device=z.device) % generator.n_categories
    return generator.join(z, categories, continuous), categories


def generate(generator, inputs: torch.Tensor, chunk: int = 2000) -> torch.Tensor:
    """G's images (on the CPU) of ``inputs`` made by ``generator.join``, in evaluation mode
    (batch norm with its running averages, as the trainer samples); the mode is restored."""
    return outputs_in_chunks(generator, inputs, chunk)


def traversal(generator, categories, values, which: int = 0, seed: int = 0) -> torch.Tensor:
    """The inputs of the paper's figure (Chen et al. 2016, fig. 2): one row per categorical value
    in ``categories``, one column per value of continuous code ``which`` in ``values``; the noise z
    and the other continuous codes are one draw from ``seed`` (0 for the other codes), shared by
    every cell, so only the codes change along a row and down a column."""
    categories, values = torch.as_tensor(categories), torch.as_tensor(values, dtype=torch.float32)
    if not 0 <= which < generator.n_continuous:
        raise ValueError(f"which must name a continuous code 0 to {generator.n_continuous - 1}, got {which}")
    z = generator.split(generator.sample_noise(1, torch.Generator().manual_seed(seed)))[0].cpu()
    rows, columns = len(categories), len(values)
    continuous = torch.zeros(rows * columns, generator.n_continuous)
    continuous[:, which] = values.repeat(rows)
    return generator.join(z.expand(rows * columns, -1), categories.repeat_interleave(columns), continuous)


def generator_confusion(generator, n: int = 10_000, seed: int = 0, dataset: str = "mnist") -> np.ndarray:
    """Code value (rows) against the classifier's class of the sample (columns), for ``n``
    samples of :func:`balanced_inputs` (the generator in evaluation mode)."""
    inputs, categories = balanced_inputs(generator, n, seed)
    _, probs = metrics.features_and_probs(generate(generator, inputs), dataset)
    return confusion_matrix(categories, probs.argmax(1), generator.n_categories, len(probs[0]))


@torch.no_grad()
def q_codes(discriminator, images: torch.Tensor, chunk: int = 2000) -> torch.Tensor:
    """Q's categorical code of each image, the most likely value (on the CPU). Q reads chunks of
    ``chunk`` images in the discriminator's current mode (in training mode, batch norm uses each
    chunk's statistics, as in training); a copy reads them, so the model's running averages stay
    untouched."""
    reader = copy.deepcopy(discriminator)
    device = next(reader.parameters()).device
    return torch.cat([reader.codes(part.to(device))[0].argmax(1).cpu() for part in images.split(chunk)])


def q_confusion(discriminator, dataset: str = "mnist") -> np.ndarray:
    """Q's code (rows) against the true label (columns) of ``dataset``'s 10,000 test images."""
    images, labels = data.images(dataset, "test")
    return confusion_matrix(q_codes(discriminator, images), labels, discriminator.n_categories,
                            len(data.class_names(dataset)))


def code_scores(trainer, dataset: str = "mnist", n: int = 10_000, seed: int = 0, raw: bool = False) -> dict:
    """The matched accuracies of a trained InfoGAN: ``code_accuracy`` of the generator the trainer
    samples from (EMA weights if any, the raw generator if ``raw``), ``q_accuracy`` of Q on the
    test set."""
    generator = trainer.game.generator if raw else trainer.sampler
    return {"code_accuracy": match_codes(generator_confusion(generator, n, seed, dataset))[1],
            "q_accuracy": match_codes(q_confusion(trainer.discriminator, dataset))[1]}


def stroke_statistics(images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per image (N, 1, 28, 28) in [-1, 1], with the ink w = (x + 1) / 2 as weights (image moments):
    ``ink``, the mean of w; ``width``, the standard deviation of the ink's column position (pixels);
    ``slant``, -cov(column, row) / var(row), how far the stroke moves right per row upwards (0 for
    an upright stroke, > 0 for one that leans right)."""
    w = ((images.detach().float().cpu() + 1) / 2).clamp(0, 1)[:, 0]
    total = w.sum((1, 2)).clamp_min(1e-8)
    rows, columns = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")

    def moment(f):
        return (w * f).sum((1, 2)) / total

    mean_row, mean_column = moment(rows), moment(columns)
    dy, dx = rows - mean_row[:, None, None], columns - mean_column[:, None, None]
    return {"ink": w.mean((1, 2)), "width": moment(dx ** 2).sqrt(),
            "slant": -moment(dx * dy) / moment(dy ** 2).clamp_min(1e-8)}
