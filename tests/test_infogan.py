"""InfoGAN (chapter 10): the codes, the mutual-information bound, the game, the matching."""

import math

import numpy as np
import pytest
import torch

from gan_course import data, games, infogan, infogan_eval, recipes, seed_everything
from gan_course.settings import RunSettings, TrainSettings
from gan_course.train import Trainer


def small_pair(n_categories=10, n_continuous=2):
    seed_everything(0)
    return (infogan.InfoGenerator(z_dim=8, n_categories=n_categories, n_continuous=n_continuous, width=8),
            infogan.InfoDiscriminator(n_categories, n_continuous, width=8, q_hidden=32))


def small_trainer(images, **options):
    G, D = small_pair()
    return Trainer(games.make("infogan", G, D, **options), images,
                   TrainSettings(batch_size=64, lr_g=1e-3, lr_d=2e-4),
                   RunSettings(progress=False, sync_every=10, n_snapshots=4))


@pytest.fixture(scope="module")
def digits():
    return data.mnist("train")[0][:1024]


def test_the_generator_draws_z_and_the_codes_and_reads_them_back():
    G, _ = small_pair()
    inputs = G.sample_noise(500, torch.Generator().manual_seed(1))
    assert inputs.shape == (500, 8 + 10 + 2)
    z, categories, continuous = G.split(inputs)
    one_hot = inputs[:, 8:18]
    assert torch.equal(one_hot.sum(1), torch.ones(500)) and set(one_hot.unique().tolist()) == {0.0, 1.0}
    assert set(categories.tolist()) == set(range(10))  # all ten values drawn in 500 tries
    assert continuous.min() >= -1 and continuous.max() <= 1 and continuous.std() > 0.5
    assert torch.equal(G.join(z, categories, continuous), inputs)
    assert G(inputs).shape == (500, 1, 28, 28)


def test_the_discriminator_and_q_share_one_body():
    _, D = small_pair()
    x = torch.randn(5, 1, 28, 28)
    score, logits, means = D.scores_and_codes(x)
    assert score.shape == (5,) and logits.shape == (5, 10) and means.shape == (5, 2)
    assert torch.equal(D(x), score)
    features = D.body(x)
    assert features.shape == (5, 4 * 8, 4, 4)  # the DCGAN discriminator's last feature map
    assert torch.equal(D.q(features)[:, :10], logits) and torch.equal(D.q(features)[:, 10:], means)


def test_the_bound_equals_a_hand_computation():
    logits = torch.log(torch.tensor([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]]))
    categories = torch.tensor([0, 2])
    means = torch.tensor([[0.5, -1.0], [0.0, 0.2]])
    continuous = torch.tensor([[0.3, -0.5], [0.1, 0.2]])
    bound_cat, bound_cont = infogan.mutual_information_bound(logits, means, categories, continuous)
    # H(c_1) = log 3; E[log Q(c_1 | x)] = (log 0.7 + log 0.5) / 2
    assert bound_cat.item() == pytest.approx(math.log(3) + (math.log(0.7) + math.log(0.5)) / 2, abs=1e-6)
    # two U[-1, 1] codes: H = 2 log 2; log N(c; mu, 1) = -(c - mu)^2 / 2 - log(2 pi) / 2 per code
    squares = [(0.3 - 0.5) ** 2 + (-0.5 + 1.0) ** 2, (0.1 - 0.0) ** 2 + 0.0]
    want = 2 * math.log(2) - (sum(squares) / 2 / 2 + math.log(2 * math.pi))
    assert bound_cont.item() == pytest.approx(want, abs=1e-6)


def test_a_perfect_q_reaches_the_entropy_of_the_code():
    categories = torch.arange(10)
    sure = torch.full((10, 10), -30.0).scatter(1, categories[:, None], 30.0)
    bound_cat, _ = infogan.mutual_information_bound(sure, torch.zeros(10, 0), categories, torch.zeros(10, 0))
    assert bound_cat.item() == pytest.approx(math.log(10), abs=1e-6)
    blind = torch.zeros(10, 10)  # Q(c | x) = 1/10 whatever x: the bound is 0, no information
    assert infogan.mutual_information_bound(blind, torch.zeros(10, 0), categories,
                                            torch.zeros(10, 0))[0].item() == pytest.approx(0, abs=1e-6)


