"""The application object for `flask --app wsgi` and gunicorn, configured by APP_ENV."""

import os

from app import create_app
from config import configs

app = create_app(configs[os.environ.get("APP_ENV", "development")])
