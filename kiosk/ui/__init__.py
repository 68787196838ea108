"""The kiosk's widgets: thin views over KioskController."""
