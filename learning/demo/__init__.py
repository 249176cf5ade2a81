"""Demo data for a newcomer's machine: accounts for every role, organisations in two regions."""
