"""The parts every model of the course is composed of, ``encoders -> fusion -> head``: encoders per modality,
attention, fusions with one contract, the composed models, decoding, pretraining of the image encoder, remedies for
modality bias, and the judges of generated images. See ``mmutils``'s docstring for the map."""
