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
  }
});
