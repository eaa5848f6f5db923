# ruff: noqa: E501  (one message per line reads better than split strings)
"""What the end user reads when the guard refuses, in their language.

Logto shows the answer's body to the end user as it is. Keys are the shipped
template locales; anything else falls back along the same locale chain as the
templates (the draft's resolved locale is one of these or a custom one).
"""

from __future__ import annotations

from ..core import validity

RATE_LIMITED = {
    "ar": "تم طلب عدد كبير جدًا من الرموز لهذا الرقم. حاول مرة أخرى بعد {duration}.",
    "cs": "Pro toto číslo bylo vyžádáno příliš mnoho kódů. Zkuste to znovu za {duration}.",
    "de": "Für diese Nummer wurden zu viele Codes angefordert. Versuche es in {duration} erneut.",
    "en": "Too many codes were requested for this number. Try again in {duration}.",
    "es": "Se han solicitado demasiados códigos para este número. Inténtalo de nuevo en {duration}.",
    "es-MX": "Se solicitaron demasiados códigos para este número. Intenta de nuevo en {duration}.",
    "fa-IR": "برای این شماره کدهای زیادی درخواست شده است. {duration} دیگر دوباره تلاش کنید.",
    "fr": "Trop de codes ont été demandés pour ce numéro. Réessayez dans {duration}.",
    "it": "Sono stati richiesti troppi codici per questo numero. Riprova tra {duration}.",
    "ja": "この番号へのコードのリクエストが多すぎます。{duration}後にもう一度お試しください。",
    "ko": "이 번호로 요청된 코드가 너무 많습니다. {duration} 후에 다시 시도하세요.",
    "pl-PL": "Zażądano zbyt wielu kodów dla tego numeru. Spróbuj ponownie za {duration}.",
    "pt-BR": "Muitos códigos foram solicitados para este número. Tente novamente em {duration}.",
    "pt-PT": "Foram pedidos demasiados códigos para este número. Tente novamente dentro de {duration}.",
    "ru": "Для этого номера запрошено слишком много кодов. Повторите попытку через {duration}.",
    "th": "มีการขอรหัสสำหรับหมายเลขนี้มากเกินไป โปรดลองอีกครั้งใน {duration}",
    "tr-TR": "Bu numara için çok fazla kod istendi. {duration} sonra tekrar deneyin.",
    "uk-UA": "Для цього номера запитано забагато кодів. Спробуйте ще раз через {duration}.",
    "zh-CN": "此号码请求的验证码过多，请在 {duration}后重试。",
    "zh-HK": "此號碼要求的驗證碼過多，請於 {duration}後再試。",
    "zh-TW": "此號碼要求的驗證碼過多，請於 {duration}後再試一次。",
}

# The ip limit refused: the end user's address, not their number.
RATE_LIMITED_IP = {
    "ar": "تم طلب عدد كبير جدًا من الرموز من شبكتك. حاول مرة أخرى بعد {duration}.",
    "cs": "Z vaší sítě bylo vyžádáno příliš mnoho kódů. Zkuste to znovu za {duration}.",
    "de": "Aus deinem Netzwerk wurden zu viele Codes angefordert. Versuche es in {duration} erneut.",
    "en": "Too many codes were requested from your network. Try again in {duration}.",
    "es": "Se han solicitado demasiados códigos desde tu red. Inténtalo de nuevo en {duration}.",
    "es-MX": "Se solicitaron demasiados códigos desde tu red. Intenta de nuevo en {duration}.",
    "fa-IR": "از شبکه شما کدهای زیادی درخواست شده است. {duration} دیگر دوباره تلاش کنید.",
    "fr": "Trop de codes ont été demandés depuis votre réseau. Réessayez dans {duration}.",
    "it": "Sono stati richiesti troppi codici dalla tua rete. Riprova tra {duration}.",
    "ja": "お使いのネットワークからのコードのリクエストが多すぎます。{duration}後にもう一度お試しください。",
    "ko": "사용 중인 네트워크에서 요청된 코드가 너무 많습니다. {duration} 후에 다시 시도하세요.",
    "pl-PL": "Z Twojej sieci zażądano zbyt wielu kodów. Spróbuj ponownie za {duration}.",
    "pt-BR": "Muitos códigos foram solicitados a partir da sua rede. Tente novamente em {duration}.",
    "pt-PT": "Foram pedidos demasiados códigos a partir da sua rede. Tente novamente dentro de {duration}.",
    "ru": "Из вашей сети запрошено слишком много кодов. Повторите попытку через {duration}.",
    "th": "มีการขอรหัสจากเครือข่ายของคุณมากเกินไป โปรดลองอีกครั้งใน {duration}",
    "tr-TR": "Ağınızdan çok fazla kod istendi. {duration} sonra tekrar deneyin.",
    "uk-UA": "З вашої мережі запитано забагато кодів. Спробуйте ще раз через {duration}.",
    "zh-CN": "您的网络请求的验证码过多，请在 {duration}后重试。",
    "zh-HK": "你的網絡要求的驗證碼過多，請於 {duration}後再試。",
    "zh-TW": "您的網路要求的驗證碼過多，請於 {duration}後再試一次。",
}

