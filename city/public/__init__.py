"""What people and systems outside the city's centre see of a case: its public stage, told as it changes."""
