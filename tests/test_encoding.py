"""Encoding and segments against a reference table (3GPP TS 23.038 rules)."""

import pytest

from sms_gateway.core.encoding import GSM7, UCS2, analyze, is_gsm7

A = "a"


@pytest.mark.parametrize(
    ("text", "encoding", "length", "segments"),
    [
        ("", GSM7, 0, 0),
        ("Hello", GSM7, 5, 1),
        ("Your code is 123456", GSM7, 19, 1),
        ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ", GSM7, 29, 1),
        ("¤ ¡ § ¿ Ä Ö Ñ Ü ä ö ñ ü à", GSM7, 25, 1),
        ("line\nnext", GSM7, 9, 1),
        ("crlf\r\n", GSM7, 6, 1),
        # every extension character counts two septets
        ("^", GSM7, 2, 1),
        ("{", GSM7, 2, 1),
        ("}", GSM7, 2, 1),
        ("\\", GSM7, 2, 1),
        ("[", GSM7, 2, 1),
        ("~", GSM7, 2, 1),
        ("]", GSM7, 2, 1),
        ("|", GSM7, 2, 1),
        ("€", GSM7, 2, 1),
        ("\f", GSM7, 2, 1),
        ("{{code}}", GSM7, 12, 1),
        # GSM-7 boundaries
        (A * 160, GSM7, 160, 1),
        (A * 161, GSM7, 161, 2),
        (A * 306, GSM7, 306, 2),
        (A * 307, GSM7, 307, 3),
        (A * 158 + "€", GSM7, 160, 1),
        (A * 159 + "€", GSM7, 161, 2),
        # an escape pair is never cut: 152 + [€ would straddle] -> 152 | 2+151 | 1
        (A * 152 + "€" + A * 152, GSM7, 306, 3),
        (A * 153 + "€" + A * 151, GSM7, 306, 2),
        # French traps: é è à ù É Ç ü are GSM-7; ç â ê î ô û ë ï œ À È are not
        ("Votre code : 123456. Vérifiez-le à l'écran.", GSM7, 43, 1),
        ("Reçu", UCS2, 4, 1),
        ("Ça marche", GSM7, 9, 1),
        ("à bientôt", UCS2, 9, 1),
        ("Noël", UCS2, 4, 1),
        ("À vous", UCS2, 6, 1),
        # Spanish: ñ Ñ é ü ¿ ¡ are GSM-7; á í ó ú are not
        ("¡Hola señor! ¿Qué?", GSM7, 18, 1),
        ("Tu código", UCS2, 9, 1),
        # Portuguese: á â ã ê í ó ô õ ú ç are not
        ("Seu código é 123456", UCS2, 19, 1),
        ("não", UCS2, 3, 1),
        # German: all GSM-7
        ("Größe Übung Äpfel", GSM7, 17, 1),
        # Italian: lowercase graves are GSM-7, capital È is not
        ("perché città più", GSM7, 16, 1),
        ("È il tuo codice", UCS2, 15, 1),
        # typography that is not GSM-7
        ("It’s", UCS2, 4, 1),
        ("“quoted”", UCS2, 8, 1),
        ("a – b", UCS2, 5, 1),
        ("wait…", UCS2, 5, 1),
        ("`tick`", UCS2, 6, 1),
        ("tab\there", UCS2, 8, 1),
        ("non\u00a0breaking", UCS2, 12, 1),
        # UCS-2 boundaries (one non-GSM character switches the whole text)
        ("ç" + A * 69, UCS2, 70, 1),
        ("ç" + A * 70, UCS2, 71, 2),
        ("ç" * 134, UCS2, 134, 2),
        ("ç" * 135, UCS2, 135, 3),
        # characters outside the BMP take two UTF-16 units
        ("😀", UCS2, 2, 1),
        (A * 68 + "😀", UCS2, 70, 1),
        (A * 69 + "😀", UCS2, 71, 2),
        # a surrogate pair is never cut: 66 | 2+65 | 1
        ("ç" + A * 65 + "😀" + A * 66, UCS2, 134, 3),
        ("ç" + A * 66 + "😀" + A * 65, UCS2, 134, 2),
        # scripts
        ("رمز التحقق: 123456", UCS2, 18, 1),
        ("您的验证码为 123456", UCS2, 13, 1),
        ("Код: 123456", UCS2, 11, 1),
        ("รหัส 123456", UCS2, 11, 1),
        # WebOTP origin-bound line never forces UCS-2
        ("123456 is your Acme code.\n\n@acme.example #123456", GSM7, 48, 1),
    ],
)
def test_encoding_reference_table(text, encoding, length, segments):
    result = analyze(text)
    assert (result.encoding, result.length, result.segments) == (encoding, length, segments)
    assert result.characters == len(text)
    assert is_gsm7(text) == (encoding == GSM7)


def test_non_gsm_characters_are_named_in_order_once():
    assert analyze("Reçu à bientôt, reçu").non_gsm == ("ç", "ô")
    assert analyze("plain").non_gsm == ()


def test_the_fast_path_for_plain_gsm7_counts_as_the_general_one():
    """Texts of GSM-7 basic characters only take a shortcut: the same answer as the
    character-by-character count, at every length around the part boundaries."""
    from sms_gateway.core import encoding

    basic = sorted(encoding.GSM7_BASIC)
    for length in [*range(0, 12), *range(150, 165), *range(300, 312), *range(455, 462), 1000]:
        text = "".join(basic[(i * 7 + length) % len(basic)] for i in range(length))
        assert encoding.analyze(text) == encoding._analyze(text), length
    # Anything else goes the general way: an extension character, a UCS-2 one.
    for text in ("a€b", "code: 1234 ✓", "ü" * 200, "{" * 100):
        assert encoding.analyze(text) == encoding._analyze(text)