def test_matching_a_known_permutation_is_exact():
    rng = np.random.default_rng(0)
    classes = rng.integers(0, 10, 1000)
    permutation = rng.permutation(10)
    codes = permutation[classes]
    assignment, accuracy = infogan_eval.match_codes(infogan_eval.confusion_matrix(codes, classes))
    assert accuracy == 1.0
    assert np.array_equal(assignment[permutation], np.arange(10))  # code permutation[j] -> class j


def test_matching_is_one_to_one_and_beats_a_greedy_choice():
    # greedy (largest cell first) takes code 0 -> class 0 (5) and is left with code 1 -> class 1 (0):
    # 5 of 14; the best one-to-one matching takes 4 + 4 = 8 of 14
    confusion = np.array([[5, 4], [4, 1]])
    assignment, accuracy = infogan_eval.match_codes(confusion)
    assert list(assignment) == [1, 0] and accuracy == pytest.approx(8 / 14)
    # two codes drawing the same class: only one of them can be matched to it
    codes, classes = np.array([0, 0, 1, 1, 2, 2]), np.array([5, 5, 5, 5, 7, 7])
    assert infogan_eval.matched_accuracy(codes, classes) == pytest.approx(4 / 6)


def test_confusion_and_matching_refuse_bad_input():
    with pytest.raises(ValueError, match="codes must be integers 0 to 9"):
        infogan_eval.confusion_matrix([10], [1])
    with pytest.raises(ValueError, match="must pair up"):
        infogan_eval.confusion_matrix([1, 2], [1])
    with pytest.raises(ValueError, match="at least one item"):
        infogan_eval.match_codes(np.zeros((3, 3)))


def test_q_learns_with_the_discriminator_and_the_generator_alone_with_its_own():
    game = infogan.InfoGAN(*small_pair())
    g, d = game.parameters_of("generator"), game.parameters_of("discriminator")
    ids = [id(p) for p in g + d]
    assert len(ids) == len(set(ids)) == len(list(game.parameters()))
    q = {id(p) for p in game.discriminator.q.parameters()}
    assert q <= {id(p) for p in d} and not q & {id(p) for p in g}


def _frozen_player(trainer, player):
    """Switch off one player's optimiser: only the other player's update may change weights."""
    trainer.optimizers[player].step = lambda: None


def test_the_generator_step_leaves_d_and_q_unchanged(digits):
    trainer = small_trainer(digits)
    trainer.fit(steps=1)
    D, G = trainer.discriminator, trainer.generator
    before = {name: p.detach().clone() for name, p in D.named_parameters()}
    g_before = [p.detach().clone() for p in G.parameters()]
    _frozen_player(trainer, "discriminator")
    trainer.fit(steps=2)
    assert all(torch.equal(p, before[name]) for name, p in D.named_parameters())
    assert any(not torch.equal(p, q) for p, q in zip(G.parameters(), g_before, strict=True))


def test_the_discriminator_step_trains_q_through_the_information_term(digits):
    for info_weight, q_moves in ((1.0, True), (0.0, False)):
        trainer = small_trainer(digits, info_weight=info_weight)
        q_before = [p.detach().clone() for p in trainer.discriminator.q.parameters()]
        _frozen_player(trainer, "generator")
        trainer.fit(steps=2)
        moved = any(not torch.equal(p, q) for p, q in zip(trainer.discriminator.q.parameters(), q_before,
                                                          strict=True))
        assert moved == q_moves, info_weight


def test_k_discriminator_steps_use_k_batches_and_one_generator_step(digits):
    trainer = small_trainer(digits, d_steps=2)
    G = trainer.generator
    before = [p.detach().clone() for p in G.parameters()]
    sizes = []
    hook = trainer.discriminator.body.register_forward_hook(lambda m, i, o: sizes.append(len(i[0])))
    trainer.fit(steps=1)
    hook.remove()
    assert sizes == [64] * 5  # two D steps (real, generated) and one G step
    assert all(not torch.equal(a, b) for a, b in zip(before, G.parameters(), strict=True))
    assert trainer.game.batches_per_step == 2


