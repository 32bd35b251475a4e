"""Stand-in for ilit.conf."""
