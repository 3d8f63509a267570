.PHONY: run test lint

run:
	uv run manage.py studio

test:
	uv run pytest

lint:
	uv run ruff check . && uv run ruff format --check .
