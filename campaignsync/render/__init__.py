"""Stage 3, render: the Jinja2 sandbox, Markdown to HTML and text, dates and time zones."""
