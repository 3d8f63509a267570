from django import forms

from cards.events import PUBLIC_CHOICES


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Payload URL",
        max_length=2000,
        help_text="Where the events are POSTed: https://… (a public address).",
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/studio"}),
    )
    events = forms.MultipleChoiceField(
        choices=PUBLIC_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )
    active = forms.BooleanField(label="Active (uncheck to pause)", required=False, initial=True)
    allow_private_network = forms.BooleanField(
        label="Allow private network addresses (site administrators only)",
        required=False,
        help_text="Lets this endpoint reach loopback, private and link-local addresses.",
    )

    def __init__(self, *args, site_admin: bool, creating: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not site_admin:
            del self.fields["allow_private_network"]
        if creating:
            del self.fields["active"]
