"""What /calendar answers with: each feed's address and how to use it, and the buttons that
give a feed a new address."""

from __future__ import annotations

from collections.abc import Sequence

import disnake

from gamesched.discord.custom_ids import Action, calendar_custom_id
from gamesched.services.calendars import FeedAddress, FeedKind

NO_WEB = (
    "Calendar feeds are served by my web pages, and no web address is set up for me here, so "
    "there is no feed to subscribe to. Whoever runs me can set one up (`web.public_url`)."
)
"""/calendar when the web is not set up."""
HOW_TO = (
    "Subscribe to it in your calendar app (Google Calendar: *Other calendars* > *From URL*; "
    "Apple Calendar: *File* > *New Calendar Subscription*)."
)
WHOSE = {
    FeedKind.MEMBER: "Your calendar feed: the games you host, joined or are waitlisted for",
    FeedKind.GUILD: "This server's public calendar feed: the games of its channels that share "
    "theirs",
    FeedKind.CHANNEL: "This channel's public calendar feed: its games",
}
SHARING = {
    FeedKind.MEMBER: "Keep it to yourself: anyone with this address sees your games.",
    FeedKind.GUILD: "Anyone with this address sees these games; share it where you like.",
    FeedKind.CHANNEL: "Anyone with this address sees these games; share it where you like.",
}
BUTTON_LABELS = {
    FeedKind.MEMBER: "New address",
    FeedKind.GUILD: "New server address",
    FeedKind.CHANNEL: "New channel address",
}


def feed_text(address: FeedAddress, url: str | None, *, renewable: bool, renewed: bool) -> str:
    """One feed's address (or why it cannot be shown), and what to do with it; ``renewed``
    when the member just gave it a new address."""
    whose = WHOSE[address.kind]
    button = BUTTON_LABELS[address.kind]
    if url is None:
        remedy = (
            f"**{button}** makes one I can show; the old address stops working."
            if renewable
            else "Someone who manages it can make a new one."
        )
        return (
            f"{whose}: I cannot show its address again here (another of my processes made "
            f"it). {remedy}"
        )
    lines = [f"{whose}:", url, HOW_TO, SHARING[address.kind]]
    if renewed:
        lines.insert(0, "New address made. The old one no longer works.")
    if renewable:
        lines.append(f"**{button}** makes a new one, and the old one stops working.")
    return "\n".join(lines)


def renew_buttons(kinds: Sequence[FeedKind]) -> disnake.ui.MessageActionRow:
    """A button per feed the member may give a new address."""
    return disnake.ui.ActionRow(
        *(
            disnake.ui.Button(
                label=BUTTON_LABELS[kind],
                style=disnake.ButtonStyle.secondary,
                custom_id=calendar_custom_id(Action.ROTATE, kind),
            )
            for kind in kinds
        )
    )
