"""Beyond the course world: the lessons' blocks trained and evaluated on real datasets, on a CPU, a GPU, or several
processes with ``torchrun`` (PyTorch's DistributedDataParallel).

* ``readers``    real datasets in their published layouts (Flickr8k/30k, COCO captions, Karpathy splits, VQA v2,
  VGG-Sound Sources, Flickr-SoundNet); missing files named, missing items skipped and counted
* ``backbones``  a torchvision ResNet and the course's audio encoder with weights from a file you give
* ``families``   one task per method family (matching, captioning, VQA, localisation) built from the course's blocks,
  with its evaluation and standard metrics
* ``engine``     the training loop: DistributedSampler, DDP, mixed precision on CUDA, rank-0 checkpoints, resume
* ``train``      the command line: ``python -m mmutils.scale.train FAMILY --data LAYOUT --root PATH ...``
* ``fake``       small fake datasets in each layout (tests, throughput measurements)
"""
