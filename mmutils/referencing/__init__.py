"""Referencing: the output stays in the input's modality and consults another — a question's answer consults the
image (06), a map over the image consults the sound (10), the face's lips consult the speech (11)."""
