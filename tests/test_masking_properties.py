"""Property tests: the code never survives masking, whatever it is and wherever it appears."""

import itertools
import logging

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sms_gateway.core.composition import TextOptions, compose
from sms_gateway.core.masking import mask_secret, render_masked
from sms_gateway.core.origin_bound import OriginBound
from sms_gateway.core.rendering import render

# What Logto may send as a code: 1 to 32 characters, no whitespace or control characters.
CODES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=32
).filter(lambda c: not any(ch.isspace() for ch in c))
WORDS = st.text(max_size=40)


@st.composite
def templates_and_payloads(draw):
    """A template and a payload with the code planted in random places."""
    code = draw(CODES)
    pieces = draw(
        st.lists(
            st.one_of(
                WORDS,
                st.just(code),
                st.sampled_from(
                    ["{{code}}", "{{ code }}", "{{link}}", "{{application.name}}", "{{validity}}"]
                ),
            ),
            max_size=8,
        )
    )

    def plant(text):
        return draw(st.sampled_from([text, code, text + code, code + text, text + code + text]))

    payload = {
        "code": code,
        "link": plant(draw(WORDS)),
        "application": {"name": plant(draw(WORDS)), "id": "app"},
        "locale": plant("en"),
    }
    return code, "".join(pieces), payload


@settings(max_examples=400, deadline=None)
@given(templates_and_payloads(), st.booleans())
def test_rendered_text_masked_never_contains_the_code(case, origin_line):
    code, template, payload = case
    options = TextOptions(10, OriginBound("id.example.com" if origin_line else ""))
    composed = compose("SignIn", template, payload, "en", options)
    masked = render_masked(composed.template, composed.values)
    assert code not in masked
    # and masking hides the code only: the unmasked text has the same length
    assert len(masked) == len(render(composed.template, composed.values))


@settings(max_examples=300, deadline=None)
@given(CODES, st.text(max_size=80))
def test_mask_secret_removes_every_occurrence(code, text):
    assert code not in mask_secret(text, code)
    assert code not in mask_secret(text + code + text + code * 2, code)


def test_a_code_made_of_the_mask_character_is_still_masked():
    assert mask_secret("your code is ****", "****") == "your code is ####"
    assert "***" not in render_masked("{{code}} / *** / {{link}}", {"code": "***", "link": "***"})


# --- end to end: the stored record, the console, the logs -----------------------------------

E2E_CODES = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=4, max_size=32)


EXAMPLES = itertools.count()


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(code=E2E_CODES, where=st.sampled_from(["link", "application", "template", "locale"]))
def test_code_is_never_stored_or_logged_wherever_it_appears(
    api, outbox, caplog, settings, code, where
):
    from sms_gateway.catalog import snapshot
    from sms_gateway.models import Message, Template

    from .conftest import logto_body

    # Values the gateway itself writes (ids, status, masked number): not the code's to hide.
    assume(code not in "SignIn GenericsentSMS sms sent en +3361234****")
    settings.SMS_ORIGIN_DOMAIN = "id.example.com"
    Template.objects.filter(type="SignIn", locale="en").update(
        text="{{code}} {{link}} {{application.name}} " + (code if where == "template" else "")
    )
    snapshot.invalidate()
    payload = {"code": code, "locale": "en", "link": "https://x.example/", "application": {}}
    if where == "link":
        payload["link"] = f"https://x.example/?c={code}"
    elif where == "application":
        payload["application"] = {"name": f"App {code}"}
    elif where == "locale":
        payload["uiLocales"] = f"{code} en"
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    outbox.clear()
    # Each example is another user (the guard is on): its own number, in its own block
    # of 1,000 for the pumping detector, masked as +3361234**** all the same.
    n = next(EXAMPLES)
    to, ip = f"3361234{n % 10}{n // 10 % 1000:03d}", f"198.51.{n // 250 % 250}.{n % 250}"
    response = api.post(logto_body(to=to, ip=ip, payload=payload))
    assert response.status_code == 200, response.text
    assert code not in response.text
    sms = outbox[-1][1]
    assert code in sms.text  # really sent
    assert sms.text.endswith(f"\n@id.example.com #{code}")
    message = Message.objects.get(pk=response.json()["id"])
    for stored in (message.body, message.requested_locale, message.ui_locales, message.error):
        assert code not in stored
    assert code not in sms.masked_text
    for record in caplog.records:
        fields = {k: v for k, v in vars(record).items() if k not in ("message_id", "request_id")}
        assert code not in repr(fields)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["1", "Zq9", "ab", "000"])
def test_codes_shorter_than_4_characters_are_refused_and_nothing_is_recorded(api, code):
    from sms_gateway.models import Message

    from .conftest import logto_body

    response = api.post(
        logto_body(payload={"code": code, "locale": "en", "link": f"https://x/?c={code}"})
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid request: payload.code: Must be 4 to 32 characters without spaces.",
        "errors": {"payload": {"code": ["Must be 4 to 32 characters without spaces."]}},
    }
    assert not Message.objects.exists()
