import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from plugin.whatsapp.signature import sign_body, verify_signature

SECRET = "test-app-secret"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_signature_is_metas_format():
    # given a body
    # when signed
    header = sign_body(SECRET, BODY)
    # then it is "sha256=" + the HMAC-SHA256 hex digest of the raw bytes
    assert header == "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert verify_signature(SECRET, BODY, header) is True


def test_missing_malformed_or_foreign_signatures_fail():
    good = sign_body(SECRET, BODY)
    assert verify_signature(SECRET, BODY, None) is False
    assert verify_signature(SECRET, BODY, "") is False
    assert verify_signature(SECRET, BODY, good.removeprefix("sha256=")) is False
    assert verify_signature(SECRET, BODY, "sha1=" + good[7:]) is False
    assert verify_signature("other-secret", BODY, good) is False


@given(body=st.binary(min_size=1, max_size=512), data=st.data())
def test_any_changed_byte_is_rejected(body, data):
    # given a correctly signed body
    header = sign_body(SECRET, body)
    # when any one byte changes
    index = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    delta = data.draw(st.integers(min_value=1, max_value=255))
    changed = bytearray(body)
    changed[index] = (changed[index] + delta) % 256
    # then the signature no longer verifies
    assert verify_signature(SECRET, bytes(changed), header) is False
    assert verify_signature(SECRET, body, header) is True
