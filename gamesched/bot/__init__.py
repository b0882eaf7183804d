"""The disnake bot: slash commands, modals and buttons on top of the use cases."""
