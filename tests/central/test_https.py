"""The push over HTTPS: the certificate is verified, against a company CA named in office.toml."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from central_support import (
    CentralProcess,
    add_office,
    caught_up,
    centre_lines,
    pusher,
    pushing_office,
    wait_for,
)
from live_office import stop_live_office


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_company_ca(folder: Path) -> dict[str, Path]:
    """A company CA and a certificate it signed for 127.0.0.1 (made here, valid two days)."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=Test Company CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-addext", "subjectKeyIdentifier=hash", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=127.0.0.1", cwd=folder)
    (folder / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf", cwd=folder)
    return {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}


@pytest.fixture
def tls_centre(central_db, tmp_path):
    pki = make_company_ca(tmp_path / "pki")
    proc = CentralProcess(central_db, tmp_path / "qcentral.log", tls=(pki["cert"], pki["key"])).start()
    yield proc, pki
    proc.stop()


def test_push_over_https_with_the_company_ca(tls_centre, central_db, tmp_path):
    centre, pki = tls_centre
    assert centre.url.startswith("https://")
    office_id, token = add_office(central_db, "TLS")
    live = pushing_office(tmp_path / "o", centre.url, token, ca_file=str(pki["ca"]))
    try:
        live.ticket("reception")
        wait_for(caught_up(live, central_db, office_id), what="the push over HTTPS")
        wait_for(lambda: pusher(live).state == "up", what="the link to count as up")
    finally:
        stop_live_office(live)


def test_an_unknown_certificate_is_refused(tls_centre, central_db, tmp_path, caplog):
    centre, _pki = tls_centre
    office_id, token = add_office(central_db, "TLS-нет")
    live = pushing_office(tmp_path / "o", centre.url, token)  # no ca_file: the system's CAs only
    try:
        live.ticket("reception")  # the office works regardless
        wait_for(lambda: pusher(live).pushes == 0 and pusher(live).state == "down", what="the refusal")
        assert centre_lines(central_db, office_id) == []
        assert "certificate verify failed" in caplog.text.lower()
    finally:
        stop_live_office(live)
