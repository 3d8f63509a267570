# Model Card Studio: one image for the web server and the worker (see docker-compose.yml).
FROM python:3.13-slim

COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /uvx /usr/local/bin/

ENV PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app

# Dependencies first, so that code changes do not reinstall them.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --locked --no-dev

COPY . .

# Settings need a key to import; collectstatic uses no database (manage.py starts none for it).
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --system --no-create-home studio
USER studio

EXPOSE 8000
# ASGI: uvicorn workers in gunicorn, one per core (WEB_CONCURRENCY), as the run command serves;
# long polls wait in the event loop. WEB_ACCESS_LOG=true for a line per request.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.asgi"]
