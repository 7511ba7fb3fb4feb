"""Web pages served by the API itself: offline API docs and our own static assets."""
