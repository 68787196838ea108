"""What the kiosk, the displays and the server share, and nothing that pulls in a role's stack.

``i18n`` (Babel only) is imported by every role, ``codes`` (how appeal and booking codes
are read, plain Python) by the server and the kiosk; ``gui_inbox``, ``diagnostics``,
``fullscreen`` and ``ticket_number`` need PySide6 and are imported by the kiosk and the
displays only. See docs/install.md for how the roles are packaged.
"""
