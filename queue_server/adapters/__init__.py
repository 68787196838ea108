"""Adapters: what the office needs from the outside world (password lists, throttling state)."""
