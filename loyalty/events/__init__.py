"""Client-care events (issue 10, part 3): see loyalty/README.md, "Client-care events"."""
