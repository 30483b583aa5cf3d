"""Who is acting at the command line: a named user, proven by password or by a signed token.

Every command that changes something takes ``--as USER``. The password is asked for
(hidden) unless ``ENTEKHAB_PASSWORD`` is set; a script may instead pass a token from
``entekhab accounts token --as USER`` in ``ENTEKHAB_TOKEN``: it is signed with the
server's secret, names the user, and expires. The CLI never borrows a superuser, so the
audit log names the person who typed the command.
"""

from __future__ import annotations

import os
from typing import Annotated, Any, NoReturn

import typer

from entekhab.i18n import _, current, en_fa

AsUser = Annotated[str, typer.Option("--as", help="the named user who acts",
                                     envvar="ENTEKHAB_AS")]
TOKEN_SALT = "entekhab.cli.as"
TOKEN_MAX_AGE = 8 * 3600  # one working shift


def refuse(en: str, fa: str) -> NoReturn:
    """The refusal in the chosen language (Persian unless ``--lang en``), on stderr; exit 2."""
    typer.echo(f"{_('error')}: {fa if current() == 'fa' else en}", err=True)
    raise typer.Exit(2)


def issue_token(user: Any) -> str:
    from django.core.signing import TimestampSigner

    return TimestampSigner(salt=TOKEN_SALT).sign(f"{user.pk}:{user.username}")


def acting_user(username: str) -> Any:
    """The active user ``username``, once the password or token proves it; otherwise exit 2."""
    from django.contrib.auth import authenticate
    from django.contrib.auth.models import User
    from django.core.signing import BadSignature, SignatureExpired, TimestampSigner

    if not username:
        refuse(*en_fa("say who acts: --as USER (or ENTEKHAB_AS)"))
    token = os.environ.get("ENTEKHAB_TOKEN")
    if token:
        try:
            value = TimestampSigner(salt=TOKEN_SALT).unsign(token, max_age=TOKEN_MAX_AGE)
        except SignatureExpired:
            refuse(*en_fa("the token has expired; issue a new one"))
        except BadSignature:
            refuse(*en_fa("the token is not valid"))
        pk, _, name = value.partition(":")
        user = User.objects.filter(pk=int(pk), username=name, is_active=True).first()
        if user is None or name != username:
            refuse(*en_fa("the token is not %(username)s's", username=repr(username), username2=username))
        return user
    password = os.environ.get("ENTEKHAB_PASSWORD")
    if password is None:
        password = typer.prompt(_("password for %(user)s", user=username), hide_input=True)
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        refuse(*en_fa("wrong user name or password for %(username)s", username=repr(username)))
    return user
