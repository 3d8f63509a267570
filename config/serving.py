"""The web server's worker class: uvicorn inside gunicorn (ASGI), without the lifespan probe.

Django answers no ASGI lifespan events; uvicorn's "auto" would try them and log that they are
unsupported on every start. ``config/gunicorn.py`` names this class.
"""

from uvicorn_worker import UvicornWorker


class StudioUvicornWorker(UvicornWorker):
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "lifespan": "off"}
