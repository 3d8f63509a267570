from oauth2_provider.oauth2_validators import OAuth2Validator


class GroupsValidator(OAuth2Validator):
    """Claims from the Django user: e-mail, names, and its groups as ``groups`` (and as
    Keycloak's ``realm_access.roles``). A user in no group gets neither claim, as Okta and
    Entra ID leave the claim out."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "groups": "groups",
        "realm_access": "groups",
    }

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "email": user.email,
            "email_verified": True,
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
        groups = sorted(user.groups.values_list("name", flat=True))
        if groups:
            claims["groups"] = groups
            claims["realm_access"] = {"roles": groups}
        return claims
