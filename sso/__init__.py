"""Single sign-on through the company's OpenID Connect provider (mozilla-django-oidc)."""
