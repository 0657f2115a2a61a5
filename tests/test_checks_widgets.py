import matplotlib

matplotlib.use("Agg")
import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from gan_course import checks, widgets  # noqa: E402


def test_checkers_accept_right_answers(capsys):
    assert checks.check_optimal_discriminator(lambda p, q: p / (p + q + 1e-300) + (p + q == 0) * 0.5)
    assert checks.check_c_of_g(lambda jsd: -np.log(4) + 2 * jsd)
    assert checks.check_generator_loss(lambda logits: F.softplus(-logits).mean())
    assert checks.check_conditional_input(
        lambda z, y, k: torch.cat([z, F.one_hot(y, k).float()], dim=1))

    def penalty(critic, real, fake):
        eps = torch.rand(len(real), 1)
        x = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
        return ((grad.norm(dim=1) - 1) ** 2).mean()

    assert checks.check_gradient_penalty(penalty)
    assert capsys.readouterr().out.count("✅ Correct:") == 5


def test_checkers_explain_wrong_answers(capsys):
    assert not checks.check_optimal_discriminator(lambda p, q: p / q)
    assert "Hint: D* is the share" in capsys.readouterr().out
    assert not checks.check_generator_loss(lambda logits: -torch.log(torch.sigmoid(logits)).mean())
    assert "underflows" in capsys.readouterr().out
    assert not checks.check_conditional_input(lambda z, y, k: z)
    assert "expected a tensor of shape (3, 14)" in capsys.readouterr().out
    assert not checks.check_conditional_input(lambda z, y, k: 1 / 0)
    assert "your function raised ZeroDivisionError" in capsys.readouterr().out

    def no_graph(critic, real, fake):
        x = real.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x).sum(), x)
        return ((grad.norm(dim=1) - 1) ** 2).mean()

    assert not checks.check_gradient_penalty(no_graph)
    assert "create_graph=True" in capsys.readouterr().out


def test_interactive_figure_draws_defaults_then_redraws_in_place(monkeypatch):
    shown, calls = [], []

    class Handle:
        def __init__(self, obj):
            self.obj = obj

        def update(self, obj):
            self.obj = obj

    def fake_display(obj, display_id=False):
        shown.append(obj)
        return Handle(obj) if display_id else None

    monkeypatch.setattr(widgets, "display", fake_display)

    def draw(mean):
        calls.append(mean)
        fig, ax = plt.subplots()
        ax.set_title(f"mean {mean}")
        return fig, f"mean = {mean}"

    slider = ipywidgets.FloatSlider(value=1.0, min=0, max=2)
    widgets.interactive_figure(draw, mean=slider)
    assert calls == [1.0]
    assert len(shown) == 3  # the figure, its text, then the controls (once each)
    assert shown[0].axes[0].get_title() == "mean 1.0" and "mean = 1.0" in shown[1].data
    slider.value = 1.5
    assert calls == [1.0, 1.5] and len(shown) == 3  # redrawn through the handles, not appended
