"""Packages per machine role: Python wheels, Debian packages, the install test, the Windows build.

``python -m installers packages`` (``make packages``) and ``python -m installers
test-install`` (``make test-install``); docs/install.md is the reader's side.
"""
