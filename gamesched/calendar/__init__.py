"""Games as calendars: iCalendar (RFC 5545) feeds and files, and "add to Google Calendar"
links. Pure: game snapshots in, bytes or a URL out; the front ends serve them."""
