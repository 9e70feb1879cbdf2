"""A client on a plain-HTTP base loads no CA bundle, and never speaks unchecked TLS: pointed at an
https server later (as an exchange's environments are switched), its handshake fails the
certificate check. A client on an https base checks certificates against the CA bundle."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.exchanges.errors import ExchangeUnavailable
from exchange_tui.exchanges import toolkit
from exchange_tui.exchanges.toolkit import tls_context, trusting_nothing


@pytest.fixture
async def tls_server(tmp_path):
    """An HTTPS server on loopback with a self-signed certificate for 127.0.0.1, answering 200 to anything."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    handshakes: list[bool] = []
    """One entry per connection whose TLS handshake succeeded."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handshakes.append(True)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"https://127.0.0.1:{port}", handshakes


def test_a_plain_http_client_gets_a_context_that_trusts_no_certificate():
    context = trusting_nothing()
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert context.cert_store_stats()["x509_ca"] == 0
    assert tls_context().cert_store_stats()["x509_ca"] > 0


async def test_a_plain_http_client_pointed_at_https_fails_the_certificate_check(tls_server, monkeypatch):
    url, handshakes = tls_server
    monkeypatch.setattr(toolkit, "tls_context", lambda: pytest.fail("a plain-HTTP client loaded the CA bundle"))
    async with BitgetClient(None, base_url="http://127.0.0.1:9") as client:
        client._http.base_url = url  # as an environment switch moves a client
        with pytest.raises(ExchangeUnavailable) as refused:
            await client.fetch_server_time()
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message
    assert handshakes == [], "no TLS session was made with a server nobody vouched for"


async def test_an_https_client_checks_the_certificate_against_the_ca_bundle(tls_server):
    url, handshakes = tls_server
    async with BitgetClient(None, base_url=url) as client:
        with pytest.raises(ExchangeUnavailable) as refused:
            await client.fetch_server_time()
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message and handshakes == []
