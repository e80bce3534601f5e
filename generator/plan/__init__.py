"""The typed, frozen model of a plan and the resolution of the agencies its cells name."""
