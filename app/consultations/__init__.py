"""Consultations (议事协商): a topic opened for residents' opinions, closed, answered and followed through."""
