"""Entry points: how requests and sockets reach the office (the ASGI edge)."""
