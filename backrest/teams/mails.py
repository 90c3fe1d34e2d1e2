"""The texts of the teams' mails. Each function returns ``(subject, body)``."""

from __future__ import annotations

from backrest.accounts.mails import SIGNATURE


def invitation(team: str, inviter: str | None, link: str, days: float) -> tuple[str, str]:
    """The invitation to join ``team``, from ``inviter`` (an address; ``None`` for a team's key).

    The team's name is the only thing of the team it tells, quoted as a
    name: whoever owns the address learns nothing more until they accept.
    """
    who = f"{inviter} invited you" if inviter else "You were invited"
    return (
        "An invitation to join a team",
        f"{who} to join the team {team!r}. To accept, log in with the account of "
        f"this address (or sign up with it) and open this link within {days:g} days:\n\n{link}\n\n"
        "The link works once. If you do not want to join, ignore this mail." + SIGNATURE,
    )
