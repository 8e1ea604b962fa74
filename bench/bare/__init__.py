"""The bare ceiling: a minimal Django project whose views do only the booking's
two statements (``bench.sql``) and one slot read, on antre's own tables and
database settings, served by the same granian settings as antre."""
