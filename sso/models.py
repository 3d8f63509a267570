"""Who a provider's subject is here, and which provider groups give which roles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cards.models import Role, Team


class Identity(models.Model):
    """A user as the identity provider knows them: matched by (issuer, sub), never by e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_unique_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.subject})"


class RoleMapping(models.Model):
    """One value of the roles claim (a group, an app role...) and what it gives at sign-in:
    a role in a team, site admin, or both."""

    claim_value = models.CharField(
        max_length=200, help_text="A value of the claim OIDC_CLAIM_PATH names, e.g. a group."
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role, blank=True)
    site_admin = models.BooleanField(
        default=False, help_text="Members of this value are site admins (and reach the admin)."
    )

    class Meta:
        ordering = ["claim_value", "team__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True, role="") | (Q(team__isnull=False) & ~Q(role="")),
                name="sso_mapping_team_has_role",
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(site_admin=True),
                name="sso_mapping_gives_something",
            ),
            models.UniqueConstraint(
                fields=["claim_value", "team"], name="sso_mapping_one_role_per_team"
            ),
            models.UniqueConstraint(
                fields=["claim_value"],
                condition=Q(team__isnull=True),
                name="sso_mapping_one_admin_row",
            ),
        ]

    def __str__(self) -> str:
        return f"“{self.claim_value}” → {self.gives()}"

    def gives(self) -> str:
        parts = [f"{self.team} {self.get_role_display().lower()}"] if self.team_id else []
        if self.site_admin:
            parts.append("site admin")
        return " and ".join(parts)

    def clean(self) -> None:
        if self.team_id and not self.role:
            raise ValidationError({"role": "Choose the role this value gives in the team."})
        if self.role and not self.team_id:
            raise ValidationError({"team": "Choose the team this role is in."})
        if not self.team_id and not self.site_admin:
            raise ValidationError(
                {"team": "Choose a team and role, or make this value give site admin."}
            )
