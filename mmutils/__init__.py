"""mmutils: the building blocks of the multi-modal deep learning course.

Every lesson imports what it needs from here, and shows the code with ``show_source``. The package follows the
lecture's map: shared blocks by role, each lesson's own blocks under the lecture's three families of methods
(matching, translating, referencing), every metric in one place.

Shared foundations

* ``core``        seeding (and the ``MMUTILS_SEED`` knob), device choice, environment report, ``show_source``,
  ``one_thread`` (small-op synthesis on one CPU thread)
* ``validate``    input checks that raise a clear ``ValueError``
* ``training``    ``fit`` (progress bar, history per epoch and per step), ``ShuffledBatches`` (epochs of random
  mini-batches by indexing), ``RandomBatches`` (a number of steps of rows drawn at random), ``plot_history``
* ``results``     the ``results`` cell: ``report_results``
* ``viz``         image grid, heatmap overlay, spectrogram, embedding map, audio player, animation
* ``widgets``     ``play_with``: controls that redraw a lesson's figure live in JupyterLab (default drawn first)
* ``data``        the shipped data bundle: checksummed paths and loaders
* ``text``        tokens and vocabularies, the mean of a text's word vectors (``mean_of_words``)
* ``audio``       audio features (``log_mel``) and files (soundfile)
* ``stft``        the STFT and its inverse, by hand (lesson 07)
* ``world``       the course world: scenes, captions, QA, sounds, speech, faces, splits with unseen combinations;
  and each lesson's data built from it: ``world.texts`` (tagging texts, 03), ``world.prompts`` (05),
  ``world.questions`` (VQA examples, 06)

``blocks``: the parts models are composed of, ``encoders -> fusion -> head``

* ``blocks.encoders``     image (``ImageCNN``), audio (``AudioCNN``, ``WaveformCNN``) and text (``BagOfWordsEncoder``,
  ``QuestionEncoder``, ``TextConditioner``) encoders
* ``blocks.attention``    ``AdditiveAttention``, ``WordAttentionPool``, ``glimpse_pool``: every attending model's
  attention
* ``blocks.fusion``       interchangeable fusions with one contract, ``forward(features: list) -> (B, out_dim)``
* ``blocks.models``       models composed from the parts: ``LateFusionClassifier`` (01), ``VQAModel`` (06)
* ``blocks.decoding``     greedy and beam-search decoding of a step function
* ``blocks.pretraining``  the image encoder pretrained on the world's labels, then frozen (04, 06)
* ``blocks.balance``      remedies for modality bias: modality dropout, OGM-GE (01)
* ``blocks.judges``       independent judges of generated images: attribute classifier, blur-and-noise augmentation

``matching``: two modalities in one space

* ``matching.word2vec``         skip-gram with negative sampling, analogies (02)
* ``matching.joint_embedding``  image–text joint embedding and its losses, zero-shot tagging through words (03)
* ``matching.distillation``     cross-modal distillation, SoundNet (08)

``translating``: one modality generated from another

* ``translating.captioning``       Show and Tell, Show Attend and Tell, the slotted decoder (04)
* ``translating.text_to_image``    plain and layered decoders, cVAE, GAN-CLS (05)
* ``translating.speech2face``      voice -> face (09)
* ``translating.image_to_speech``  image -> spoken description, vocoding, the cascade through text (09)

``referencing``: one modality pointing into another

* ``referencing.vqa``           the VQA grid's positions (06; the model is ``blocks.models.VQAModel``)
* ``referencing.localization``  where a sound comes from in the image (10)
* ``referencing.lipsync``       visemes, mouth tracks, lip generator, sync expert (11)

``metrics``: classification, retrieval (one tie rule), text, localization, sync, generation

``scale``: the same blocks on real datasets (Flickr8k/30k, COCO, VQA v2, VGG-SS, Flickr-SoundNet), a ResNet from a
weights file, one entry point per family on a CPU, a GPU or ``torchrun`` (``python -m mmutils.scale.train``)

Course tooling

* ``checks``      the homework checks (``check``)
* ``lessons``     the lesson files: sources, execution, checked outputs
* ``homework``    student copies and grading
* ``course``      the command line: rebuild, text, students, bench, grade (``python -m mmutils.course``)
* ``robustness``  every lesson's bars over seeds and thread counts (``python -m mmutils.robustness``)
* ``setup_cell``  every lesson's first cell, which installs the course outside its checkout (Colab); Colab links
"""

from .core import environment_report, get_device, rng, seed_everything, show_source
from .metrics import accuracy, majority_baseline
from .results import BarNotMet, report_results
from .training import History, RandomBatches, ShuffledBatches, fit, plot_history
from .viz import animation_html, audio_player, embedding_scatter, heatmap_overlay, image_grid, show_spectrogram

__version__ = "0.1.0"

__all__ = [
    "environment_report", "get_device", "rng", "seed_everything", "show_source",
    "accuracy", "majority_baseline", "BarNotMet", "report_results",
    "History", "RandomBatches", "ShuffledBatches", "fit", "plot_history",
    "animation_html", "audio_player", "embedding_scatter", "heatmap_overlay", "image_grid", "show_spectrogram",
]
