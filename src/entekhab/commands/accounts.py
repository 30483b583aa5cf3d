"""``entekhab accounts``: appoint and revoke roles, issue a CLI token, bootstrap the first user administrator."""

from __future__ import annotations

from typing import Annotated

import typer

from entekhab.commands.identity import AsUser, acting_user, issue_token, refuse
from entekhab.commands.say import ident, say
from entekhab.i18n import _, en_fa, gettext_in

app = typer.Typer(help="People and their appointments.", no_args_is_help=True)


def _setup() -> None:
    from entekhab.hq.bootstrap import setup

    setup()


def _refusals(action):
    from django.core.exceptions import PermissionDenied

    from entekhab.domain.errors import DomainError

    try:
        return action()
    except DomainError as exc:
        refuse(exc.message_en, exc.message_fa)
    except PermissionDenied as exc:
        refuse(getattr(exc, "message_en", "not allowed"), getattr(exc, "message_fa", gettext_in("fa", "not allowed")))


def _places(election: str | None, area: str | None, branch: str | None):
    from entekhab.hq.elections.models import Branch, Election
    from entekhab.hq.geography.models import Area

    e = a = b = None
    if election:
        e = Election.objects.filter(code=election).first() or refuse(
            *en_fa("no election %(election)s", election=repr(election), election2=election)
        )
    if area:
        a = Area.objects.filter(code=area).first() or refuse(*en_fa("no area %(area)s", area=repr(area), area2=area))
    if branch:
        b = Branch.objects.filter(code=branch, election=e).first() if e else None
        b = b or refuse(*en_fa("no branch %(branch)s in that election", branch=repr(branch), branch2=branch))
    return e, a, b


def _person(username: str):
    from django.contrib.auth.models import User

    return User.objects.filter(username=username).first() or refuse(
        *en_fa("no user %(username)s", username=repr(username), username2=username)
    )


@app.command()
def appoint(username: str, role: str, as_user: AsUser = "",
            election: Annotated[str | None, typer.Option(help="election code")] = None,
            area: Annotated[str | None, typer.Option(help="area code (its sub-areas included)")] = None,
            branch: Annotated[str | None, typer.Option(help="branch code (needs --election)")] = None,
            reason: str = "") -> None:
    """Appoint USERNAME to ROLE in an area, a branch or the whole election (user administrator only)."""
    _setup()
    from entekhab.hq.accounts.actions import do_appoint

    actor = acting_user(as_user)
    e, a, b = _places(election, area, branch)
    person = _person(username)
    _refusals(lambda: do_appoint(person, role, acting_user=actor, election=e, area=a, branch=b, reason=reason))
    say("appointed: %(user)s %(role)s @ %(place)s", user=ident(username), role=ident(role),
        place=ident(branch or area or election or "*"))


@app.command()
def revoke(username: str, role: str, as_user: AsUser = "", reason: str = "") -> None:
    """Revoke every appointment of USERNAME in ROLE."""
    _setup()
    from entekhab.hq.accounts.actions import do_revoke

    actor = acting_user(as_user)
    person = _person(username)
    for appointment in list(person.appointments.filter(role=role)):
        _refusals(lambda a=appointment: do_revoke(a, acting_user=actor, reason=reason))
    say("revoked: %(user)s %(role)s", user=ident(username), role=ident(role))


@app.command()
def token(as_user: AsUser = "") -> None:
    """Print a signed token (8 hours) for ENTEKHAB_TOKEN, after the password proves who you are."""
    _setup()
    typer.echo(issue_token(acting_user(as_user)))


@app.command("bootstrap-admin")
def bootstrap_admin(username: str) -> None:
    """From the server's shell: create the first user administrator (asks for a password)."""
    _setup()
    from django.contrib.auth.models import User

    from entekhab.hq.accounts.actions import bootstrap_appointment

    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_password(typer.prompt(_("password"), hide_input=True, confirmation_prompt=True))
        user.save()
    _refusals(lambda: bootstrap_appointment(user, "user_admin", by="shell", reason="first user administrator"))
    say("user administrator: %(user)s", user=ident(username))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="accounts")
