"""What the Bybit adapter's tests share: the reference §8 inputs, and an RSA key made for the tests."""

import functools

from pydantic import SecretStr

from exchange_tui.models import Credentials

VECTOR_API_KEY = "AbCdEfGhIjKlMnOpQr"
VECTOR_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
VECTOR_TS = 1700000000000
VECTOR_EXPIRES = 1700000010000
VECTOR_KEY = Credentials(api_key=SecretStr(VECTOR_API_KEY), secret_key=SecretStr(VECTOR_SECRET))


@functools.cache
def rsa_key():
    """A 2048-bit RSA key pair made once per run: ``(private PEM, public key)``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, key.public_key()
