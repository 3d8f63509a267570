from django import forms

from cards.events import PUBLIC_CHOICES


class SubscriberForm(forms.Form):
    """What webhooks' endpoints and chat's channels (chat/forms.py) both have: pausing, and
    private network addresses that only a site admin may allow. The subclass adds its own
    fields, names their order in ``field_order``, and says what the address is."""

    private_help = "Lets this endpoint reach loopback, private and link-local addresses."

    active = forms.BooleanField(label="Active (uncheck to pause)", required=False, initial=True)
    allow_private_network = forms.BooleanField(
        label="Allow private network addresses (site administrators only)", required=False
    )

    def __init__(self, *args, site_admin: bool, creating: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if site_admin:
            self.fields["allow_private_network"].help_text = self.private_help
        else:
            del self.fields["allow_private_network"]
        if creating:
            del self.fields["active"]


class EndpointForm(SubscriberForm):
    field_order = ["url", "events", "active", "allow_private_network"]

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
