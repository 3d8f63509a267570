"""A real OpenID Connect provider for the single sign-on tests (django-oauth-toolkit).

Its own Django project and SQLite database, started as a process on a free loopback port by
tests/sso/conftest.py: ``python -m tests.oidc_provider.serve PORT DB``.
"""
