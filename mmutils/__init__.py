"""mmutils: the building blocks of the multi-modal deep learning course.

Every lesson imports what it needs from here, and shows the code with ``show_source``. Modules:

* ``core``       seeding (and the ``MMUTILS_SEED`` knob), device choice, environment report, ``show_source``,
  ``one_thread`` (small-op synthesis on one CPU thread)
* ``validate``   input checks that raise a clear ``ValueError``
* ``training``   ``fit`` (progress bar, history), ``ShuffledBatches`` (random mini-batches by indexing),
  ``plot_history``
* ``viz``        image grid, heatmap overlay, spectrogram, embedding map, audio player, animation
* ``widgets``    ``play_with``: controls that redraw a lesson's figure live in JupyterLab (default drawn first)
* ``metrics``    metrics and controls (accuracy, majority baseline, ...)
* ``results``    the ``results`` cell: ``report_results``
* ``data``       the shipped data bundle: checksummed paths and loaders
* ``world``      the course world: scenes, captions, QA, sounds, speech, splits with unseen combinations
* ``encoders``   one small network per modality (``ImageCNN``, ``AudioCNN``, ``WaveformCNN``)
* ``pretraining`` the image encoder pretrained on the world's labels, then frozen (lessons 04, 06)
* ``fusion``     interchangeable fusions (``ConcatFusion``)
* ``models``     models composed as encoders -> fusion -> head (``LateFusionClassifier``)
* ``balance``    remedies for modality bias: modality dropout, OGM-GE
* ``audio``      audio features (``log_mel``) and files (soundfile)
* ``stft``       the STFT and its inverse, by hand (lesson 07)
* ``distill``    cross-modal distillation: soft targets, KL loss (lesson 08)
* ``generation`` text-to-image: word-attention text reader, plain and layered decoders, cVAE, GAN-CLS (lesson 05)
* ``judges``     independent judges of generated images: attribute classifier, blur-and-noise augmentation
* ``audio_translation``  Speech2Face and image-to-speech: face autoencoder, voice encoder, vocoding, the cascade
  through text (lesson 09)
* ``lipsync``    visemes, mouth tracks, lip generator, sync expert, LSE-D / LSE-C (lesson 11)
* ``text``       tokens and vocabularies, the mean of a text's word vectors (``mean_of_words``)
* ``word2vec``   skip-gram with negative sampling, analogies (3CosAdd)
* ``exercises``  homework checks (``check``)
* ``notebooks``  rebuild lessons, student copies, grading, benchmark (command line: ``python -m mmutils.notebooks``)
* ``setup_cell`` every lesson's first cell, which installs the course outside its checkout (Colab); Colab links
"""

from .core import environment_report, get_device, rng, seed_everything, show_source
from .metrics import accuracy, majority_baseline
from .results import BarNotMet, report_results
from .training import History, ShuffledBatches, fit, plot_history
from .viz import animation_html, audio_player, embedding_scatter, heatmap_overlay, image_grid, show_spectrogram

__version__ = "0.1.0"

__all__ = [
    "environment_report", "get_device", "rng", "seed_everything", "show_source",
    "accuracy", "majority_baseline", "BarNotMet", "report_results",
    "History", "ShuffledBatches", "fit", "plot_history",
    "animation_html", "audio_player", "embedding_scatter", "heatmap_overlay", "image_grid", "show_spectrogram",
]
