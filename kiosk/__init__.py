"""The touchscreen ticket kiosk (`qkiosk`); see docs/kiosk.md."""
