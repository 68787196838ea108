"""Pages (filled in below)."""
TOKEN_COOKIE = "qctoken"


def register(flask) -> None:
    pass
