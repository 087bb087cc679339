"""Real HTTP servers on loopback that play the outside world in tests: news sites and the Bot API."""
