"""Text-to-image (lesson 05): a plain and a layered decoder, a conditional VAE, GAN-CLS's matching-aware
discriminator and its losses. The prompts and their real images are ``mmutils.world.prompts``; the text reader that
lets each part of a generator attend to the words it needs is ``blocks.encoders.TextConditioner``; the measures of
what was generated (diversity, nearest-neighbour distance) are ``mmutils.metrics.generation``.

The layered decoder draws an image the way the world does (and as FineGAN does): a background, an object's mask and
shading, and the object's colour, composited ``alpha * shade * colour + (1 - alpha) * background``.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..blocks.encoders import TextConditioner
from ..core import random_device
from ..text import mean_of_words
from ..validate import check_tensor

__all__ = ["PlainDecoder", "LayeredDecoder", "ConditionalVAE", "gaussian_kl", "MatchingDiscriminator", "gan_cls_d_loss",
           "gan_cls_g_loss"]


def _up(cin: int, cout: int) -> list[nn.Module]:
    return [nn.ConvTranspose2d(cin, cout, 4, 2, 1), nn.BatchNorm2d(cout), nn.ReLU()]


class PlainDecoder(nn.Module):
    """Text vector ``(B, text_dim)`` and latent ``(B, latent_dim)`` -> image ``(B, 3, 32, 32)``: one MLP to a 4x4
    grid, three transposed convolutions; every pixel from one entangled code. Uses the ``"all"`` part of the text."""

    parts = ["all"]

    def __init__(self, text_dim: int, latent_dim: int, width: int = 16):
        super().__init__()
        w = width
        self.fc = nn.Sequential(nn.Linear(text_dim + latent_dim, 4 * w * 16), nn.ReLU())
        self.net = nn.Sequential(*_up(4 * w, 2 * w), *_up(2 * w, w), nn.ConvTranspose2d(w, 3, 4, 2, 1), nn.Sigmoid())
        self.width = w

    def forward(self, text: dict[str, torch.Tensor], z: torch.Tensor) -> torch.Tensor:
        h = self.fc(torch.cat([text["all"], z], 1)).view(-1, 4 * self.width, 4, 4)  # (B, 4w, 4, 4)
        return self.net(h)  # (B, 3, 32, 32)


class LayeredDecoder(nn.Module):
    """Three layers, each conditioned on its own part of the text (and the first two on the latent ``z``):

    * ``background`` -> a coarse background (an MLP to 3x8x8, upsampled bilinearly to 32x32);
    * ``shape``      -> the object's mask ``alpha`` and shading ``shade`` (an MLP to a 4x4 grid, two transposed
      convolutions to 16x16, upsampled to 32x32);
    * ``colour``     -> the object's RGB colour (an MLP, no ``z``: one colour per prompt).

    ``forward`` returns ``alpha * shade * colour + (1 - alpha) * background`` ``(B, 3, 32, 32)``; ``layers`` keeps
    the last call's ``{"background", "alpha", "shade", "colour"}``."""

    parts = ["background", "shape", "colour"]

    def __init__(self, text_dim: int, latent_dim: int, width: int = 16):
        super().__init__()
        w = width
        self.width = w
        self.bg_fc = nn.Sequential(nn.Linear(text_dim + latent_dim, 8 * w), nn.ReLU(), nn.Linear(8 * w, 3 * 64),
                                   nn.Sigmoid())
        self.shape_fc = nn.Sequential(nn.Linear(text_dim + latent_dim, 4 * w * 16), nn.ReLU())
        self.shape_net = nn.Sequential(*_up(4 * w, 2 * w), nn.ConvTranspose2d(2 * w, 2, 4, 2, 1))
        self.colour_fc = nn.Sequential(nn.Linear(text_dim, 2 * w), nn.ReLU(), nn.Linear(2 * w, 3), nn.Sigmoid())
        self.layers: dict[str, torch.Tensor] = {}

    def forward(self, text: dict[str, torch.Tensor], z: torch.Tensor) -> torch.Tensor:
        w = self.width
        bg = self.bg_fc(torch.cat([text["background"], z], 1)).view(-1, 3, 8, 8)  # (B, 3, 8, 8)
        bg = F.interpolate(bg, size=(32, 32), mode="bilinear", align_corners=False)  # (B, 3, 32, 32)
        shape = self.shape_net(self.shape_fc(torch.cat([text["shape"], z], 1)).view(-1, 4 * w, 4, 4))  # (B, 2, 16, 16)
        shape = torch.sigmoid(F.interpolate(shape, size=(32, 32), mode="bilinear", align_corners=False))
        alpha, shade = shape[:, :1], shape[:, 1:]  # (B, 1, 32, 32) each
        colour = self.colour_fc(text["colour"])[:, :, None, None]  # (B, 3, 1, 1)
        self.layers = {"background": bg, "alpha": alpha, "shade": shade, "colour": colour}
        return alpha * shade * colour + (1 - alpha) * bg  # (B, 3, 32, 32)


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL( N(mu, exp(logvar)) || N(0, I) ) per example, summed over dimensions: ``(B, D)`` -> ``(B,)``."""
    check_tensor(mu, "gaussian_kl", "mu", shape=("B", "D"), dtype="float")
    check_tensor(logvar, "gaussian_kl", "logvar", shape=tuple(mu.shape), dtype="float")
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)


class ConditionalVAE(nn.Module):
    """A conditional VAE: an encoder reads the image and the prompt and gives ``q(z | image, text)``; a decoder
    (``PlainDecoder`` or ``LayeredDecoder``) draws the image from ``z`` and the prompt. ``loss`` is the negative
    ELBO per image: squared error / (2 sigma^2) + KL."""

    def __init__(self, vocab_size: int, decoder_cls: type = LayeredDecoder, text_dim: int = 32, latent_dim: int = 8,
                 sigma: float = 0.3, width: int = 16):
        super().__init__()
        self.latent_dim, self.sigma = latent_dim, sigma
        self.text = TextConditioner(vocab_size, text_dim, decoder_cls.parts)
        self.decoder = decoder_cls(text_dim, latent_dim, width)
        self.image_encoder = nn.Sequential(
            nn.Conv2d(3, width, 4, 2, 1), nn.ReLU(), nn.Conv2d(width, 2 * width, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(2 * width, 2 * width, 4, 2, 1), nn.ReLU(), nn.Flatten(),  # (B, 2w * 16)
        )
        self.posterior = nn.Linear(2 * width * 16 + text_dim * len(decoder_cls.parts), 2 * latent_dim)

    def encode(self, images: torch.Tensor, text: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        h = torch.cat([self.image_encoder(images)] + [text[p] for p in self.decoder.parts], 1)
        mu, logvar = self.posterior(h).chunk(2, dim=1)  # (B, latent_dim) each
        return mu, logvar.clamp(-8, 8)

    def loss(self, images: torch.Tensor, tokens: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        check_tensor(images, "ConditionalVAE.loss", "images", shape=("B", 3, 32, 32), dtype="float")
        text = self.text(tokens)
        mu, logvar = self.encode(images, text)
        z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)  # reparameterisation
        recon = self.decoder(text, z)  # (B, 3, 32, 32)
        nll = (recon - images).pow(2).flatten(1).sum(1) / (2 * self.sigma ** 2)  # (B,)
        kl = gaussian_kl(mu, logvar)  # (B,)
        return (nll + kl).mean(), {"nll": nll.mean().item(), "kl": kl.mean().item()}

    @torch.no_grad()
    def sample(self, tokens: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """One image per prompt ``(B, L)`` -> ``(B, 3, 32, 32)``, ``z`` drawn from the prior."""
        z = torch.randn(len(tokens), self.latent_dim, generator=generator,
                        device=random_device(generator, tokens.device)).to(tokens.device)  # (B, latent_dim)
        return self.decoder(self.text(tokens), z)


class MatchingDiscriminator(nn.Module):
    """GAN-CLS's discriminator: image ``(B, 3, 32, 32)`` and prompt tokens ``(B, L)`` -> a logit ``(B,)`` for "a
    real image that matches this text". Convolutions to a 4x4 grid; the text vector (the mean of its own word
    embeddings, not projected: Reed et al. (2016) project a pretrained text encoding first) is tiled over the grid and
    concatenated, as in Reed et al."""

    def __init__(self, vocab_size: int, text_dim: int = 32, width: int = 16, pad_id: int = 0):
        super().__init__()
        w = width
        self.pad_id = pad_id
        self.embed = nn.Embedding(vocab_size, text_dim, padding_idx=pad_id)
        self.image = nn.Sequential(
            nn.Conv2d(3, w, 4, 2, 1), nn.LeakyReLU(0.2),  # (B, w, 16, 16)
            nn.Conv2d(w, 2 * w, 4, 2, 1), nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2),  # (B, 2w, 8, 8)
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1), nn.BatchNorm2d(4 * w), nn.LeakyReLU(0.2),  # (B, 4w, 4, 4)
        )
        self.joint = nn.Sequential(nn.Conv2d(4 * w + text_dim, 4 * w, 1), nn.LeakyReLU(0.2), nn.Flatten(),
                                   nn.Linear(4 * w * 16, 1))

    def forward(self, images: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        check_tensor(images, "MatchingDiscriminator", "images", shape=("B", 3, 32, 32), dtype="float")
        check_tensor(tokens, "MatchingDiscriminator", "tokens", shape=(images.shape[0], "L"), dtype="int")
        text = mean_of_words(self.embed(tokens), tokens, self.pad_id)  # (B, text_dim)
        h = self.image(images)  # (B, 4w, 4, 4)
        h = torch.cat([h, text[:, :, None, None].expand(-1, -1, 4, 4)], 1)  # (B, 4w + text_dim, 4, 4)
        return self.joint(h)[:, 0]  # (B,)


def gan_cls_d_loss(real_right: torch.Tensor, real_wrong: torch.Tensor, fake_right: torch.Tensor) -> torch.Tensor:
    """GAN-CLS discriminator loss (Reed et al. 2016, Algorithm 1) on logits ``(B,)`` each: a real image with its
    text is real (1); a real image with a mismatched text and a generated image with the right text are fake (0),
    each weighted one half."""
    for name, t in (("real_right", real_right), ("real_wrong", real_wrong), ("fake_right", fake_right)):
        check_tensor(t, "gan_cls_d_loss", name, shape=("B",), dtype="float")
    bce = F.binary_cross_entropy_with_logits
    return (bce(real_right, torch.ones_like(real_right))
            + 0.5 * bce(real_wrong, torch.zeros_like(real_wrong))
            + 0.5 * bce(fake_right, torch.zeros_like(fake_right)))


def gan_cls_g_loss(fake_right: torch.Tensor) -> torch.Tensor:
    """The generator's (non-saturating) loss: its images with the right text should be judged real."""
    check_tensor(fake_right, "gan_cls_g_loss", "fake_right", shape=("B",), dtype="float")
    return F.binary_cross_entropy_with_logits(fake_right, torch.ones_like(fake_right))
