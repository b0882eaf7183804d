"""The scheduling side: taskiq tasks for reminders, status changes and owed DMs, and the
dispatcher that claims due rows and hands them to the broker."""
