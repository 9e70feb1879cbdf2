"""What every simulated exchange shares: the server, its bounds, fault knobs, clock, events and accounts files."""
