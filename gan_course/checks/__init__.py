"""Checkers for the chapters' exercises.

Each ``check_*`` function runs the student's answer against a hidden reference on a few test
inputs and prints friendly feedback: a tick when it agrees, otherwise what was given, what was
expected and a hint. It returns ``True`` or ``False`` and never raises, so a wrong answer does not
stop the notebook.

One module per chapter (``ch01`` ... ); every checker is importable from here.
"""

from gan_course.checks.ch00 import check_push
from gan_course.checks.ch01 import (
    check_c_of_g,
    check_generator_loss,
    check_half_points,
    check_js_divergence,
    check_logit_gradients,
    check_optimal_discriminator,
)
from gan_course.checks.ch02 import check_discriminator_loss, check_mode_shares, check_wasserstein_samples
from gan_course.checks.ch03 import check_ema_update, check_slerp
from gan_course.checks.ch04 import check_best_value, check_conditional_input, check_label_morph
from gan_course.checks.ch05 import (
    check_critic_slope,
    check_gradient_penalty,
    check_modes_covered,
    check_share_at_bound,
)
from gan_course.checks.ch06 import check_overlap_counts, check_transposed_output_size, check_up_block
from gan_course.checks.ch07 import check_hinge_loss, check_lsgan_optimal_discriminator, check_power_iteration
from gan_course.checks.ch08 import check_copy_detector, check_fid_infinity, check_kid_unbiased
from gan_course.checks.ch09 import check_k_update, check_margin_loss, check_pulling_away
from gan_course.checks.ch10 import check_matched_accuracy, check_mi_bound
from gan_course.checks.ch11 import check_cycle_loss, check_missing_terms

__all__ = [
    "check_push",
    "check_optimal_discriminator",
    "check_c_of_g",
    "check_generator_loss",
    "check_half_points",
    "check_js_divergence",
    "check_logit_gradients",
    "check_wasserstein_samples",
    "check_discriminator_loss",
    "check_mode_shares",
    "check_ema_update",
    "check_slerp",
    "check_conditional_input",
    "check_best_value",
    "check_label_morph",
    "check_gradient_penalty",
    "check_critic_slope",
    "check_share_at_bound",
    "check_modes_covered",
    "check_transposed_output_size",
    "check_up_block",
    "check_overlap_counts",
    "check_hinge_loss",
    "check_power_iteration",
    "check_lsgan_optimal_discriminator",
    "check_kid_unbiased",
    "check_fid_infinity",
    "check_copy_detector",
    "check_margin_loss",
    "check_k_update",
    "check_pulling_away",
    "check_mi_bound",
    "check_matched_accuracy",
    "check_cycle_loss",
    "check_missing_terms",
]
