# ruff: noqa: E501  (one message per line reads better than split strings)
"""What the end user reads when the guard refuses, in their language.

Logto shows the answer's body to the end user as it is. Keys are the shipped
template locales; anything else falls back along the same locale chain as the
templates (the draft's resolved locale is one of these or a custom one).
"""

from __future__ import annotations

RATE_LIMITED = {
    "ar": "تم طلب عدد كبير جدًا من الرموز لهذا الرقم. حاول مرة أخرى بعد {minutes} دقيقة.",
    "cs": "Pro toto číslo bylo vyžádáno příliš mnoho kódů. Zkuste to znovu za {minutes} min.",
    "de": "Für diese Nummer wurden zu viele Codes angefordert. Versuche es in {minutes} Min. erneut.",
    "en": "Too many codes were requested for this number. Try again in {minutes} min.",
    "es": "Se han solicitado demasiados códigos para este número. Inténtalo de nuevo en {minutes} min.",
    "es-MX": "Se solicitaron demasiados códigos para este número. Intenta de nuevo en {minutes} min.",
    "fa-IR": "برای این شماره کدهای زیادی درخواست شده است. {minutes} دقیقه دیگر دوباره تلاش کنید.",
    "fr": "Trop de codes ont été demandés pour ce numéro. Réessayez dans {minutes} min.",
    "it": "Sono stati richiesti troppi codici per questo numero. Riprova tra {minutes} min.",
    "ja": "この番号へのコードのリクエストが多すぎます。{minutes} 分後にもう一度お試しください。",
    "ko": "이 번호로 요청된 코드가 너무 많습니다. {minutes}분 후에 다시 시도하세요.",
    "pl-PL": "Zażądano zbyt wielu kodów dla tego numeru. Spróbuj ponownie za {minutes} min.",
    "pt-BR": "Muitos códigos foram solicitados para este número. Tente novamente em {minutes} min.",
    "pt-PT": "Foram pedidos demasiados códigos para este número. Tente novamente dentro de {minutes} min.",
    "ru": "Для этого номера запрошено слишком много кодов. Повторите попытку через {minutes} мин.",
    "th": "มีการขอรหัสสำหรับหมายเลขนี้มากเกินไป โปรดลองอีกครั้งใน {minutes} นาที",
    "tr-TR": "Bu numara için çok fazla kod istendi. {minutes} dk sonra tekrar deneyin.",
    "uk-UA": "Для цього номера запитано забагато кодів. Спробуйте ще раз через {minutes} хв.",
    "zh-CN": "此号码请求的验证码过多，请在 {minutes} 分钟后重试。",
    "zh-HK": "此號碼要求的驗證碼過多，請於 {minutes} 分鐘後再試。",
    "zh-TW": "此號碼要求的驗證碼過多，請於 {minutes} 分鐘後再試一次。",
}

# The ip limit refused: the end user's address, not their number.
RATE_LIMITED_IP = {
    "ar": "تم طلب عدد كبير جدًا من الرموز من شبكتك. حاول مرة أخرى بعد {minutes} دقيقة.",
    "cs": "Z vaší sítě bylo vyžádáno příliš mnoho kódů. Zkuste to znovu za {minutes} min.",
    "de": "Aus deinem Netzwerk wurden zu viele Codes angefordert. Versuche es in {minutes} Min. erneut.",
    "en": "Too many codes were requested from your network. Try again in {minutes} min.",
    "es": "Se han solicitado demasiados códigos desde tu red. Inténtalo de nuevo en {minutes} min.",
    "es-MX": "Se solicitaron demasiados códigos desde tu red. Intenta de nuevo en {minutes} min.",
    "fa-IR": "از شبکه شما کدهای زیادی درخواست شده است. {minutes} دقیقه دیگر دوباره تلاش کنید.",
    "fr": "Trop de codes ont été demandés depuis votre réseau. Réessayez dans {minutes} min.",
    "it": "Sono stati richiesti troppi codici dalla tua rete. Riprova tra {minutes} min.",
    "ja": "お使いのネットワークからのコードのリクエストが多すぎます。{minutes} 分後にもう一度お試しください。",
    "ko": "사용 중인 네트워크에서 요청된 코드가 너무 많습니다. {minutes}분 후에 다시 시도하세요.",
    "pl-PL": "Z Twojej sieci zażądano zbyt wielu kodów. Spróbuj ponownie za {minutes} min.",
    "pt-BR": "Muitos códigos foram solicitados a partir da sua rede. Tente novamente em {minutes} min.",
    "pt-PT": "Foram pedidos demasiados códigos a partir da sua rede. Tente novamente dentro de {minutes} min.",
    "ru": "Из вашей сети запрошено слишком много кодов. Повторите попытку через {minutes} мин.",
    "th": "มีการขอรหัสจากเครือข่ายของคุณมากเกินไป โปรดลองอีกครั้งใน {minutes} นาที",
    "tr-TR": "Ağınızdan çok fazla kod istendi. {minutes} dk sonra tekrar deneyin.",
    "uk-UA": "З вашої мережі запитано забагато кодів. Спробуйте ще раз через {minutes} хв.",
    "zh-CN": "您的网络请求的验证码过多，请在 {minutes} 分钟后重试。",
    "zh-HK": "你的網絡要求的驗證碼過多，請於 {minutes} 分鐘後再試。",
    "zh-TW": "您的網路要求的驗證碼過多，請於 {minutes} 分鐘後再試一次。",
}