# The prefix, country or gateway-wide limit refused: nothing the end user did.
RATE_LIMITED_BUSY = {
    "ar": "يتم طلب عدد كبير جدًا من الرموز الآن. حاول مرة أخرى بعد {duration}.",
    "cs": "Právě je vyžadováno příliš mnoho kódů. Zkuste to znovu za {duration}.",
    "de": "Gerade werden zu viele Codes angefordert. Versuche es in {duration} erneut.",
    "en": "Too many codes are being requested right now. Try again in {duration}.",
    "es": "Ahora mismo se están solicitando demasiados códigos. Inténtalo de nuevo en {duration}.",
    "es-MX": "En este momento se están solicitando demasiados códigos. Intenta de nuevo en {duration}.",
    "fa-IR": "در حال حاضر کدهای زیادی درخواست می‌شود. {duration} دیگر دوباره تلاش کنید.",
    "fr": "Trop de codes sont demandés en ce moment. Réessayez dans {duration}.",
    "it": "In questo momento vengono richiesti troppi codici. Riprova tra {duration}.",
    "ja": "現在、コードのリクエストが多すぎます。{duration}後にもう一度お試しください。",
    "ko": "현재 요청되는 코드가 너무 많습니다. {duration} 후에 다시 시도하세요.",
    "pl-PL": "Obecnie żąda się zbyt wielu kodów. Spróbuj ponownie za {duration}.",
    "pt-BR": "Muitos códigos estão sendo solicitados neste momento. Tente novamente em {duration}.",
    "pt-PT": "Estão a ser pedidos demasiados códigos neste momento. Tente novamente dentro de {duration}.",
    "ru": "Сейчас запрашивается слишком много кодов. Повторите попытку через {duration}.",
    "th": "ขณะนี้มีการขอรหัสมากเกินไป โปรดลองอีกครั้งใน {duration}",
    "tr-TR": "Şu anda çok fazla kod isteniyor. {duration} sonra tekrar deneyin.",
    "uk-UA": "Зараз запитується забагато кодів. Спробуйте ще раз через {duration}.",
    "zh-CN": "当前请求的验证码过多，请在 {duration}后重试。",
    "zh-HK": "目前要求的驗證碼過多，請於 {duration}後再試。",
    "zh-TW": "目前要求的驗證碼過多，請於 {duration}後再試一次。",
}

