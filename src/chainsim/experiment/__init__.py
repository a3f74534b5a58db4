"""Experiments: run a scenario (pathways x replications), summarise it, write its outputs."""
