"""Serves the PWA shell and its files; /sw.js is versioned by a hash of pwa/ so deploys reach clients."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)
