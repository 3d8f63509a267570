from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from cards.models import CardStatus, RiskRating, Team


class CardFilterForm(forms.Form):
    q = forms.CharField(label="Find cards", required=False, max_length=200)
    status = forms.ChoiceField(choices=[("", "Any status")] + CardStatus.choices, required=False)
    risk_rating = forms.ChoiceField(
        label="Risk rating", choices=[("", "Any risk rating")] + RiskRating.choices, required=False
    )


class ImportCardForm(forms.Form):
    name = forms.CharField(label="Model card name", max_length=63)
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.none(), empty_label=None)
    file = forms.FileField(
        label="Model card JSON",
        help_text="A content document as exported here or written by the SageMaker SDK.",
    )

    def __init__(self, *args, teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[team.pk for team in teams])
        if len(teams) == 1:
            self.fields["team"].required = False
            self.fields["team"].widget = forms.HiddenInput()
        self.only_team = teams[0] if len(teams) == 1 else None

    def clean_team(self) -> Team:
        return self.cleaned_data.get("team") or self.only_team

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; the limit is "
                f"{limit / 1_000_000:.0f} MB."
            )
        return upload
