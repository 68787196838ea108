"""Adapters: what the office talks to outside itself (disk, mail, SMS, the centre)."""