# An organization invitation carries no code: its refusals speak of messages.
INVITATIONS_RATE_LIMITED = {
    "ar": "تم إرسال عدد كبير جدًا من الرسائل إلى هذا الرقم. حاول مرة أخرى بعد {duration}.",
    "cs": "Na toto číslo bylo odesláno příliš mnoho zpráv. Zkuste to znovu za {duration}.",
    "de": "An diese Nummer wurden zu viele Nachrichten gesendet. Versuche es in {duration} erneut.",
    "en": "Too many messages were sent to this number. Try again in {duration}.",
    "es": "Se han enviado demasiados mensajes a este número. Inténtalo de nuevo en {duration}.",
    "es-MX": "Se enviaron demasiados mensajes a este número. Intenta de nuevo en {duration}.",
    "fa-IR": "پیامک‌های زیادی به این شماره ارسال شده است. {duration} دیگر دوباره تلاش کنید.",
    "fr": "Trop de messages ont été envoyés à ce numéro. Réessayez dans {duration}.",
    "it": "Sono stati inviati troppi messaggi a questo numero. Riprova tra {duration}.",
    "ja": "この番号へのメッセージ送信が多すぎます。{duration}後にもう一度お試しください。",
    "ko": "이 번호로 보낸 메시지가 너무 많습니다. {duration} 후에 다시 시도하세요.",
    "pl-PL": "Na ten numer wysłano zbyt wiele wiadomości. Spróbuj ponownie za {duration}.",
    "pt-BR": "Muitas mensagens foram enviadas para este número. Tente novamente em {duration}.",
    "pt-PT": "Foram enviadas demasiadas mensagens para este número. Tente novamente dentro de {duration}.",
    "ru": "На этот номер отправлено слишком много сообщений. Повторите попытку через {duration}.",
    "th": "มีการส่งข้อความไปยังหมายเลขนี้มากเกินไป โปรดลองอีกครั้งใน {duration}",
    "tr-TR": "Bu numaraya çok fazla mesaj gönderildi. {duration} sonra tekrar deneyin.",
    "uk-UA": "На цей номер надіслано забагато повідомлень. Спробуйте ще раз через {duration}.",
    "zh-CN": "向此号码发送的短信过多，请在 {duration}后重试。",
    "zh-HK": "向此號碼發送的短訊過多，請於 {duration}後再試。",
    "zh-TW": "傳送至此號碼的簡訊過多，請於 {duration}後再試一次。",
}

INVITATIONS_RATE_LIMITED_IP = {
    "ar": "تم طلب عدد كبير جدًا من الرسائل من شبكتك. حاول مرة أخرى بعد {duration}.",
    "cs": "Z vaší sítě bylo vyžádáno příliš mnoho zpráv. Zkuste to znovu za {duration}.",
    "de": "Aus deinem Netzwerk wurden zu viele Nachrichten angefordert. Versuche es in {duration} erneut.",
    "en": "Too many messages were requested from your network. Try again in {duration}.",
    "es": "Se han solicitado demasiados mensajes desde tu red. Inténtalo de nuevo en {duration}.",
    "es-MX": "Se solicitaron demasiados mensajes desde tu red. Intenta de nuevo en {duration}.",
    "fa-IR": "از شبکه شما پیامک‌های زیادی درخواست شده است. {duration} دیگر دوباره تلاش کنید.",
    "fr": "Trop de messages ont été demandés depuis votre réseau. Réessayez dans {duration}.",
    "it": "Sono stati richiesti troppi messaggi dalla tua rete. Riprova tra {duration}.",
    "ja": "お使いのネットワークからのメッセージのリクエストが多すぎます。{duration}後にもう一度お試しください。",
    "ko": "사용 중인 네트워크에서 요청된 메시지가 너무 많습니다. {duration} 후에 다시 시도하세요.",
    "pl-PL": "Z Twojej sieci zażądano zbyt wielu wiadomości. Spróbuj ponownie za {duration}.",
    "pt-BR": "Muitas mensagens foram solicitadas a partir da sua rede. Tente novamente em {duration}.",
    "pt-PT": "Foram pedidas demasiadas mensagens a partir da sua rede. Tente novamente dentro de {duration}.",
    "ru": "Из вашей сети запрошено слишком много сообщений. Повторите попытку через {duration}.",
    "th": "มีการขอข้อความจากเครือข่ายของคุณมากเกินไป โปรดลองอีกครั้งใน {duration}",
    "tr-TR": "Ağınızdan çok fazla mesaj istendi. {duration} sonra tekrar deneyin.",
    "uk-UA": "З вашої мережі запитано забагато повідомлень. Спробуйте ще раз через {duration}.",
    "zh-CN": "您的网络请求的短信过多，请在 {duration}后重试。",
    "zh-HK": "你的網絡要求的短訊過多，請於 {duration}後再試。",
    "zh-TW": "您的網路要求的簡訊過多，請於 {duration}後再試一次。",
}

