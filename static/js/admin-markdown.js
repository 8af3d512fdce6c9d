// Shows markdownx's live preview with the public site's stylesheet, inside a shadow root so
// that the site's styles and the admin's never mix. markdownx keeps writing the preview into
// its own element (hidden here); this copies each update into the styled one.
"use strict";
// Django's admin loads form media in the head: wait for the form.
document.addEventListener("DOMContentLoaded", function () {
  for (const preview of document.querySelectorAll(".markdown-editor .markdownx-preview")) {
    const host = document.createElement("div");
    host.className = "site-preview";
    preview.after(host);
    const root = host.attachShadow({ mode: "open" });
    const sheet = document.createElement("link");
    sheet.rel = "stylesheet";
    sheet.href = preview.dataset.siteCss;
    const body = document.createElement("div");
    body.className = "prose";
    root.append(sheet, body);
    // markdownx writes whatever the server answers, error pages included (a 500, or the login
    // page once the session has ended): a whole page is never a preview of the text.
    const copy = () => {
      if (preview.querySelector("main, header, form")) {
        body.textContent = "The preview is not available right now (the server did not draw it). " +
          "Your text is unchanged; sign in again if your session has ended.";
      } else {
        body.innerHTML = preview.innerHTML;
      }
    };
    new MutationObserver(copy).observe(preview, { childList: true, subtree: true, characterData: true });
    copy();
    preview.hidden = true;
    // The preview scrolls with the text: to the same share of its length as the text box has
    // scrolled, and, while typing or moving the cursor (or when a new preview arrives), so that
    // the cursor's place is in the middle of the preview box.
    const box = preview.closest(".markdown-editor-preview");
    const text = preview.closest(".markdown-editor").querySelector("textarea");
    text.addEventListener("scroll", () => {
      const room = text.scrollHeight - text.clientHeight;
      if (room > 0) box.scrollTop = (text.scrollTop / room) * (box.scrollHeight - box.clientHeight);
    });
    const followCursor = () => {
      const share = text.selectionStart / Math.max(text.value.length, 1);
      box.scrollTop = share * box.scrollHeight - box.clientHeight / 2;
    };
    for (const event of ["keyup", "click"]) text.addEventListener(event, followCursor);
    new MutationObserver(() => {
      if (document.activeElement === text) followCursor();
    }).observe(body, { childList: true, subtree: true, characterData: true });
  }
});
