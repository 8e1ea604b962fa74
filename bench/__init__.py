"""The booking-rush benchmark of antre and its ceilings (``make bench``; see README.md)."""
