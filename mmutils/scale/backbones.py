"""Encoders for real data, with weights read from a file you give (never from a hub: nothing is downloaded).

* ``ResNetEncoder``: a torchvision ResNet without its classifier, with the course's image-encoder interface: ``grid``
  gives the last convolutional feature map ``(B, D, h, w)`` (what attention and localisation read), ``forward`` its
  mean ``(B, D)``, ``dim`` is D. Weights: a torchvision state_dict (e.g. ``resnet18-f37072fd.pth`` saved from
  ``torchvision.models.resnet18(weights="IMAGENET1K_V1").state_dict()`` on a machine with internet).
* ``course_audio_encoder``: the course's ``AudioCNN`` (log-mel in, ``(B, D)`` out), optionally with weights saved from
  a trained one.
* ``load_weights``: ``torch.load(path, weights_only=True)`` into a module, with a message that names the file and the
  keys that do not fit when the file is for another architecture.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn as nn

from ..blocks.encoders import AudioCNN
from ..validate import check_choice, check_tensor

__all__ = ["load_weights", "FrozenEncoder", "ResNetEncoder", "course_audio_encoder", "IMAGENET_MEAN", "IMAGENET_STD"]

# the image statistics torchvision's pretrained weights expect
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def load_weights(module: nn.Module, path: str | Path, strict: bool = True) -> nn.Module:
    """Load a state_dict file into ``module`` (``weights_only=True``: tensors only, no code). A checkpoint dict with a
    ``"model"`` or ``"state_dict"`` entry is accepted too. Raises ``ValueError`` naming the missing and unexpected
    keys (and shape mismatches) when the file does not fit the architecture."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no weights file there; expected a state_dict saved with torch.save.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # a pickle with code, or not a torch file at all
        raise ValueError(f"{path}: not a state_dict torch can load with weights_only=True ({type(e).__name__}: "
                         f"{str(e).splitlines()[0][:160]}).") from None
    if isinstance(state, dict):
        state = state.get("model", state.get("state_dict", state))
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path}: expected a state_dict (names -> tensors); got {type(state).__name__}.")
    own = module.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f"{k} {tuple(state[k].shape)} vs {tuple(v.shape)}" for k, v in own.items()
              if k in state and state[k].shape != v.shape]
    if shapes or (strict and (missing or unexpected)):
        raise ValueError(f"{path}: these weights are not for {type(module).__name__}"
                         + (f"; missing {len(missing)} (e.g. {missing[:3]})" if missing else "")
                         + (f"; unexpected {len(unexpected)} (e.g. {unexpected[:3]})" if unexpected else "")
                         + (f"; shapes differ: {shapes[:3]}" if shapes else "") + ".")
    module.load_state_dict(state, strict=strict)
    return module


class FrozenEncoder(nn.Module):
    """An image encoder kept fixed: no gradients, and always in eval mode (batch norm uses its stored statistics, so
    the features of an image do not depend on the rest of its batch — nor on how a batch is split over processes).
    ``grid``, ``forward`` and ``dim`` are the wrapped encoder's."""

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder, self.dim = encoder.requires_grad_(False).eval(), encoder.dim

    def train(self, mode: bool = True):
        super().train(mode)
        self.encoder.eval()
        return self

    def grid(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder.grid(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder(images)


class ResNetEncoder(nn.Module):
    """A torchvision ResNet (``arch``: resnet18, resnet34, resnet50) up to its last convolutional stage.

    ``weights``: a state_dict file of the full torchvision model (the classifier's weights are read and dropped), or
    None for random weights. Images ``(B, 3, H, W)`` normalised with ``IMAGENET_MEAN`` / ``IMAGENET_STD``; wrap it in
    ``FrozenEncoder`` to keep it fixed (as lessons 04 and 06 keep their pretrained encoder)."""

    def __init__(self, arch: str = "resnet18", weights: str | Path | None = None):
        super().__init__()
        import torchvision

        check_choice(arch, "ResNetEncoder", "arch", ("resnet18", "resnet34", "resnet50"))
        net = getattr(torchvision.models, arch)(weights=None)
        if weights is not None:
            load_weights(net, weights)
        self.dim = net.fc.in_features
        self.body = nn.Sequential(*list(net.children())[:-2])  # conv1 ... layer4: (B, D, H/32, W/32)

    def grid(self, images: torch.Tensor) -> torch.Tensor:
        check_tensor(images, "ResNetEncoder", "images", shape=("B", 3, "H", "W"), dtype="float")
        return self.body(images)  # (B, D, h, w)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.grid(images).mean((2, 3))  # (B, D)


def course_audio_encoder(n_mels: int = 64, dim: int = 128, weights: str | Path | None = None) -> AudioCNN:
    """The course's ``AudioCNN`` over ``n_mels`` log-mel bands, optionally with weights from a file."""
    encoder = AudioCNN(n_mels=n_mels, dim=dim)
    return load_weights(encoder, weights) if weights is not None else encoder
