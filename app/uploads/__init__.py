"""Uploaded images: checked by content, re-encoded without metadata, served to those who may see them."""