def test_real_and_generated_batches_go_through_d_separately(digits):
    trainer = small_trainer(digits)
    sizes = []
    hook = trainer.discriminator.body.register_forward_hook(lambda m, i, o: sizes.append(len(i[0])))
    trainer.fit(steps=2)
    hook.remove()
    assert sizes == [64] * 6  # per step: real, generated (D and Q), generated again in G's step


def test_training_raises_the_bound_and_learns_the_codes(digits):
    trainer = small_trainer(digits)
    trainer.fit(steps=150)
    h = trainer.history
    first, last = np.mean(h["mi_categorical"][:10]), np.mean(h["mi_categorical"][-10:])
    assert first < 0.5 and last > 1.5 and last <= math.log(10) + 1e-6, (first, last)
    cont_first, cont_last = np.mean(h["mi_continuous"][:10]), np.mean(h["mi_continuous"][-10:])
    assert cont_last > cont_first + 0.1, (cont_first, cont_last)
    # Q recovers the categorical code of fresh samples far better than chance
    G, D = trainer.generator, trainer.discriminator
    inputs, categories = infogan_eval.balanced_inputs(G, 1000, seed=3)
    with torch.no_grad():
        read = D.codes(G(inputs))[0].argmax(1)
    assert (read == categories).float().mean() > 0.6


def test_lambda_zero_leaves_the_codes_unused(digits):
    trainer = small_trainer(digits, info_weight=0.0)
    trainer.fit(steps=150)
    assert np.mean(trainer.history["mi_categorical"][-10:]) < 1.0


def test_a_checkpoint_carries_q(tmp_path, digits):
    trainer = small_trainer(digits)
    trainer.fit(steps=20)
    trainer.save(tmp_path / "run.pt")
    restored = small_trainer(digits)
    restored.load(tmp_path / "run.pt")
    for (name, p), q in zip(trainer.discriminator.q.named_parameters(),
                            restored.discriminator.q.parameters(), strict=True):
        assert torch.equal(p, q), name
    assert restored.game.options()["info_weight"] == 1.0
    trainer.fit(steps=30)
    restored.fit(steps=30)
    assert torch.equal(trainer.discriminator.q[1].weight, restored.discriminator.q[1].weight)


def test_the_game_refuses_mismatched_codes_labels_and_bad_weights(digits):
    G, _ = small_pair()
    _, D = small_pair(n_categories=5)
    with pytest.raises(ValueError, match="same code sizes"):
        infogan.InfoGAN(G, D)
    with pytest.raises(ValueError, match="info_weight must be a number >= 0"):
        infogan.InfoGAN(*small_pair(), info_weight=-1)
    with pytest.raises(ValueError, match="Q head"):
        infogan.InfoGAN(G, torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="without labels"):
        infogan.info_generator(n_classes=10)
    with pytest.raises(ValueError, match="n_categories must be an integer >= 2"):
        infogan.InfoGenerator(n_categories=1)
    with pytest.raises(ValueError, match="pass labels exactly"):
        small_trainer((digits, torch.zeros(len(digits), dtype=torch.long)))


def test_the_recipe_reports_the_matched_accuracies():
    trainer, _ = recipes.build("mnist-infogan", seed=0, progress=False)
    assert isinstance(trainer.game, infogan.InfoGAN)
    trainer.fit(steps=5)
    scores = recipes.evaluate(trainer, n=200)
    assert {"fid", "inception_score", "code_accuracy", "q_accuracy"} <= set(scores)
    # a one-to-one matching of 10 codes to 10 classes always matches at least a tenth
    assert 0.1 <= scores["code_accuracy"] <= 1 and 0.1 <= scores["q_accuracy"] <= 1
    assert len(trainer.sample(6)) == 6 and trainer.snapshots[0][1].shape[1:] == (1, 28, 28)
