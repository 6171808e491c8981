/*
 * Document page (/documents/{id}#{passage_id}): metadata and full text, one element
 * per passage, the cited passage highlighted and focused on arrival.
 * Every string from the server is rendered with textContent, never as HTML.
 */
import { capitalize, formatDate } from "./format.js";

(() => {
  "use strict";

  const statusLine = document.getElementById("doc-status");
  const errorBox = document.getElementById("doc-error");
  const article = document.getElementById("doc");
  const titleHeading = document.getElementById("doc-title");
  const metaList = document.getElementById("doc-meta");
  const passageList = document.getElementById("passages");

  const NOT_FOUND_MESSAGE =
    "Không tìm thấy văn bản này. Đường dẫn có thể không đúng hoặc văn bản đã được gỡ khỏi hệ thống.";

  /** The id in /documents/{id}, or "" when the path has another shape. */
  function documentIdFromPath(pathname) {
    const match = /^\/documents\/([^/]+)\/?$/.exec(pathname);
    if (!match) return "";
    try {
      return decodeURIComponent(match[1]);
    } catch {
      return "";
    }
  }

  function passageIdFromHash(hash) {
    try {
      return decodeURIComponent(hash.replace(/^#/, ""));
    } catch {
      return "";
    }
  }

  /** Only web links become clickable: a javascript: URL in the data must stay inert. */
  function safeWebUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : "";
    } catch {
      return "";
    }
  }

  function showError(message) {
    statusLine.textContent = "";
    errorBox.replaceChildren();
    const text = document.createElement("p");
    text.textContent = message;
    const back = document.createElement("a");
    back.href = "/";
    back.textContent = "Quay lại trang tìm kiếm";
    errorBox.append(text, back);
    errorBox.hidden = false;
  }

  function addMeta(term, value) {
    if (!value) return;
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.append(value);
    metaList.append(dt, dd);
  }

  function sourceLink(url) {
    const href = safeWebUrl(url);
    if (!href) return url; // shown, but not as a link
    const link = document.createElement("a");
    link.href = href;
    link.textContent = url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    return link;
  }

  function renderMetadata(doc) {
    titleHeading.textContent = doc.title || doc.code || "Văn bản";
    document.title = `${titleHeading.textContent} — Trợ lý Giảm nghèo`;
    addMeta("Số hiệu", doc.code);
    addMeta("Loại văn bản", capitalize(doc.type));
    addMeta("Cơ quan ban hành", doc.issuer);
    addMeta("Ngày ban hành", formatDate(doc.date));
    addMeta("Tỉnh", doc.province);
    addMeta("Nguồn", doc.url && sourceLink(doc.url));
  }

  function renderPassage(passage) {
    const section = document.createElement("section");
    section.className = passage.searchable === false ? "passage passage-unsearchable" : "passage";
    section.id = passage.id; // a property, not a selector: ids with any characters are safe
    section.tabIndex = -1;
    section.dataset.testid = "passage";

    if (passage.location) {
      const heading = document.createElement("h3");
      heading.className = "passage-location";
      heading.textContent = passage.location;
      section.append(heading);
    }
    const text = document.createElement("p");
    text.className = "passage-text";
    text.textContent = passage.text;
    section.append(text);

    if (passage.searchable === false) {
      const note = document.createElement("p");
      note.className = "passage-note";
      note.textContent = "(không dùng để trả lời)";
      section.append(note);
    }
    return section;
  }

  /** Highlights, scrolls to and focuses the passage named in the URL hash, if any. */
  function showCitedPassage() {
    for (const previous of passageList.querySelectorAll(".cited")) previous.classList.remove("cited");
    const passageId = passageIdFromHash(location.hash);
    const target = passageId && document.getElementById(passageId);
    if (!target || !passageList.contains(target)) return;
    target.classList.add("cited");
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }

  async function load() {
    const documentId = documentIdFromPath(location.pathname);
    if (!documentId) {
      showError(NOT_FOUND_MESSAGE);
      return;
    }
    let response;
    try {
      response = await fetch(`/api/documents/${encodeURIComponent(documentId)}`, {
        headers: { Accept: "application/json" },
      });
    } catch {
      showError("Không kết nối được với máy chủ. Vui lòng kiểm tra mạng và tải lại trang.");
      return;
    }
    if (response.status === 404) {
      showError(NOT_FOUND_MESSAGE);
      return;
    }
    let body;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok || !body || !body.document) {
      const detail = body && typeof body.detail === "string" ? body.detail : "";
      showError(detail || "Không tải được văn bản. Vui lòng thử lại sau.");
      return;
    }

    renderMetadata(body.document);
    const passages = Array.isArray(body.passages) ? body.passages : [];
    passageList.replaceChildren(...passages.map(renderPassage));
    statusLine.textContent = "";
    article.hidden = false;
    showCitedPassage();
  }

  window.addEventListener("hashchange", showCitedPassage);
  load();
})();
