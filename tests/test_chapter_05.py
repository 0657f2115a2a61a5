"""Chapter 05's recipes: the ring comparison has matched budgets, and the WGANs are what they say."""

from gan_course import recipes

RING = ["ring-gan", "ring-wgan", "ring-wgan-gp"]


def full_steps(name):
    trainer, _ = recipes.build(name, progress=False)
    return round(recipes.get(name).epochs * trainer.steps_per_epoch)


def test_ring_recipes_train_for_the_same_number_of_generator_steps():
    assert {name: full_steps(name) for name in RING} == {name: 4056 for name in RING}
    assert len({recipes.get(name).fast_steps for name in RING}) == 1


def test_ring_recipes_share_models_batch_and_weight_average():
    for key in ("generator", "discriminator"):
        assert len({repr(getattr(recipes.get(name), key)) for name in RING}) == 1
    for key in ("batch_size", "ema_decay"):
        assert len({recipes.get(name).trainer[key] for name in RING}) == 1
    assert recipes.get("ring-wgan").trainer["d_steps"] == recipes.get("ring-wgan-gp").trainer["d_steps"]


def test_wgan_recipes_make_the_papers_changes():
    for name in ["ring-wgan", "mnist-wgan"]:  # Arjovsky et al. 2017: no log, clipping, RMSProp
        settings = recipes.get(name).trainer
        assert settings["loss"] == "wgan" and settings["optimizer"] == "rmsprop"
        assert settings["clip"] == 0.01 and settings["lr_d"] == 5e-5
        assert "gp_weight" not in settings
    for name in ["ring-wgan-gp", "mnist-wgan-gp"]:  # Gulrajani et al. 2017: penalty, no clipping
        settings = recipes.get(name).trainer
        assert settings["loss"] == "wgan" and settings["gp_weight"] > 0 and "clip" not in settings
    assert recipes.get("mnist-wgan-gp").trainer["gp_weight"] == 10.0
    assert {recipes.get(name).trainer["d_steps"] for name in ["mnist-wgan", "mnist-wgan-gp"]} == {5}


def test_a_short_clipped_run_piles_the_critics_weights_at_the_bound():
    trainer, _ = recipes.build("ring-wgan", progress=False)
    trainer.fit(steps=20)
    c = trainer.clip
    for p in trainer.discriminator.parameters():
        assert p.abs().max() <= c + 1e-7
    weights = [p.detach().flatten() for p in trainer.discriminator.parameters()]
    share_at_bound = sum((w.abs() >= 0.99 * c).sum().item() for w in weights) / sum(len(w) for w in weights)
    assert share_at_bound > 0.5
