"""Pages for citizens (warga): the home page, accounts, finding a slot and
the citizen's bookings. Thin: parse, call one service or selector, render."""
