from django import forms

from chat.models import ChatEvent, Service
from webhooks.forms import SubscriberForm


class ChannelForm(SubscriberForm):
    field_order = ["service", "name", "url", "events", "active", "allow_private_network"]
    private_help = "Lets this channel's URL reach loopback, private and link-local addresses."

    service = forms.ChoiceField(choices=Service.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        label="Channel",
        max_length=80,
        help_text="How your team calls it, e.g. #ml-reviews (shown here and in the audit log).",
    )
    url = forms.CharField(
        label="Webhook URL",
        max_length=2000,
        help_text=(
            "Slack: the incoming webhook's https://hooks.slack.com/services/… address. "
            "Teams: the HTTP POST URL of a Workflows flow started by “When a Teams webhook "
            "request is received”. Whoever has it can post to the channel: it is shown only "
            "masked once saved."
        ),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        choices=ChatEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )

    def __init__(self, *args, site_admin: bool, creating: bool = False, **kwargs) -> None:
        super().__init__(*args, site_admin=site_admin, creating=creating, **kwargs)
        if not creating:
            # The service stays what it was; the URL is never shown again.
            del self.fields["service"]
            self.fields["url"].required = False
            self.fields["url"].help_text = "Leave empty to keep the current address."
