from django import forms

from chat.models import ChatEvent, Service


class ChannelForm(forms.Form):
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
    active = forms.BooleanField(label="Active (uncheck to pause)", required=False, initial=True)
    allow_private_network = forms.BooleanField(
        label="Allow private network addresses (site administrators only)",
        required=False,
        help_text="Lets this channel's URL reach loopback, private and link-local addresses.",
    )

    def __init__(self, *args, site_admin: bool, creating: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not site_admin:
            del self.fields["allow_private_network"]
        if creating:
            del self.fields["active"]
        else:
            # The service stays what it was; the URL is never shown again.
            del self.fields["service"]
            self.fields["url"].required = False
            self.fields["url"].help_text = "Leave empty to keep the current address."
