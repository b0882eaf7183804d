"""What /calendar answers with: the feed's address and how to use it, and its button."""

from __future__ import annotations

import disnake

from gamesched.discord.custom_ids import Action, calendar_custom_id
from gamesched.services.calendars import FeedAddress, FeedKind

NO_WEB = (
    "Calendar feeds are served by my web pages, and no web address is set up for me here, so "
    "there is no feed to subscribe to. Whoever runs me can set one up (`web.public_url`)."
)
"""/calendar, and the calendar links of /game-info, when the web is not set up."""
HOW_TO = (
    "Subscribe to it in your calendar app (Google Calendar: *Other calendars* > *From URL*; "
    "Apple Calendar: *File* > *New Calendar Subscription*)."
)
WHOSE = {
    FeedKind.MEMBER: "Your calendar feed: the games you host, joined or are waitlisted for",
}
SECRET = {
    FeedKind.MEMBER: "Keep it to yourself: anyone with this address sees your games.",
}


def feed_text(address: FeedAddress, url: str | None) -> str:
    """The feed's address (or why it cannot be shown), and what to do with it."""
    whose = WHOSE[address.kind]
    if url is None:
        return (
            f"{whose} exists, but I cannot show its address again here (it was made by another "
            "of my processes). Press **New address** to get one; the old address stops working."
        )
    made = "New address. The old one no longer works.\n" if address.new else ""
    return (
        f"{made}{whose}:\n{url}\n{HOW_TO}\n{SECRET[address.kind]} "
        "**New address** makes a new one, and the old one stops working."
    )


def rotate_button(kind: FeedKind) -> disnake.ui.MessageActionRow:
    """The button that gives the feed a new address."""
    return disnake.ui.ActionRow(
        disnake.ui.Button(
            label="New address",
            style=disnake.ButtonStyle.secondary,
            custom_id=calendar_custom_id(Action.ROTATE, kind),
        )
    )
