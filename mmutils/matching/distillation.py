"""Knowledge distillation across modalities (SoundNet, Aytar, Vondrick, Torralba 2016): a visual teacher's class
distribution on a video frame is the training target of a sound network on the same clip — no labels needed."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..validate import check_positive, check_tensor

__all__ = ["soft_targets", "distillation_loss"]


def soft_targets(teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """The teacher's class distribution softened by ``temperature``: ``softmax(logits / T)``, ``(B, C)``."""
    check_tensor(teacher_logits, "soft_targets", "teacher_logits", shape=("B", "C"), dtype="float")
    check_positive(temperature, "soft_targets", "temperature")
    return F.softmax(teacher_logits / temperature, dim=1)


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float = 4.0):
    """``T^2 * KL(p_teacher || p_student)`` averaged over the batch, both softened by ``T`` (Hinton et al. 2015;
    the T^2 keeps gradient sizes comparable across temperatures). Logits ``(B, C)`` each; returns a 0-d tensor."""
    check_tensor(student_logits, "distillation_loss", "student_logits", shape=("B", "C"), dtype="float")
    check_tensor(teacher_logits, "distillation_loss", "teacher_logits", shape=tuple(student_logits.shape),
                 dtype="float")
    p_teacher = soft_targets(teacher_logits, temperature)  # (B, C)
    log_p_student = F.log_softmax(student_logits / temperature, dim=1)  # (B, C)
    kl = (p_teacher * (torch.log(p_teacher.clamp_min(1e-12)) - log_p_student)).sum(1)  # (B,)
    return temperature ** 2 * kl.mean()
