"""Lip movements from speech (lesson 11): phonemes -> visemes -> a mouth track per video frame; a generator from
log-mel frames to the mouth track; a SyncNet-style sync expert and the distance table it gives at every offset, from
which ``estimate_offset`` reads the offset of a few windows; two measures of a generated track against the true one
(``articulation``: how much the mouth moves; ``aligned_l1``: its L1 error at the best alignment). The sync metrics
read from the table (LSE-D and LSE-C, as Wav2Lip) are ``mmutils.metrics.sync``.

Time: video at 25 frames/s, log-mel at 50 frames/s (hop 320 at 16 kHz), so video frame ``k`` is mel frames ``2k`` and
``2k + 1``. A mouth is two numbers in [0, 1]: ``open`` (jaw) and ``width`` (0 rounded lips, 1 spread).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..validate import check_positive, check_tensor

__all__ = ["FPS", "MELS_PER_FRAME", "WINDOW", "VISEMES", "REST", "split_phonemes", "viseme", "mouth_track",
           "shift_track", "LipGenerator", "SyncExpert", "mouth_windows", "audio_windows", "sync_distances",
           "estimate_offset", "articulation", "aligned_l1"]

FPS = 25
MELS_PER_FRAME = 2
WINDOW = 5  # video frames a sync expert sees (0.2 s), as SyncNet

# viseme -> (open, width); espeak-ng phonemes are grouped by how they look on the lips
VISEMES: dict[str, tuple[float, float]] = {
    "rest": (0.0, 0.5),  # silence
    "closed": (0.0, 0.45),  # p b m: lips together
    "lip-teeth": (0.12, 0.55),  # f v
    "rounded": (0.25, 0.1),  # w u: small and round
    "round-open": (0.55, 0.25),  # o-like vowels
    "open": (0.95, 0.6),  # a-like vowels
    "mid": (0.6, 0.55),  # e, schwa-like vowels
    "spread": (0.35, 0.95),  # i-like vowels
    "tongue": (0.25, 0.6),  # t d n l s z k g h j r, th
    "pursed": (0.3, 0.3),  # sh, zh, ch, j
}
REST = VISEMES["rest"]

_PHONEME_VISEME = {
    "p": "closed", "b": "closed", "m": "closed",
    "f": "lip-teeth", "v": "lip-teeth",
    "w": "rounded", "u:": "rounded", "U": "rounded",
    "oU": "round-open", "O:": "round-open", "O@": "round-open", "aU": "round-open", "0": "round-open",
    "a": "open", "aa": "open", "A@": "open", "aI": "open", "A": "open",
    "E": "mid", "e@": "mid", "eI": "mid", "V": "mid", "3:": "mid", "3": "mid", "@": "mid", "@L": "mid", "e": "mid",
    "i:": "spread", "I": "spread", "i": "spread",
    "S": "pursed", "Z": "pursed", "dZ": "pursed", "tS": "pursed",
}
_MULTI = sorted((k for k in _PHONEME_VISEME if len(k) > 1), key=len, reverse=True)
_VOWEL_VISEMES = {"rounded", "round-open", "open", "mid", "spread"}


def split_phonemes(phonemes: str) -> list[str]:
    """An espeak-ng phoneme string -> its phonemes, stress marks dropped: ``"l'A@dZ"`` -> ``["l", "A@", "dZ"]``
    (longest match first)."""
    s = phonemes.replace("'", "").replace(",", "")
    out, i = [], 0
    while i < len(s):
        for m in _MULTI:
            if s.startswith(m, i):
                out.append(m)
                i += len(m)
                break
        else:
            out.append(s[i])
            i += 1
    return out


def viseme(phoneme: str) -> str:
    """The viseme of one phoneme; consonants not listed are made with the tongue, lips slightly open."""
    return _PHONEME_VISEME.get(phoneme, "tongue")


def mouth_track(timings: list[tuple], phonemes: dict[str, str], n_frames: int, smooth: int = 3) -> torch.Tensor:
    """The mouth in every video frame of an utterance: ``(n_frames, 2)`` (open, width).

    ``timings`` = ``[(word, start_s, end_s), ...]`` (``world.speak``); ``phonemes`` maps a word to its espeak-ng
    string. A word's time is shared among its phonemes, a vowel getting twice a consonant's share (espeak gives no
    timing inside a word); a frame takes the viseme at its centre, rest between words. A moving average over
    ``smooth`` frames stands in for coarticulation."""
    check_positive(n_frames, "mouth_track", "n_frames", integer=True)
    track = torch.tensor(REST).repeat(n_frames, 1)  # (F, 2)
    centres = (torch.arange(n_frames) + 0.5) / FPS  # (F,) seconds
    for word, start, end in timings:
        if word not in phonemes:
            raise ValueError(f"mouth_track: no phonemes for {word!r}.")
        vis = [viseme(p) for p in split_phonemes(phonemes[word])]
        weights = torch.tensor([2.0 if v in _VOWEL_VISEMES else 1.0 for v in vis])
        edges = start + (end - start) * torch.cat([torch.zeros(1), weights.cumsum(0) / weights.sum()])  # (P + 1,)
        for k, v in enumerate(vis):
            inside = (centres >= edges[k]) & (centres < edges[k + 1])
            track[inside] = torch.tensor(VISEMES[v])
    if smooth > 1:
        padded = F.pad(track.T[None], (smooth // 2, (smooth - 1) // 2), mode="replicate")  # (1, 2, F + smooth - 1)
        track = F.avg_pool1d(padded, smooth, stride=1)[0].T  # (F, 2)
    return track


def shift_track(tracks: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """Shift each mouth track in time: ``tracks (B, F, 2)``, ``shifts (B,)`` int frames; positive = the mouth moves
    *later* than the sound. Frames shifted in from outside are at rest."""
    check_tensor(tracks, "shift_track", "tracks", shape=("B", "F", 2), dtype="float")
    check_tensor(shifts, "shift_track", "shifts", shape=(tracks.shape[0],), dtype="int")
    n = tracks.shape[1]
    src = torch.arange(n, device=tracks.device)[None] - shifts[:, None].to(tracks.device)  # (B, F) source frame
    valid = (src >= 0) & (src < n)
    out = torch.gather(tracks, 1, src.clamp(0, n - 1)[:, :, None].expand(-1, -1, 2))  # (B, F, 2)
    rest = torch.tensor(REST, device=tracks.device, dtype=tracks.dtype)
    return torch.where(valid[:, :, None], out, rest)


class LipGenerator(nn.Module):
    """Log-mel ``(B, n_mels, 2F)`` -> mouth track ``(B, F, 2)`` in [0, 1]: 1-D convolutions over time (each output
    frame hears about ±4 video frames), one stride-2 step from mel rate to video rate, a sigmoid."""

    def __init__(self, n_mels: int = 32, width: int = 64):
        super().__init__()
        self.n_mels = n_mels
        w = width
        self.net = nn.Sequential(
            nn.Conv1d(n_mels, w, 5, padding=2), nn.ReLU(),  # (B, w, 2F)
            nn.Conv1d(w, w, 4, stride=2, padding=1), nn.ReLU(),  # (B, w, F)
            nn.Conv1d(w, w, 5, padding=2), nn.ReLU(),
            nn.Conv1d(w, 2, 3, padding=1),  # (B, 2, F)
        )

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        check_tensor(mels, "LipGenerator", "mels", shape=("B", self.n_mels, "T"), dtype="float")
        if mels.shape[2] % MELS_PER_FRAME:
            raise ValueError(f"LipGenerator: the mel frames ({mels.shape[2]}) must be a multiple of {MELS_PER_FRAME} "
                             "(two per video frame).")
        return torch.sigmoid(self.net(mels)).transpose(1, 2)  # (B, F, 2)


def mouth_windows(tracks: torch.Tensor) -> torch.Tensor:
    """Every window of ``WINDOW`` consecutive frames: ``(B, F, 2)`` -> ``(B, F - WINDOW + 1, WINDOW * 2)``, each
    window flattened as its ``WINDOW`` opens, then its ``WINDOW`` widths."""
    check_tensor(tracks, "mouth_windows", "tracks", shape=("B", "F", 2), dtype="float")
    return tracks.unfold(1, WINDOW, 1).flatten(2)  # (B, W, 2 * WINDOW)


def audio_windows(mels: torch.Tensor) -> torch.Tensor:
    """The mel frames under every video window: ``(B, n_mels, 2F)`` -> ``(B, F - WINDOW + 1, n_mels, 2 * WINDOW)``."""
    check_tensor(mels, "audio_windows", "mels", shape=("B", "n_mels", "T"), dtype="float")
    w = mels.unfold(2, MELS_PER_FRAME * WINDOW, MELS_PER_FRAME)  # (B, n_mels, W, 2 * WINDOW)
    return w.permute(0, 2, 1, 3)


class SyncExpert(nn.Module):
    """A SyncNet-style judge of lip sync: a mouth window ``(N, 2 * WINDOW)`` and an audio window ``(N, n_mels,
    2 * WINDOW)`` each become a 32-d embedding (ReLU, then unit length, as Wav2Lip's expert), and their cosine in
    [0, 1] says how likely they are in sync. Trained with binary cross-entropy: in sync -> 1, shifted -> 0."""

    def __init__(self, n_mels: int = 32, dim: int = 32, width: int = 64):
        super().__init__()
        self.n_mels = n_mels
        w = width
        self.audio = nn.Sequential(
            nn.Conv1d(n_mels, w, 3, padding=1), nn.ReLU(),  # (N, w, 10)
            nn.Conv1d(w, w, 3, stride=2, padding=1), nn.ReLU(),  # (N, w, 5)
            nn.Flatten(), nn.Linear(w * WINDOW, dim), nn.ReLU(),
        )
        self.mouth = nn.Sequential(nn.Linear(2 * WINDOW, w), nn.ReLU(), nn.Linear(w, w), nn.ReLU(),
                                   nn.Linear(w, dim), nn.ReLU())

    def embed_mouths(self, mouths: torch.Tensor) -> torch.Tensor:
        """Mouth windows ``(N, 2 * WINDOW)`` -> unit embeddings ``(N, dim)``."""
        check_tensor(mouths, "SyncExpert", "mouths", shape=("N", 2 * WINDOW), dtype="float")
        return F.normalize(self.mouth(mouths), dim=1, eps=1e-6)

    def embed_audio(self, audio: torch.Tensor) -> torch.Tensor:
        """Audio windows ``(N, n_mels, 2 * WINDOW)`` -> unit embeddings ``(N, dim)``."""
        check_tensor(audio, "SyncExpert", "audio", shape=("N", self.n_mels, MELS_PER_FRAME * WINDOW), dtype="float")
        return F.normalize(self.audio(audio), dim=1, eps=1e-6)

    def embed(self, mouths: torch.Tensor, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if len(mouths) != len(audio):
            raise ValueError(f"SyncExpert: {len(mouths)} mouth windows but {len(audio)} audio windows; pair them.")
        return self.embed_mouths(mouths), self.embed_audio(audio)

    def forward(self, mouths: torch.Tensor, audio: torch.Tensor) -> torch.Tensor:
        v, a = self.embed(mouths, audio)
        return (v * a).sum(1).clamp(1e-6, 1 - 1e-6)  # (N,) probability of "in sync"


@torch.no_grad()
def sync_distances(expert: SyncExpert, tracks: torch.Tensor, mels: torch.Tensor, vshift: int = 8,
                   silence: float = 0.0) -> torch.Tensor:
    """SyncNet's distance table: for each clip, offset ``o`` in ``-vshift..vshift`` frames and mouth window ``k``,
    the Euclidean distance between the expert's embeddings of mouth window ``k`` and audio window ``k + o`` (audio
    padded with ``silence`` beyond its ends). ``tracks (B, F, 2)``, ``mels (B, n_mels, 2F)`` -> ``(B, 2 vshift + 1,
    F - WINDOW + 1)``."""
    check_tensor(tracks, "sync_distances", "tracks", shape=("B", "F", 2), dtype="float")
    check_tensor(mels, "sync_distances", "mels", shape=(tracks.shape[0], expert.n_mels,
                                                         MELS_PER_FRAME * tracks.shape[1]), dtype="float")
    pad = MELS_PER_FRAME * vshift
    padded = F.pad(mels, (pad, pad), value=silence)  # (B, n_mels, 2F + 2 pad)
    mw = mouth_windows(tracks)  # (B, W, 10)
    aw = audio_windows(padded)  # (B, W + 2 vshift, n_mels, 10)
    b, n_w = mw.shape[:2]
    v = expert.embed_mouths(mw.flatten(0, 1)).view(b, n_w, -1)  # (B, W, dim), each window embedded once
    a = expert.embed_audio(aw.flatten(0, 1)).view(b, aw.shape[1], -1)  # (B, W + 2 vshift, dim)
    # offset o = s - vshift pairs mouth window k with padded audio window k + s
    a = torch.stack([a[:, s:s + n_w] for s in range(2 * vshift + 1)], 1)  # (B, offsets, W, dim)
    return (v[:, None] - a).norm(dim=3)  # (B, offsets, W)


def estimate_offset(distances: torch.Tensor, start: torch.Tensor, n_windows: int = 5) -> torch.Tensor:
    """The offset (frames) the expert reads from ``n_windows`` consecutive windows starting at ``start (B,)``:
    argmin over offsets of their mean distance. ``distances (B, offsets, W)`` -> ``(B,)``."""
    check_tensor(distances, "estimate_offset", "distances", shape=("B", "O", "W"), dtype="float")
    idx = start.to(distances.device)[:, None] + torch.arange(n_windows, device=distances.device)[None]  # (B, n)
    picked = torch.gather(distances, 2, idx[:, None].expand(-1, distances.shape[1], -1))  # (B, offsets, n)
    return picked.mean(2).argmin(1) - distances.shape[1] // 2


def articulation(tracks: torch.Tensor) -> dict[str, torch.Tensor]:
    """How far a mouth track moves, whatever its timing: ``tracks (B, F, 2)`` -> per clip ``(B,)``: **open peak**,
    the 95th percentile of ``open`` over the frames (how wide the mouth opens on its open vowels), and the **open
    swing** and **width swing**, the standard deviation over the frames of each channel. A track smeared in time or
    shrunk towards its mean has lower values than the true one; LSE-D and LSE-C do not see that."""
    check_tensor(tracks, "articulation", "tracks", shape=("B", "F", 2), dtype="float")
    return {"open peak": tracks[:, :, 0].quantile(0.95, dim=1), "open swing": tracks[:, :, 0].std(1),
            "width swing": tracks[:, :, 1].std(1)}



def aligned_l1(tracks: torch.Tensor, reference: torch.Tensor, max_shift: int = 4) -> dict[str, torch.Tensor]:
    """The L1 distance between ``tracks`` and ``reference`` (each ``(B, F, 2)``) once timing is taken out: for each
    clip, the smallest mean absolute difference over shifts of the reference by ``-max_shift..max_shift`` frames
    (``shift_track``: frames shifted in are at rest). Returns ``{"L1": (B,), "shift": (B,)}``, the shift that
    fits best (positive: ``tracks`` is later than ``reference``). What is left is an error of shape: a mouth that
    opens too little, or too much, at the right time."""
    check_tensor(tracks, "aligned_l1", "tracks", shape=("B", "F", 2), dtype="float")
    check_tensor(reference, "aligned_l1", "reference", shape=tuple(tracks.shape), dtype="float")
    check_positive(max_shift + 1, "aligned_l1", "max_shift + 1", integer=True)
    shifts = torch.arange(-max_shift, max_shift + 1, device=tracks.device)  # (S,)
    errors = torch.stack([(tracks - shift_track(reference, s.repeat(len(tracks)))).abs().mean((1, 2))
                          for s in shifts], 1)  # (B, S)
    lowest, best = errors.min(1)
    return {"L1": lowest, "shift": shifts[best]}
