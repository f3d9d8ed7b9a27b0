"""Stage 1, load: campaignsync.toml, the calendar and the message files into a Project."""
