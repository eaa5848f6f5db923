import pytest

from sms_gateway.core.rendering import placeholders, render

PAYLOAD = {
    "code": "123456",
    "link": "https://example.com/i/abc",
    "locale": "fr",
    "application": {"name": "Acme", "branding": {"color": "#000"}},
    "count": 3,
    "ratio": 1.0,
    "half": 0.5,
    "flag": True,
    "nothing": None,
    "items": ["a", "b"],
    "html": "<b>&</b>",
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{code}}", "123456"),
        ("{{ code }}", "123456"),
        ("{{   code\t}}", "123456"),
        ("Code: {{code}}. Again {{code}}", "Code: 123456. Again 123456"),
        ("{{application.name}}", "Acme"),
        ("{{ application.branding.color }}", "#000"),
        # absent root key: left untouched, exactly as written
        ("{{unknown}}", "{{unknown}}"),
        ("{{ unknown.path }}", "{{ unknown.path }}"),
        # present root, missing nested key: empty
        ("[{{application.missing}}]", "[]"),
        ("[{{code.length}}]", "[]"),
        ("[{{application.name.deeper}}]", "[]"),
        # JavaScript String(value)
        ("{{count}}", "3"),
        ("{{ratio}}", "1"),
        ("{{half}}", "0.5"),
        ("{{flag}}", "true"),
        ("{{items}}", "a,b"),
        ("{{items.1}}", "b"),
        ("{{application}}", "[object Object]"),
        ("[{{nothing}}]", "[]"),
        # no escaping of any kind
        ("{{html}}", "<b>&</b>"),
        # not placeholders by Logto's pattern
        ("{{ code-x }}", "{{ code-x }}"),
        ("{code}", "{code}"),
        ("{{}}", "{{}}"),
        ("{{{code}}}", "{123456}"),
        ("{{cödé}}", "{{cödé}}"),
        ("", ""),
    ],
)
def test_render_follows_logto_handlebars_rules(template, expected):
    assert render(template, PAYLOAD) == expected


def test_logto_builtin_connector_template_renders_identically():
    template = (
        "Your Logto sign-in verification code is {{code}}. "
        "The code will remain active for 10 minutes."
    )
    assert render(template, {"code": "654321"}) == (
        "Your Logto sign-in verification code is 654321. "
        "The code will remain active for 10 minutes."
    )


def test_placeholders_lists_dotted_paths_in_order():
    assert placeholders("{{code}} {{ application.name }} {{code}}") == [
        "code",
        "application.name",
        "code",
    ]
