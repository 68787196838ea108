"""Adapters: what the office keeps on disk and writes out (database layout, files, logs)."""
