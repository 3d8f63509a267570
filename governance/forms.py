from __future__ import annotations

from django import forms

from governance.services import MAX_APPROVALS, MAX_MONTHS

_MONTHS = {
    "min_value": "At least %(limit_value)s month.",
    "max_value": "At most %(limit_value)s months.",
    "invalid": "A whole number of months.",
}


class PolicyForm(forms.Form):
    required_approvals = forms.IntegerField(
        label="Approvals needed",
        min_value=1,
        max_value=MAX_APPROVALS,
        error_messages={
            "required": "Say how many approvals a revision needs.",
            "min_value": "At least %(limit_value)s approval.",
            "max_value": "At most %(limit_value)s approvals.",
            "invalid": "A whole number of approvals.",
        },
    )
    groups = forms.ModelMultipleChoiceField(
        label="One approval from each of",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "That group is not one of this team's groups."},
    )
    review_interval_months = forms.IntegerField(
        label="Review every (months)",
        min_value=1,
        max_value=MAX_MONTHS,
        required=False,
        error_messages=_MONTHS,
    )
    evaluation_max_age_months = forms.IntegerField(
        label="Newest evaluation at most (months old)",
        min_value=1,
        max_value=MAX_MONTHS,
        required=False,
        error_messages=_MONTHS,
    )

    package_stage = forms.CharField(
        label="On approval, set the model package's stage", max_length=63, required=False
    )
    package_stage_status = forms.CharField(
        label="with the stage status", max_length=63, required=False
    )

    def __init__(self, *args, groups, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = groups


class GroupForm(forms.Form):
    name = forms.CharField(
        label="Group name",
        max_length=100,
        error_messages={
            "required": "Give the group a name.",
            "max_length": "Group names have at most %(limit_value)d characters.",
        },
    )
    members = forms.ModelMultipleChoiceField(
        label="Reviewers in the group",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one of the team's reviewers.",
            "invalid_choice": "That user is not a reviewer of this team.",
        },
    )

    def __init__(self, *args, reviewers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = reviewers
        self.fields["members"].label_from_instance = lambda user: user.get_username()


class GateForm(forms.Form):
    metric = forms.CharField(
        label="Metric (a name, or a pattern with * and ?)",
        max_length=200,
        error_messages={"required": "Name the metric (a name, or a pattern such as auc*)."},
    )
    job = forms.CharField(label="Evaluation job (empty: any)", max_length=200, required=False)
    group = forms.CharField(label="Metric group (empty: any)", max_length=200, required=False)
    minimum = forms.FloatField(
        label="At least", required=False, error_messages={"invalid": "A number, such as 0.8."}
    )
    maximum = forms.FloatField(
        label="At most", required=False, error_messages={"invalid": "A number, such as 1.25."}
    )
    risk_ratings = forms.MultipleChoiceField(
        label="For cards of risk",
        choices=[(rating, rating) for rating in ("High", "Medium", "Low", "Unknown")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the risk ratings the gate applies to."},
    )
