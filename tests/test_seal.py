from datetime import UTC, date, datetime

import pytest

from portal.information.seal import canonical, load_or_create


@pytest.fixture
def sealer(tmp_path):
    return load_or_create(tmp_path / "key.pem")


FIELDS = {
    "application_id": "a1",
    "member_id": 3,
    "provider": "csn",
    "info_set": "studiemedel",
    "kind": "csn.studiemedel.bidrag",
    "theme": "income",
    "period_start": date(2026, 9, 1),
    "period_end": date(2026, 9, 30),
    "amount_ore": 345600,
    "gross": None,
    "details": {"omfattning": 100, "lärosäte": "Göteborgs universitet"},
    "fetched_at": datetime(2026, 11, 25, 10, 0, 1, tzinfo=UTC),
}


def test_canonical_form_is_stable_and_ordered():
    shuffled = dict(reversed(list(FIELDS.items())))
    assert canonical(FIELDS) == canonical(shuffled)
    assert canonical(FIELDS).startswith(b'{"amount_ore":345600,"application_id":"a1"')
    assert "Göteborgs".encode() in canonical(FIELDS)


def test_seal_verifies_and_any_change_breaks_it(sealer):
    kid, signature = sealer.seal(FIELDS)
    assert sealer.verify(FIELDS, kid, signature)
    for name, value in [
        ("amount_ore", 345601),
        ("member_id", 4),
        ("period_end", date(2026, 10, 31)),
        ("details", {"omfattning": 50, "lärosäte": "Göteborgs universitet"}),
        ("application_id", "a2"),
    ]:
        assert not sealer.verify({**FIELDS, name: value}, kid, signature), name
    assert not sealer.verify(FIELDS, "unknown-kid", signature)
    assert not sealer.verify(FIELDS, kid, "not-base64!")


def test_key_is_kept_and_published(tmp_path):
    first = load_or_create(tmp_path / "key.pem")
    again = load_or_create(tmp_path / "key.pem")
    assert first.kid == again.kid
    jwks = first.jwks()
    assert jwks["keys"][0]["kid"] == first.kid and jwks["keys"][0]["crv"] == "Ed25519"
    assert "d" not in jwks["keys"][0]  # never the private part


def test_a_receiver_can_verify_with_only_the_published_key(sealer):
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    kid, signature = sealer.seal(FIELDS)
    jwk = next(k for k in sealer.jwks()["keys"] if k["kid"] == kid)
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    public.verify(base64.urlsafe_b64decode(signature + "=="), canonical(FIELDS))  # raises if wrong


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_a_key_of_another_type_is_refused_at_load_naming_the_file(tmp_path, kind):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from portal.config import ConfigError

    wrong = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    path = tmp_path / "key.pem"
    path.write_bytes(
        wrong.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    with pytest.raises(ConfigError, match="PORTAL_SEAL_KEY_PATH") as refused:
        load_or_create(path)
    assert str(path) in str(refused.value) and "not an Ed25519 private key" in str(refused.value)

    # An older published verifying key of another type is refused the same way, naming its file.
    good = tmp_path / "good.pem"
    load_or_create(good)
    older = tmp_path / "good.pem.published"
    older.mkdir()
    public = older / "old.pem"
    public.write_bytes(
        wrong.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(ConfigError, match="not an Ed25519 public key") as refused:
        load_or_create(good)
    assert str(public) in str(refused.value)
