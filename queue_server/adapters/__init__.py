"""Adapters: how the office talks to things outside its domain (disk, network, the centre)."""