# The prefix, country or gateway-wide limit refused: nothing the end user did.
RATE_LIMITED_BUSY = {
    "ar": "يتم طلب عدد كبير جدًا من الرموز الآن. حاول مرة أخرى بعد {minutes} دقيقة.",
    "cs": "Právě je vyžadováno příliš mnoho kódů. Zkuste to znovu za {minutes} min.",
    "de": "Gerade werden zu viele Codes angefordert. Versuche es in {minutes} Min. erneut.",
    "en": "Too many codes are being requested right now. Try again in {minutes} min.",
    "es": "Ahora mismo se están solicitando demasiados códigos. Inténtalo de nuevo en {minutes} min.",
    "es-MX": "En este momento se están solicitando demasiados códigos. Intenta de nuevo en {minutes} min.",
    "fa-IR": "در حال حاضر کدهای زیادی درخواست می‌شود. {minutes} دقیقه دیگر دوباره تلاش کنید.",
    "fr": "Trop de codes sont demandés en ce moment. Réessayez dans {minutes} min.",
    "it": "In questo momento vengono richiesti troppi codici. Riprova tra {minutes} min.",
    "ja": "現在、コードのリクエストが多すぎます。{minutes} 分後にもう一度お試しください。",
    "ko": "현재 요청되는 코드가 너무 많습니다. {minutes}분 후에 다시 시도하세요.",
    "pl-PL": "Obecnie żąda się zbyt wielu kodów. Spróbuj ponownie za {minutes} min.",
    "pt-BR": "Muitos códigos estão sendo solicitados neste momento. Tente novamente em {minutes} min.",
    "pt-PT": "Estão a ser pedidos demasiados códigos neste momento. Tente novamente dentro de {minutes} min.",
    "ru": "Сейчас запрашивается слишком много кодов. Повторите попытку через {minutes} мин.",
    "th": "ขณะนี้มีการขอรหัสมากเกินไป โปรดลองอีกครั้งใน {minutes} นาที",
    "tr-TR": "Şu anda çok fazla kod isteniyor. {minutes} dk sonra tekrar deneyin.",
    "uk-UA": "Зараз запитується забагато кодів. Спробуйте ще раз через {minutes} хв.",
    "zh-CN": "当前请求的验证码过多，请在 {minutes} 分钟后重试。",
    "zh-HK": "目前要求的驗證碼過多，請於 {minutes} 分鐘後再試。",
    "zh-TW": "目前要求的驗證碼過多，請於 {minutes} 分鐘後再試一次。",
}

UNAVAILABLE = {
    "ar": "لا يمكن إرسال رسائل SMS إلى هذا الرقم.",
    "cs": "Na toto číslo nelze odeslat SMS.",
    "de": "An diese Nummer können keine SMS gesendet werden.",
    "en": "SMS cannot be sent to this number.",
    "es": "No se pueden enviar SMS a este número.",
    "es-MX": "No se pueden enviar SMS a este número.",
    "fa-IR": "امکان ارسال پیامک به این شماره وجود ندارد.",
    "fr": "Impossible d'envoyer un SMS à ce numéro.",
    "it": "Non è possibile inviare SMS a questo numero.",
    "ja": "この番号には SMS を送信できません。",
    "ko": "이 번호로는 SMS를 보낼 수 없습니다.",
    "pl-PL": "Na ten numer nie można wysłać SMS-a.",
    "pt-BR": "Não é possível enviar SMS para este número.",
    "pt-PT": "Não é possível enviar SMS para este número.",
    "ru": "На этот номер невозможно отправить SMS.",
    "th": "ไม่สามารถส่ง SMS ไปยังหมายเลขนี้ได้",
    "tr-TR": "Bu numaraya SMS gönderilemiyor.",
    "uk-UA": "На цей номер неможливо надіслати SMS.",
    "zh-CN": "无法向此号码发送短信。",
    "zh-HK": "無法向此號碼發送短訊。",
    "zh-TW": "無法傳送簡訊至此號碼。",
}


def text(table: dict[str, str], locale: str, **values: object) -> str:
    """The message in ``locale``, its language, or English."""
    for candidate in (locale, locale.split("-")[0]):
        if candidate in table:
            return table[candidate].format(**values)
    return table["en"].format(**values)


def rate_limited(scope: str, locale: str, minutes: int) -> str:
    """What the end user reads when the ``scope`` limit refused: it names who asked too much."""
    table = {"recipient": RATE_LIMITED, "ip": RATE_LIMITED_IP}.get(scope, RATE_LIMITED_BUSY)
    return text(table, locale, minutes=minutes)
