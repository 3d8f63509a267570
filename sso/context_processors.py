from django.conf import settings

from sso.discovery import sso_enabled


def sign_in(request):
    """What the sign-in page offers (also when django-axes renders it for a lockout)."""
    return {
        "sso_provider": settings.OIDC_PROVIDER_NAME if sso_enabled() else "",
        "password_sign_in": settings.PASSWORD_SIGN_IN,
    }
