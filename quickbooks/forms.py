from django import forms

from .models import Role


class RoleField(forms.ChoiceField):
    default_error_messages = {
        "invalid_choice": "“%(value)s” is not a role here. Choose viewer, project manager, accountant or admin.",
    }

    def __init__(self, **kwargs):
        super().__init__(choices=Role.choices, **kwargs)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = RoleField(initial=Role.VIEWER)


class MembershipRoleForm(forms.Form):
    role = RoleField()
