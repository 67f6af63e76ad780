"""Translating: one modality generated from another — captions from images (04), images from text (05), faces from
voices and speech from images (09)."""
