"""Stand-in for lpot.conf."""
