"""Web pages served by the API itself: the teacher's and the pupil's pages, offline API docs and
our own static assets. Pages call the same services as the REST routers."""
