"""The application object for `flask --app wsgi` and gunicorn, configured by APP_ENV."""

import gc
import os

from app import create_app
from config import configs

app = create_app(configs[os.environ.get("APP_ENV", "development")])
# What is loaded by now lives as long as the process: moved out of the collector's reach, a full collection
# no longer walks it. Under chat load those passes stopped every connection for 80-130 ms (bench/README.md).
gc.freeze()
