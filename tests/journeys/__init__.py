"""Owner journeys written as French conversations (see README.md), run against the real bot."""