INVITATIONS_RATE_LIMITED_BUSY = {
    "ar": "يتم إرسال عدد كبير جدًا من الرسائل الآن. حاول مرة أخرى بعد {duration}.",
    "cs": "Právě se odesílá příliš mnoho zpráv. Zkuste to znovu za {duration}.",
    "de": "Gerade werden zu viele Nachrichten gesendet. Versuche es in {duration} erneut.",
    "en": "Too many messages are being sent right now. Try again in {duration}.",
    "es": "Ahora mismo se están enviando demasiados mensajes. Inténtalo de nuevo en {duration}.",
    "es-MX": "En este momento se están enviando demasiados mensajes. Intenta de nuevo en {duration}.",
    "fa-IR": "در حال حاضر پیامک‌های زیادی ارسال می‌شود. {duration} دیگر دوباره تلاش کنید.",
    "fr": "Trop de messages sont envoyés en ce moment. Réessayez dans {duration}.",
    "it": "In questo momento vengono inviati troppi messaggi. Riprova tra {duration}.",
    "ja": "現在、メッセージの送信が多すぎます。{duration}後にもう一度お試しください。",
    "ko": "현재 보내는 메시지가 너무 많습니다. {duration} 후에 다시 시도하세요.",
    "pl-PL": "Obecnie wysyłanych jest zbyt wiele wiadomości. Spróbuj ponownie za {duration}.",
    "pt-BR": "Muitas mensagens estão sendo enviadas neste momento. Tente novamente em {duration}.",
    "pt-PT": "Estão a ser enviadas demasiadas mensagens neste momento. Tente novamente dentro de {duration}.",
    "ru": "Сейчас отправляется слишком много сообщений. Повторите попытку через {duration}.",
    "th": "ขณะนี้มีการส่งข้อความมากเกินไป โปรดลองอีกครั้งใน {duration}",
    "tr-TR": "Şu anda çok fazla mesaj gönderiliyor. {duration} sonra tekrar deneyin.",
    "uk-UA": "Зараз надсилається забагато повідомлень. Спробуйте ще раз через {duration}.",
    "zh-CN": "当前发送的短信过多，请在 {duration}后重试。",
    "zh-HK": "目前發送的短訊過多，請於 {duration}後再試。",
    "zh-TW": "目前傳送的簡訊過多，請於 {duration}後再試一次。",
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


def language(table: dict[str, str], locale: str) -> str:
    """The key of ``table`` that speaks to ``locale``: itself, its language, or English."""
    for candidate in (locale, locale.split("-")[0]):
        if candidate in table:
            return candidate
    return "en"


def text(table: dict[str, str], locale: str, **values: object) -> str:
    """The message in ``locale``, its language, or English."""
    return table[language(table, locale)].format(**values)


CODES = {"recipient": RATE_LIMITED, "ip": RATE_LIMITED_IP, "busy": RATE_LIMITED_BUSY}
INVITATIONS = {
    "recipient": INVITATIONS_RATE_LIMITED,
    "ip": INVITATIONS_RATE_LIMITED_IP,
    "busy": INVITATIONS_RATE_LIMITED_BUSY,
}
INVITATION_TYPES = frozenset({"OrganizationInvitation"})


def rate_limited(scope: str, locale: str, minutes: int, message_type: str = "") -> str:
    """What the end user reads when the ``scope`` limit refused: it names who asked too
    much, speaks of messages for an invitation (no code in it), and says the wait with
    its CLDR plural in the language (``core/validity.phrase``: "10 دقائق", "2 минуты")."""
    tables = INVITATIONS if message_type in INVITATION_TYPES else CODES
    table = tables.get(scope, tables["busy"])
    chosen = language(table, locale)  # the wait in the words of the message it goes in
    return table[chosen].format(duration=validity.phrase(minutes, chosen))
