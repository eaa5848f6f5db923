// The template editor's live preview: as the operator types, the text rendered with
// sample values, its encoding, characters and segments, its problems and warnings.
// A static file, not an inline script: the Content-Security-Policy allows only these.
(function () {
  "use strict";
  // Its data-preview-url: the preview endpoint; data-type and data-locale: those of a
  // saved template, which are fixed (no fields for them then).
  const script = document.currentScript;
  const text = document.getElementById("id_text");
  const kind = document.getElementById("id_type");
  const locale = document.getElementById("id_locale");
  const fixedType = script.dataset.type || "";
  if (!text || !(kind || fixedType)) { return; }
  const url = script.dataset.previewUrl;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const list = (id, items) => {
    const node = document.getElementById(id);
    node.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      li.textContent = item;
      return li;
    }));
  };
  // Errors the server shows under the field after a refused save are not repeated in
  // the preview; once the text is edited they are stale, and the preview says them.
  const fieldErrors = document.querySelector(".field-text ul.errorlist");
  const shownByField = () => fieldErrors && document.body.contains(fieldErrors)
    ? Array.from(fieldErrors.querySelectorAll("li"), (li) => li.textContent.trim()) : [];
  // The preview says when it is out of date, and why, instead of going stale silently.
  const box = document.getElementById("sms-preview");
  let staleNote = document.getElementById("sms-preview-stale");
  if (!staleNote && box) {
    staleNote = document.createElement("p");
    staleNote.id = "sms-preview-stale";
    staleNote.className = "errornote";  // shown only while the box is stale (admin.css)
    box.prepend(staleNote);
  }
  const stale = (why) => {
    staleNote.textContent = `Out of date: this preview shows an earlier text. ${why}`;
    box.classList.add("sms-preview-stale");  // greyed, the note shown (admin.css)
  };
  const fresh = () => {
    box.classList.remove("sms-preview-stale");
  };
  const why = (response) => {
    if (response.status === 403) {
      return "The update was refused (HTTP 403): your session may have expired. Log in again in another tab, then type here to refresh.";
    }
    if (response.redirected || response.status === 401) {
      return "You are no longer logged in. Log in again in another tab, then type here to refresh.";
    }
    return `The update failed (HTTP ${response.status}). Type here to try again.`;
  };
  let timer = null;
  let sent = 0;
  let shown = 0;
  const refresh = () => {
    const body = new URLSearchParams({
      text: text.value,
      type: kind ? kind.value : fixedType,
      locale: locale ? locale.value : script.dataset.locale || "",
    });
    const number = ++sent;
    fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
      .then((response) => {
        const json = (response.headers.get("Content-Type") || "").includes("application/json");
        if (!response.ok || !json) { throw new Error(why(response)); }
        return response.json();
      })
      .then((review) => {
        if (number < shown) { return; }  // an older answer arriving late
        shown = number;
        fresh();
        document.getElementById("sms-preview-text").textContent = review.preview;
        const unit = review.encoding === "GSM-7" ? "septets" : "UTF-16 units";
        document.getElementById("sms-preview-cost").textContent =
          `${review.encoding} · ${review.characters} characters · ${review.length} ${unit} · ` +
          `${review.segments} segment${review.segments === 1 ? "" : "s"}`;
        const already = shownByField();
        list("sms-preview-problems", review.errors.filter((e) => !already.includes(e)));
        list("sms-preview-warnings", review.warnings);
        const origin = document.getElementById("sms-preview-origin");
        origin.textContent = review.origin
          ? `${review.origin.enabled ? "With" : "If turned on in the gateway's configuration, with"} the ` +
            `origin-bound line ${review.origin.line}: ${review.origin.segments} segment` +
            `${review.origin.segments === 1 ? "" : "s"}.`
          : "";
      })
      .catch((err) => {
        if (number < shown) { return; }
        stale(err instanceof TypeError
          ? "The server could not be reached. Type here to try again."
          : err.message);
      });
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(refresh, 250); };
  text.addEventListener("input", () => {
    if (fieldErrors) { fieldErrors.remove(); }  // about the text as it was posted
    schedule();
  });
  if (kind) { kind.addEventListener("change", schedule); }
  if (locale) { locale.addEventListener("input", schedule); }
  refresh();
})();
