"""Matching: different modalities tied into one shared space, where what goes together lies close — word vectors
(02), an image–text joint embedding (03), a sound network taught by an image network (08)."""
