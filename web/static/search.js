/*
 * Cadre search page (/): full-text search over the clauses of the policy documents.
 * Every string from the server is rendered with textContent / text nodes, never as HTML.
 */
import { capitalize, formatDate } from "./format.js";

(() => {
  "use strict";

  const RESULT_COUNT = 20;
  const OPTION_LABEL_MAX = 100;
  const NETWORK_ERROR = "Không kết nối được với máy chủ. Vui lòng kiểm tra mạng và thử lại.";

  // ---------- Pure helpers ----------

  /** "Chỉ thị số 19-CT/TU"; "Chỉ thị" for a document without a number. */
  function documentKind(doc) {
    const type = capitalize(doc.type || "văn bản");
    return doc.code ? `${type} số ${doc.code}` : type;
  }

  /**
   * Formal citation of a hit, in the usual "<loại> số <số hiệu> ngày <ngày> của <cơ quan>"
   * order, leaving out what the document lacks (a document without a number is named by
   * its title, which already starts with its type):
   *   Chỉ thị số 19-CT/TU ngày 29/11/2021 của Ban Thường vụ Tỉnh ủy Ninh Thuận, 6. Tiếp tục….
   *   Chỉ thị về tăng cường lãnh đạo… của Ban Thường vụ Tỉnh ủy Quảng Ngãi, I. Mục đích….
   */
  function formatCitation(hit) {
    const doc = (hit && hit.document) || {};
    const titleNamesType = doc.title && doc.type && fold(doc.title).startsWith(fold(doc.type));
    let citation = !doc.code && titleNamesType ? doc.title : documentKind(doc);
    if (!doc.code && doc.title && !titleNamesType) citation += ` “${doc.title}”`;
    if (doc.date) citation += ` ngày ${formatDate(doc.date)}`;
    if (doc.issuer) citation += ` của ${doc.issuer}`;
    if (hit && hit.location) citation += `, ${hit.location}`;
    return citation.endsWith(".") ? citation : `${citation}.`;
  }

  /** Lower case, no diacritics, đ→d: so "ho tro" finds "Hỗ trợ". */
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d");
  }

  /**
   * Folds text character by character, remembering for each folded UTF-16 unit the
   * [start, end) of the original character it came from, so matches found in the
   * folded text can be mapped back onto the original.
   */
  function foldWithMap(text) {
    let folded = "";
    const starts = [];
    const ends = [];
    let index = 0;
    for (const char of text) {
      const piece = fold(char);
      for (let i = 0; i < piece.length; i++) {
        starts.push(index);
        ends.push(index + char.length);
      }
      folded += piece;
      index += char.length;
    }
    return { folded, starts, ends };
  }

  /** Distinct folded words of the query; one-letter words would light up half the text. */
  function queryTerms(query) {
    const words = fold(query.normalize("NFC")).split(/[^\p{L}\p{N}]+/u);
    return [...new Set(words.filter((word) => word.length >= 2))];
  }

  /**
   * Sorted, merged [start, end) ranges of whole-word matches, in original-text positions.
   * Matches separated only by spaces become one range, so "hộ nghèo" reads as one mark.
   */
  function matchRanges(text, terms) {
    const { folded, starts, ends } = foldWithMap(text);
    const ranges = [];
    for (const term of terms) {
      // Terms hold only letters and digits, so they need no regex escaping.
      // Whole syllables only: "ho" must not light up inside "hoạch".
      const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${term}(?![\\p{L}\\p{N}])`, "gu");
      for (const match of folded.matchAll(pattern)) {
        ranges.push([starts[match.index], ends[match.index + match[0].length - 1]]);
      }
    }
    ranges.sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const range of ranges) {
      const last = merged[merged.length - 1];
      if (last && (range[0] <= last[1] || /^ +$/.test(text.slice(last[1], range[0])))) {
        last[1] = Math.max(last[1], range[1]);
      } else {
        merged.push(range);
      }
    }
    return merged;
  }

  /** Text nodes and <mark> elements for the query's words in text. */
  function highlight(rawText, query) {
    const text = (rawText || "").normalize("NFC");
    const fragment = document.createDocumentFragment();
    let position = 0;
    for (const [start, end] of matchRanges(text, queryTerms(query))) {
      if (start > position) fragment.append(text.slice(position, start));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      fragment.append(mark);
      position = end;
    }
    if (position < text.length) fragment.append(text.slice(position));
    return fragment;
  }

  function documentName(doc) {
    return doc.code || doc.title || "";
  }

  function documentHref(documentId, passageId) {
    const base = `/documents/${encodeURIComponent(documentId)}`;
    return passageId ? `${base}#${encodeURIComponent(passageId)}` : base;
  }

  // ---------- API ----------

  async function fetchJson(url, options) {
    let response;
    try {
      response = await fetch(url, options);
    } catch {
      throw new Error(NETWORK_ERROR);
    }
    if (!response.ok) throw new Error(await errorDetail(response));
    return response.json();
  }

  async function errorDetail(response) {
    try {
      const body = await response.json();
      // FastAPI validation errors carry a list here, not a sentence.
      if (body && typeof body.detail === "string") return body.detail;
    } catch {
      // Not JSON: fall through to the generic message.
    }
    if (response.status === 429) return "Bạn đang tìm kiếm quá nhanh. Vui lòng thử lại sau ít phút.";
    if (response.status >= 500) return "Máy chủ đang gặp sự cố. Vui lòng thử lại sau.";
    return "Yêu cầu tìm kiếm chưa hợp lệ. Vui lòng kiểm tra lại.";
  }

  // ---------- Page ----------

  const form = document.getElementById("search-form");
  const queryInput = document.getElementById("query");
  const documentSelect = document.getElementById("filter-document");
  const typeSelect = document.getElementById("filter-type");
  const dateFrom = document.getElementById("filter-date-from");
  const dateTo = document.getElementById("filter-date-to");
  const statusLine = document.getElementById("search-status");
  const errorLine = document.getElementById("search-error");
  const results = document.getElementById("results");
  const copyStatus = document.getElementById("copy-status");

  let latestSearch = 0;

  function showError(message) {
    errorLine.textContent = message;
    errorLine.hidden = !message;
  }

  function truncate(text, max) {
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  function fillFilters(documents) {
    const byName = (a, b) => documentName(a).localeCompare(documentName(b), "vi");
    for (const doc of [...documents].sort(byName)) {
      const label = doc.code && doc.title ? `${doc.code} — ${doc.title}` : documentName(doc);
      const option = new Option(truncate(label, OPTION_LABEL_MAX), doc.id);
      option.title = label;
      documentSelect.append(option);
    }
    const types = [...new Set(documents.map((doc) => doc.type).filter(Boolean))];
    for (const type of types.sort((a, b) => a.localeCompare(b, "vi"))) {
      typeSelect.append(new Option(capitalize(type), type));
    }
  }

  /** The request body, with empty filters left out as the API expects. */
  function buildRequest() {
    const request = { query: queryInput.value.trim(), k: RESULT_COUNT };
    if (documentSelect.value) request.document_ids = [documentSelect.value];
    if (typeSelect.value) request.types = [typeSelect.value];
    if (dateFrom.value) request.date_from = dateFrom.value;
    if (dateTo.value) request.date_to = dateTo.value;
    return request;
  }

  /** Keeps the search in the address bar so it can be bookmarked or shared. */
  function saveSearchInUrl() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) params.set(name, value);
    const query = params.toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
  }

  function restoreSearchFromUrl() {
    for (const [name, value] of new URLSearchParams(location.search)) {
      const field = form.elements.namedItem(name);
      if (field) field.value = value;
    }
    return Boolean(queryInput.value.trim());
  }

  function renderHit(hit, index, query) {
    const doc = hit.document || {};
    const locationId = `hit-${index}-location`;

    // "Kế hoạch số 24-KH/TU — Ban Thường vụ Tỉnh ủy Tiền Giang, ngày 16/08/2021", then the title
    const docLine = document.createElement("p");
    docLine.className = "hit-document";
    docLine.dataset.testid = "hit-document";
    const kind = document.createElement("strong");
    kind.textContent = documentKind(doc);
    const details = [doc.issuer, doc.date && `ngày ${formatDate(doc.date)}`].filter(Boolean).join(", ");
    docLine.append(kind);
    if (details) docLine.append(` — ${details}`);

    const title = document.createElement("p");
    title.className = "hit-title";
    title.dataset.testid = "hit-title";
    title.textContent = doc.title || "";

    const heading = document.createElement("h2");
    heading.className = "hit-location";
    heading.id = locationId;
    heading.dataset.testid = "hit-location";
    heading.textContent = hit.location || documentName(doc);

    const text = document.createElement("p");
    text.className = "hit-text";
    text.dataset.testid = "hit-text";
    text.append(highlight(hit.text, query));

    const link = document.createElement("a");
    link.className = "hit-link";
    link.href = documentHref(doc.id, hit.passage_id);
    link.textContent = "Xem trong văn bản";
    link.setAttribute("aria-describedby", locationId);
    link.dataset.testid = "hit-link";

    const copyButton = document.createElement("button");
    copyButton.type = "button";
    copyButton.className = "button-secondary";
    copyButton.textContent = "Sao chép trích dẫn";
    copyButton.setAttribute("aria-describedby", locationId);
    copyButton.dataset.testid = "hit-copy";
    copyButton.addEventListener("click", () => copyCitation(hit, copyButton));

    const actions = document.createElement("div");
    actions.className = "hit-actions";
    actions.append(link, copyButton);

    const item = document.createElement("li");
    item.className = "hit";
    item.dataset.testid = "search-hit";
    item.append(docLine, title, heading, text, actions);
    return item;
  }

  async function search() {
    const request = buildRequest();
    if (!request.query) return;
    if (request.date_from && request.date_to && request.date_from > request.date_to) {
      showError("“Ban hành từ ngày” phải trước hoặc trùng “Đến ngày”.");
      return;
    }
    const searchId = ++latestSearch;
    saveSearchInUrl();
    showError("");
    statusLine.textContent = "Đang tìm…";
    form.setAttribute("aria-busy", "true");
    try {
      const response = await fetchJson("/api/search", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(request),
      });
      if (searchId !== latestSearch) return; // a newer search has been started meanwhile
      const hits = Array.isArray(response.hits) ? response.hits : [];
      // highlight what was searched, not what the box may hold by now
      results.replaceChildren(...hits.map((hit, index) => renderHit(hit, index, request.query)));
      statusLine.textContent = hits.length
        ? `Tìm thấy ${hits.length} điều khoản phù hợp.`
        : "Không tìm thấy điều khoản phù hợp.";
    } catch (error) {
      if (searchId !== latestSearch) return;
      results.replaceChildren();
      statusLine.textContent = "";
      showError(error.message);
    } finally {
      if (searchId === latestSearch) form.removeAttribute("aria-busy");
    }
  }

  // ---------- Copying a citation ----------

  async function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        // Permission refused: the old way below may still be allowed.
      }
    }
    return copyWithTextarea(text);
  }

  /** Fallback for plain-http intranet deployments, where navigator.clipboard does not exist. */
  function copyWithTextarea(text) {
    const previousFocus = document.activeElement;
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "clipboard-helper";
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    area.remove();
    if (previousFocus instanceof HTMLElement) previousFocus.focus();
    return copied;
  }

  function announce(message) {
    // Clear first so repeating the same words is announced again.
    copyStatus.textContent = "";
    setTimeout(() => {
      copyStatus.textContent = message;
    }, 100);
  }

  async function copyCitation(hit, button) {
    const copied = await writeClipboard(formatCitation(hit));
    announce(copied ? "Đã sao chép" : "Không sao chép được. Vui lòng chọn và sao chép thủ công.");
    if (!copied) return;
    button.textContent = "Đã sao chép ✓";
    setTimeout(() => {
      button.textContent = "Sao chép trích dẫn";
    }, 2000);
  }

  // ---------- Start ----------

  async function loadFilters() {
    try {
      const { documents } = await fetchJson("/api/documents", { headers: { Accept: "application/json" } });
      fillFilters(Array.isArray(documents) ? documents : []);
    } catch (error) {
      showError(`Không tải được danh sách văn bản để lọc. ${error.message}`);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  // A changed filter applies at once to the search on screen (search() ignores an empty query).
  for (const filter of [documentSelect, typeSelect, dateFrom, dateTo]) filter.addEventListener("change", search);

  window.GiamNgheoCitation = Object.freeze({ format: formatCitation });

  // Filters first, so a search restored from the URL can select its document and type.
  loadFilters().then(() => {
    if (restoreSearchFromUrl()) search();
  });
})();
