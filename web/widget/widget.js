/*
 * Trợ lý Giảm nghèo — embeddable chat widget.
 *
 *   <script src="https://HOST/widget.js" data-api="https://HOST" async></script>
 *
 * Everything lives in an open Shadow DOM so the host page's CSS and ours never mix.
 * Every string that comes from the server is rendered with textContent, never as HTML.
 * The only global is window.TroLyGiamNgheo = {open, close, ask, check}.
 *
 * "Kiểm tra hộ nghèo" opens a step-by-step form in the panel: the steps come from the server
 * (GET /api/eligibility/questions: area, members, income, then the questions of the poverty
 * standard in force and, in the weeks before a new one, its extra questions), one at a time
 * with "Quay lại" and "Hủy". Typed answers are read by the server (POST /api/eligibility/read),
 * which says back what it understood or what to type instead: nothing about the standard, and
 * no reading of amounts, is written here. The result of POST /api/eligibility lands in the
 * conversation. Citation labels are the server's too.
 */
(() => {
  "use strict";

  // Read at top level: document.currentScript is null once this script's first run is over.
  const ownScript = document.currentScript || findOwnScriptTag();

  const HOST_TAG = "tro-ly-giam-ngheo";
  const MAX_HISTORY = 5;
  const REQUEST_TIMEOUT_MS = 60000;

  const SUGGESTIONS = [
    "Hộ nghèo được hỗ trợ vay vốn ở đâu?",
    "Ai được ưu tiên hỗ trợ giảm nghèo?",
    "Mục tiêu giảm tỷ lệ hộ nghèo mỗi năm là bao nhiêu?",
    "Hộ nghèo được hỗ trợ nhà ở như thế nào?",
  ];

  const TEXT = {
    title: "Trợ lý Giảm nghèo",
    launcher: "Hỏi Trợ lý Giảm nghèo",
    close: "Đóng",
    greeting:
      "Xin chào! Tôi trả lời bằng cách trích nguyên văn các văn bản chính sách giảm nghèo, kèm nguồn để bạn kiểm tra.",
    suggestionsIntro: "Bạn có thể hỏi:",
    inputLabel: "Câu hỏi của bạn",
    placeholder: "Nhập câu hỏi… (Enter để gửi)",
    send: "Gửi",
    footnote: "Câu trả lời chỉ mang tính tham khảo; hãy đối chiếu văn bản gốc.",
    you: "Bạn hỏi:",
    assistant: "Trợ lý trả lời:",
    loading: "Đang tìm trong văn bản…",
    sources: "Nguồn trích dẫn",
    opensInNewTab: "(mở trong thẻ mới)",
    notFound: "Không tìm thấy trong văn bản",
    notStated: "Văn bản không nêu chi tiết này",
    related: "Có thể liên quan (không phải câu trả lời)",
    network: "Không kết nối được với máy chủ. Vui lòng kiểm tra mạng và thử lại.",
    timeout: "Máy chủ phản hồi quá lâu. Vui lòng thử lại sau ít phút.",
    rateLimited: (seconds) =>
      seconds
        ? `Hệ thống đang nhận quá nhiều câu hỏi. Vui lòng thử lại sau ${seconds} giây.`
        : "Hệ thống đang nhận quá nhiều câu hỏi. Vui lòng thử lại sau ít phút.",
    badRequest: "Câu hỏi chưa hợp lệ. Vui lòng diễn đạt lại và thử lại.",
    serverError: "Máy chủ đang gặp sự cố. Vui lòng thử lại sau.",
    generic: "Đã có lỗi xảy ra. Vui lòng thử lại sau.",
    checkOpen: "Kiểm tra hộ nghèo, cận nghèo",
    checkIntro: "Hộ của bạn có thuộc diện hộ nghèo, hộ cận nghèo không? Trả lời vài câu hỏi để tự kiểm tra theo chuẩn nghèo đang áp dụng.",
    checkTitle: "Kiểm tra hộ nghèo, cận nghèo",
    checkLoading: "Đang tải câu hỏi…",
    checkSending: "Đang kiểm tra…",
    checkStep: (n, total) => `Bước ${n}/${total}`,
    checkBack: "Quay lại",
    checkCancel: "Hủy",
    checkNext: "Tiếp",
    checkReading: "Đang đọc câu trả lời…",
    checkEcho: (display) => `Đã ghi: ${display}`,
    checkResult: (label) => `Kết quả: ${label}`,
    checkAsked: (area, members, income) => `Tự kiểm tra: ${area}, ${members}, thu nhập cả hộ ${income}`,
    checkBasis: "Căn cứ: ",
    checkProvisional: "Chưa chính thức — ",
    checkSupport: "Chính sách hỗ trợ trong văn bản",
  };

  const STYLES = `
    :host { all: initial; }
    /* all: initial again on our root, so nothing the host page sets on <${HOST_TAG}> is inherited. */
    .root {
      all: initial;
      display: block;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
      font-size: 16px;
      line-height: 1.5;
      color: #1a1a1a;
      text-align: left;
      direction: ltr;
    }
    .root *, .root *::before, .root *::after { box-sizing: border-box; }
    [hidden] { display: none !important; }
    .sr-only {
      position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
      overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
    }
    button, textarea, a { font: inherit; }
    /* A white ring inside a blue outline stays visible on any background, ours or the host's. */
    :focus-visible { outline: 3px solid #0b4f8a; outline-offset: 2px; box-shadow: 0 0 0 2px #ffffff; }

    .launcher {
      position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
      display: inline-flex; align-items: center; gap: 8px;
      min-height: 48px; padding: 10px 18px; margin: 0;
      border: 2px solid #ffffff; border-radius: 999px;
      background: #0b4f8a; color: #ffffff;
      font-size: 16px; font-weight: 600; line-height: 1.2;
      box-shadow: 0 4px 16px rgba(0, 0, 0, 0.25);
      cursor: pointer;
    }
    .launcher:hover { background: #083a66; }
    .launcher svg { width: 22px; height: 22px; flex: none; fill: currentColor; }

    .panel {
      position: fixed; right: 20px; bottom: 84px; z-index: 2147483001;
      display: flex; flex-direction: column;
      width: min(380px, calc(100vw - 40px));
      height: min(620px, calc(100vh - 108px));
      background: #ffffff; color: #1a1a1a;
      border: 1px solid #c5ced8; border-radius: 12px;
      box-shadow: 0 12px 32px rgba(0, 0, 0, 0.28);
      overflow: hidden;
    }
    .header {
      display: flex; align-items: center; justify-content: space-between; gap: 8px;
      padding: 10px 10px 10px 16px; background: #0b4f8a; color: #ffffff;
    }
    .title { margin: 0; font-size: 18px; font-weight: 700; line-height: 1.3; color: #ffffff; }
    .close {
      min-width: 40px; min-height: 40px; padding: 0 8px; margin: 0;
      border: 0; border-radius: 6px; background: transparent; color: #ffffff;
      font-size: 26px; line-height: 1; cursor: pointer;
    }
    .close:hover { background: #083a66; }
    .close:focus-visible { outline-color: #ffffff; box-shadow: none; }

    /* position: relative makes this the offsetParent of the messages we scroll to. */
    .scroller {
      position: relative; flex: 1 1 auto; min-height: 0;
      overflow-y: auto; overflow-x: hidden; overscroll-behavior: contain;
      padding: 12px 14px;
      background: #f4f6f9;
    }
    .intro p { margin: 0 0 8px; }
    .suggestions { list-style: none; margin: 0 0 8px; padding: 0; display: grid; gap: 6px; }
    .suggestion {
      width: 100%; margin: 0; padding: 8px 12px; text-align: left;
      border: 1px solid #0b4f8a; border-radius: 8px;
      background: #ffffff; color: #0b4f8a; font-size: 15px; line-height: 1.4; cursor: pointer;
    }
    .suggestion:hover { background: #e8f0f8; }

    .log { display: flex; flex-direction: column; gap: 10px; }
    .msg {
      max-width: 100%; padding: 10px 12px; border-radius: 10px;
      overflow-wrap: anywhere; word-break: normal;
    }
    .msg p { margin: 0; }
    .msg-user { align-self: flex-end; max-width: 88%; background: #0b4f8a; color: #ffffff; white-space: pre-wrap; }
    .msg-bot { align-self: stretch; background: #ffffff; color: #1a1a1a; border: 1px solid #d5dce4; }
    .answer-text { white-space: pre-wrap; }
    .status { display: flex; align-items: center; gap: 8px; color: #44505c; }
    .spinner {
      width: 16px; height: 16px; flex: none; border-radius: 50%;
      border: 3px solid #c5d6e8; border-top-color: #0b4f8a;
      animation: spin 0.9s linear infinite;
    }
    @keyframes spin { to { transform: rotate(360deg); } }
    @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }

    .sources-title { margin: 10px 0 4px !important; font-size: 14px; font-weight: 700; color: #44505c; }
    .citations { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; font-size: 14px; }
    .citations a { color: #0b4f8a; text-decoration: underline; text-underline-offset: 2px; }
    .citations a:hover { color: #062c4d; }

    .msg-bot[data-state="not-found"] { background: #fff6e5; border: 1px solid #b45309; border-left-width: 5px; }
    .not-found-label { display: flex; align-items: center; gap: 8px; margin-bottom: 6px !important; font-weight: 700; color: #7a3300; }
    .not-found-icon {
      display: inline-flex; align-items: center; justify-content: center; flex: none;
      width: 22px; height: 22px; border-radius: 50%; background: #b45309; color: #ffffff;
      font-size: 14px; font-weight: 700; line-height: 1;
    }
    .msg-bot[data-state="error"] { background: #fdeeee; border: 1px solid #a61b1b; color: #7d1414; }

    .composer {
      display: flex; align-items: flex-end; gap: 8px;
      padding: 10px 12px; border-top: 1px solid #d5dce4; background: #ffffff;
    }
    .input {
      flex: 1 1 auto; min-width: 0; min-height: 44px; max-height: 120px; margin: 0;
      padding: 9px 10px; resize: none;
      border: 1px solid #6b7785; border-radius: 8px; background: #ffffff; color: #1a1a1a;
      font-size: 16px; line-height: 1.4;
    }
    .input::placeholder { color: #5f6b78; }
    .send {
      flex: none; min-height: 44px; padding: 0 16px; margin: 0;
      border: 0; border-radius: 8px; background: #0b4f8a; color: #ffffff;
      font-size: 16px; font-weight: 600; cursor: pointer;
    }
    .send:hover { background: #083a66; }
    .send[aria-disabled="true"] { background: #5c7a96; cursor: progress; }
    .footnote { margin: 0; padding: 0 12px 8px; background: #ffffff; font-size: 12px; color: #4f5b67; }

    .check-entry {
      width: 100%; margin: 4px 0 8px; padding: 8px 12px; text-align: left;
      border: 2px solid #0b4f8a; border-radius: 8px;
      background: #0b4f8a; color: #ffffff; font-size: 15px; font-weight: 600; line-height: 1.4; cursor: pointer;
    }
    .check-entry:hover { background: #083a66; }
    .msg-bot .check-entry { margin-top: 10px; }

    .check {
      flex: 1 1 auto; min-height: 0; overflow-y: auto; overflow-x: hidden; overscroll-behavior: contain;
      padding: 12px 14px; background: #f4f6f9;
    }
    .check h3 { margin: 0 0 2px; font-size: 17px; font-weight: 700; line-height: 1.3; color: #1a1a1a; }
    .check-period { margin: 0 0 10px; font-size: 13px; color: #44505c; }
    .check-progress { margin: 0 0 4px; font-size: 14px; font-weight: 600; color: #44505c; }
    .check-step { margin: 0; padding: 12px; border: 1px solid #d5dce4; border-radius: 10px; background: #ffffff; }
    .check-service { margin: 0 0 4px; font-size: 13px; font-weight: 600; color: #0b4f8a; }
    .check-question { margin: 0 0 10px; font-size: 16px; font-weight: 600; overflow-wrap: anywhere; }
    .check-hint { margin: 0 0 8px; font-size: 14px; color: #44505c; }
    .check-choices { display: flex; flex-wrap: wrap; gap: 8px; }
    .check-choice {
      flex: 1 1 120px; min-height: 44px; margin: 0; padding: 8px 12px;
      border: 2px solid #0b4f8a; border-radius: 8px; background: #ffffff; color: #0b4f8a;
      font-size: 16px; font-weight: 600; cursor: pointer;
    }
    .check-choice:hover { background: #e8f0f8; }
    .check-choice[aria-pressed="true"] { background: #0b4f8a; color: #ffffff; }
    .check-field { display: flex; gap: 8px; align-items: stretch; }
    .check-input {
      flex: 1 1 auto; min-width: 0; min-height: 44px; margin: 0; padding: 8px 10px;
      border: 1px solid #6b7785; border-radius: 8px; background: #ffffff; color: #1a1a1a; font-size: 16px;
    }
    .check-input[aria-invalid="true"] { border: 2px solid #a61b1b; }
    .check-next {
      flex: none; min-height: 44px; padding: 0 16px; margin: 0;
      border: 0; border-radius: 8px; background: #0b4f8a; color: #ffffff; font-size: 16px; font-weight: 600; cursor: pointer;
    }
    .check-echo { margin: 0 0 6px; min-height: 1.5em; font-size: 14px; color: #1d5e2a; }
    .check-error { margin: 8px 0 0; font-size: 14px; font-weight: 600; color: #a61b1b; }
    .check-nav { display: flex; justify-content: space-between; gap: 8px; margin-top: 12px; }
    .check-nav button {
      min-height: 44px; padding: 0 16px; margin: 0; border: 1px solid #6b7785; border-radius: 8px;
      background: #ffffff; color: #1a1a1a; font-size: 15px; cursor: pointer;
    }
    .check-nav button:hover { background: #eef1f5; }

    .msg-bot[data-state="eligibility"] { border-left: 5px solid #0b4f8a; }
    .check-label { margin: 0 0 6px !important; font-size: 17px; font-weight: 700; color: #0b4f8a; }
    .check-label:focus { outline: none; }
    .check-label:focus-visible { outline: 3px solid #0b4f8a; }
    .check-meta { margin: 0 0 6px !important; font-size: 14px; color: #44505c; }
    .check-reasoning { margin: 0 0 8px; padding-left: 20px; }
    .check-reasoning li { margin: 0 0 4px; }
    .check-basis { margin: 0 0 6px !important; font-size: 14px; }
    .check-notice { margin: 0 0 6px !important; padding: 8px 10px; border-radius: 8px; background: #fff6e5; color: #5a2900; font-size: 14px; }
    .check-provisional { margin: 0 0 6px !important; font-size: 13px; font-style: italic; color: #5a2900; }
    .check-coming { margin: 10px 0 6px !important; padding: 8px 10px; border-left: 4px solid #0b4f8a; background: #f2f6fb; }
    .support-quote { margin: 6px 0 0 !important; font-size: 14px; color: #1a1a1a; white-space: pre-wrap; }

    /* Narrow screens: the open panel takes the whole viewport and hides the launcher. */
    @media (max-width: 480px) {
      .panel {
        inset: 0; width: auto; height: auto; max-width: 100vw;
        border: 0; border-radius: 0;
      }
      .root.is-open .launcher { display: none; }
    }
  `;

  function findOwnScriptTag() {
    const scripts = document.querySelectorAll("script[src]");
    for (let i = scripts.length - 1; i >= 0; i--) {
      if (scripts[i].src.split(/[?#]/)[0].endsWith("widget.js")) return scripts[i];
    }
    return null;
  }

  function resolveApiBase(script) {
    try {
      const configured = script && script.dataset.api;
      if (configured) return new URL(configured, location.href).href.replace(/\/+$/, "");
      if (script) return new URL(script.src, location.href).origin;
    } catch {
      // A malformed data-api falls through to the page's own origin.
    }
    return location.origin;
  }

  /** createElement with attributes; string children become text nodes, never HTML. */
  function el(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  function chatIcon() {
    const svgNs = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(svgNs, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h10V9H7zm0-3v2h10V6H7zm0 6v2h7v-2H7z");
    svg.append(path);
    return svg;
  }

  function formatDate(isoDate) {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate || "");
    return match ? `${match[3]}/${match[2]}/${match[1]}` : isoDate || "";
  }

  /** The server's label: "[n] Chỉ thị 19-CT/TU (29/11/2021) [đã được thay thế bởi …] — <location>". */
  function citationLabel(citation) {
    return String(citation.label || citation.location || "");
  }

  // ---------- Talking to the API ----------

  /** An error whose message is already a Vietnamese sentence fit for the user. */
  class UserFacingError extends Error {}

  async function readDetail(response) {
    try {
      const body = await response.json();
      // FastAPI validation errors carry a list here, not a sentence.
      return body && typeof body.detail === "string" ? body.detail : "";
    } catch {
      return "";
    }
  }

  async function errorFromResponse(response) {
    const detail = await readDetail(response);
    if (detail) return new UserFacingError(detail);
    if (response.status === 429) {
      const seconds = parseInt(response.headers.get("Retry-After") || "", 10);
      return new UserFacingError(TEXT.rateLimited(Number.isFinite(seconds) ? seconds : 0));
    }
    return new UserFacingError(response.status >= 500 ? TEXT.serverError : TEXT.badRequest);
  }

  function messageFor(error) {
    if (error instanceof UserFacingError) return error.message;
    if (error && error.name === "AbortError") return TEXT.timeout;
    if (error instanceof TypeError) return TEXT.network; // what fetch rejects with offline / on CORS failure
    return TEXT.generic;
  }

  async function getJson(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(url, { ...options, signal: controller.signal });
      if (!response.ok) throw await errorFromResponse(response);
      return await response.json();
    } finally {
      clearTimeout(timer);
    }
  }

  function fetchQuestions(apiBase) {
    return getJson(`${apiBase}/api/eligibility/questions`, { headers: { Accept: "application/json" } });
  }

  function postJson(url, body, extraHeaders) {
    return getJson(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...extraHeaders },
      body: JSON.stringify(body),
    });
  }

  /** The whole answer as JSON: an extractive answer takes tens of milliseconds, so the
   *  loading state is all the waiting needs (see docs/architecture.md). The header tells the
   *  server's question log (the cadres' report, by face) that the widget asked. */
  function requestAnswer(apiBase, question, history) {
    return postJson(`${apiBase}/api/ask`, { question, history }, { "X-Tro-Ly-Face": "widget" });
  }

  function postEligibility(apiBase, body) {
    return postJson(`${apiBase}/api/eligibility`, body);
  }

  /** What the server understood of a typed answer: {understood, value, display} or {understood: false, message}. */
  function readAnswer(apiBase, step, text) {
    return postJson(`${apiBase}/api/eligibility/read`, { step, text });
  }

  // ---------- Rendering ----------

  function citationHref(apiBase, documentId, passageId) {
    return `${apiBase}/documents/${encodeURIComponent(documentId || "")}#${encodeURIComponent(passageId || "")}`;
  }

  /** Links to the cited clauses (or, under a "not found", to the nearest ones), labelled by the server. */
  function renderCitationList(citations, apiBase, kind = "citation") {
    const list = el("ol", { class: "citations", "data-testid": `widget-${kind}s` });
    citations.forEach((citation) => {
      const doc = citation.document || {};
      const link = el("a", {
        href: citationHref(apiBase, doc.id, citation.passage_id),
        target: "_blank",
        rel: "noopener",
        "aria-describedby": "widget-new-tab-note",
        "data-testid": `widget-${kind}`,
        text: citationLabel(citation),
      });
      list.append(el("li", {}, [link]));
    });
    return [el("p", { class: "sources-title", text: kind === "related" ? TEXT.related : TEXT.sources }), list];
  }

  function renderAnswer(answer, apiBase, openCheck) {
    const text = el("p", { class: "answer-text", "data-testid": "widget-answer", text: answer.answer });
    if (answer.status === "eligibility_hint") {
      // "có phải hộ nghèo không": the rule, the quotes if any, and the way to the check itself
      const citations = Array.isArray(answer.citations) ? answer.citations : [];
      const button = el("button", { type: "button", class: "check-entry", "data-testid": "widget-hint-check", text: TEXT.checkOpen });
      button.addEventListener("click", () => openCheck());
      return [text, ...(citations.length ? renderCitationList(citations, apiBase) : []), button];
    }
    // A question with nothing to search for: the server says what to fix; "not found" would mislead.
    if (answer.status === "invalid_question") return [text];
    if (answer.found === false) {
      const label = el("p", { class: "not-found-label" }, [
        el("span", { class: "not-found-icon", "aria-hidden": "true", text: "!" }),
        answer.status === "not_stated" ? TEXT.notStated : TEXT.notFound,
      ]);
      // the nearest clauses, clearly not an answer: the citizen may find what they meant there
      const related = Array.isArray(answer.related) ? answer.related : [];
      const nearest = related.length ? renderCitationList(related, apiBase, "related") : [];
      return [el("div", { "data-testid": "widget-not-found" }, [label, text, ...nearest])];
    }
    const citations = Array.isArray(answer.citations) ? answer.citations : [];
    return citations.length ? [text, ...renderCitationList(citations, apiBase)] : [text];
  }

  /** A check's result under one standard: the group, the reasoning, the basis, what is provisional. */
  function renderResult(result, headline, testid) {
    const label = el("p", { class: "check-label", tabindex: "-1", "data-testid": `${testid}-label`, text: headline });
    const reasoning = el(
      "ul",
      { class: "check-reasoning", "data-testid": `${testid}-reasoning` },
      result.reasoning.map((line) => el("li", { "data-testid": `${testid}-reason`, text: line }))
    );
    const nodes = [
      label,
      el("p", { class: "check-meta", "data-testid": `${testid}-period`, text: `${result.period.name}, áp dụng ngày ${formatDate(result.checked_on)}` }),
      reasoning,
      el("p", { class: "check-basis", "data-testid": `${testid}-basis`, text: `${TEXT.checkBasis}${result.basis}` }),
      ...(result.provisional || []).map((note) =>
        el("p", { class: "check-provisional", "data-testid": `${testid}-provisional`, text: `${TEXT.checkProvisional}${note}` })
      ),
    ];
    return { nodes, label };
  }

  /** The result of a check: today's result and notice, the coming standard's result, the support found. */
  function renderEligibility(result, apiBase) {
    const { nodes, label } = renderResult(result, TEXT.checkResult(result.label), "widget-check");
    nodes.push(el("p", { class: "check-notice", "data-testid": "widget-check-notice", text: result.notice }));
    const coming = result.coming;
    if (coming && coming.result) {
      const next = renderResult(coming.result, coming.headline, "widget-check-coming");
      nodes.push(el("div", { class: "check-coming", "data-testid": "widget-check-coming" }, next.nodes));
    } else if (coming) {
      nodes.push(el("p", { class: "check-coming", "data-testid": "widget-check-coming", text: coming.headline }));
    }
    const support = Array.isArray(result.support) ? result.support : [];
    if (support.length) {
      nodes.push(el("p", { class: "sources-title", text: TEXT.checkSupport }));
      for (const citation of support) {
        const text = citation.text.length > 320 ? `${citation.text.slice(0, 319).trimEnd()}…` : citation.text;
        nodes.push(el("p", { class: "support-quote", "data-testid": "widget-support-quote", text: `“${text}” [${citation.number}]` }));
      }
      const [, list] = renderCitationList(support, apiBase);
      nodes.push(list);
    }
    return { nodes, label };
  }

  /** One assistant message, from loading to its final state. */
  function createReply(apiBase, openCheck) {
    const message = el("div", {
      class: "msg msg-bot",
      "data-testid": "widget-message",
      "data-role": "assistant",
      "data-state": "loading",
      "aria-busy": "true",
    });
    const status = el("p", { class: "status", "data-testid": "widget-loading" }, [
      el("span", { class: "spinner", "aria-hidden": "true" }),
      TEXT.loading,
    ]);
    message.append(el("span", { class: "sr-only", text: TEXT.assistant }), status);

    function settle(state, nodes) {
      message.dataset.state = state;
      message.removeAttribute("aria-busy");
      message.replaceChildren(el("span", { class: "sr-only", text: TEXT.assistant }), ...nodes);
    }

    return {
      element: message,
      showAnswer(answer) {
        if (!answer || typeof answer.answer !== "string") throw new UserFacingError(TEXT.generic);
        const state =
          answer.status === "invalid_question" ? "invalid"
          : answer.status === "eligibility_hint" ? "hint"
          : answer.found === false ? "not-found" : "answered";
        settle(state, renderAnswer(answer, apiBase, openCheck));
        if (answer.status) message.dataset.status = answer.status;
      },
      showError(text) {
        settle("error", [el("p", { "data-testid": "widget-error", text })]);
      },
    };
  }

  // ---------- The eligibility check ----------

  /**
   * The step-by-step form, its steps as the server gives them (choices, typed answers, yes/no),
   * each with "Quay lại" and "Hủy". A typed answer goes to the server to be read; what it
   * understood is said back, or its message shown. hooks.onResult(result, askedText) once the
   * API has answered; hooks.onLeave() on "Hủy" (or "Quay lại" at the first step).
   */
  function createCheck(apiBase, hooks) {
    const heading = el("h3", { id: "widget-check-heading", "data-testid": "widget-check-title", text: TEXT.checkTitle });
    const periodLine = el("p", { class: "check-period", "data-testid": "widget-check-standard" });
    const progress = el("p", { class: "check-progress", "data-testid": "widget-check-progress" });
    const echo = el("p", { class: "check-echo", "aria-live": "polite", "data-testid": "widget-check-echo" });
    const stepBox = el("div", { class: "check-step", "data-testid": "widget-check-step" });
    const error = el("p", { class: "check-error", id: "widget-check-error", role: "alert", "data-testid": "widget-check-error", hidden: "" });
    const back = el("button", { type: "button", "data-testid": "widget-check-back", text: TEXT.checkBack });
    const cancel = el("button", { type: "button", "data-testid": "widget-check-cancel", text: TEXT.checkCancel });
    const element = el(
      "section",
      { class: "check", "aria-labelledby": "widget-check-heading", "data-testid": "widget-check", hidden: "" },
      [heading, periodLine, progress, echo, stepBox, error, el("div", { class: "check-nav" }, [back, cancel])]
    );

    let data = null; // GET /api/eligibility/questions, fetched once
    let step = 0;
    let answers = {}; // step id → {value, typed, display}
    let busy = false;
    let focusTarget = null;

    function setError(text) {
      error.textContent = text;
      error.hidden = !text;
    }

    function setBusy(value) {
      busy = value;
      if (value) element.setAttribute("aria-busy", "true");
      else element.removeAttribute("aria-busy");
    }

    function notes(current) {
      const lines = [];
      if (current.provisional) lines.push(el("p", { class: "check-provisional", "data-testid": "widget-check-step-provisional", text: `(${current.provisional})` }));
      if (current.for_period) lines.push(el("p", { class: "check-hint", "data-testid": "widget-check-for-period", text: current.hint }));
      return lines;
    }

    function choiceStep(current) {
      const question = el("p", { class: "check-question", id: "widget-check-question", "data-testid": "widget-check-question", text: current.question });
      const previous = answers[current.id];
      const buttons = current.choices.map((choice) => {
        const value = current.kind === "yes_no" ? choice.value === "yes" : choice.value;
        const button = el("button", {
          type: "button",
          class: "check-choice",
          "aria-pressed": String(previous !== undefined && previous.value === value),
          "data-testid": "widget-check-choice",
          text: choice.label,
        });
        button.addEventListener("click", () => {
          if (busy) return;
          answers[current.id] = { value, display: choice.label };
          advance();
        });
        return button;
      });
      const group = el("div", { class: "check-choices", role: "group", "aria-labelledby": "widget-check-question" }, buttons);
      const service = current.service ? [el("p", { class: "check-service", text: current.service })] : [];
      stepBox.replaceChildren(...service, question, ...notes(current), group);
      return buttons.find((b) => b.getAttribute("aria-pressed") === "true") || buttons[0];
    }

    function typedStep(current) {
      const label = el("label", {
        for: "widget-check-input",
        class: "check-question",
        id: "widget-check-question",
        "data-testid": "widget-check-question",
        text: current.question,
      });
      const hint = el("p", { class: "check-hint", id: "widget-check-hint", text: current.hint });
      const input = el("input", {
        id: "widget-check-input",
        class: "check-input",
        type: "text",
        inputmode: current.kind === "count" ? "numeric" : "text",
        autocomplete: "off",
        "aria-describedby": "widget-check-hint widget-check-error",
        "data-testid": "widget-check-input",
      });
      const previous = answers[current.id];
      if (previous) input.value = previous.typed;
      const next = el("button", { type: "submit", class: "check-next", "data-testid": "widget-check-next", text: TEXT.checkNext });
      const form = el("form", { novalidate: "" }, [label, hint, el("div", { class: "check-field" }, [input, next])]);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (busy) return;
        const typed = input.value.trim();
        setBusy(true);
        echo.textContent = TEXT.checkReading;
        const refuse = (text) => {
          echo.textContent = "";
          input.setAttribute("aria-invalid", "true");
          setError(text);
          input.focus();
        };
        try {
          const reading = await readAnswer(apiBase, current.id, typed);
          if (!reading.understood) {
            refuse(reading.message); // the server says what to type instead
            return;
          }
          answers[current.id] = { value: reading.value, typed, display: reading.display };
          input.removeAttribute("aria-invalid");
          advance();
        } catch (problem) {
          refuse(messageFor(problem));
        } finally {
          setBusy(false);
        }
      });
      stepBox.replaceChildren(form);
      return input;
    }

    function render() {
      const current = data.steps[step];
      progress.textContent = TEXT.checkStep(step + 1, data.steps.length);
      setError("");
      focusTarget = current.kind === "count" || current.kind === "money" ? typedStep(current) : choiceStep(current);
      focusTarget.focus();
    }

    function advance() {
      const answered = answers[data.steps[step].id];
      echo.textContent = answered ? TEXT.checkEcho(answered.display) : "";
      if (step < data.steps.length - 1) {
        step += 1;
        render();
      } else {
        submit();
      }
    }

    async function submit() {
      setBusy(true);
      progress.textContent = TEXT.checkSending;
      const yesNo = {};
      for (const current of data.steps) {
        if (current.kind === "yes_no") yesNo[current.id] = answers[current.id].value;
      }
      // what the citizen typed goes as typed: the server reads it as it did for the echo
      const body = { area: answers.area.value, members: answers.members.typed, monthly_income: answers.income.typed, answers: yesNo };
      try {
        const result = await postEligibility(apiBase, body);
        const asked = TEXT.checkAsked(answers.area.display, answers.members.display, answers.income.display);
        reset();
        hooks.onResult(result, asked);
      } catch (problem) {
        progress.textContent = TEXT.checkStep(step + 1, data.steps.length);
        setError(messageFor(problem)); // stay on the last question: the citizen may go back
      } finally {
        setBusy(false);
      }
    }

    function reset() {
      step = 0;
      answers = {};
      echo.textContent = "";
    }

    function leave() {
      if (busy) return;
      reset();
      hooks.onLeave();
    }

    back.addEventListener("click", () => {
      if (busy) return;
      if (step === 0 || !data) leave();
      else {
        step -= 1;
        echo.textContent = "";
        render();
      }
    });
    cancel.addEventListener("click", leave);

    async function start() {
      if (data) {
        render();
        return;
      }
      progress.textContent = "";
      const loading = el("p", { class: "status", "data-testid": "widget-check-loading" }, [
        el("span", { class: "spinner", "aria-hidden": "true" }),
        TEXT.checkLoading,
      ]);
      stepBox.replaceChildren(loading);
      focusTarget = cancel;
      cancel.focus();
      try {
        data = await fetchQuestions(apiBase);
      } catch (problem) {
        stepBox.replaceChildren();
        setError(messageFor(problem));
        return;
      }
      periodLine.textContent = data.intro;
      if (!element.hidden) render();
    }

    return {
      element,
      start,
      focus: () => (focusTarget || cancel).focus(),
    };
  }

  // ---------- The widget ----------

  function mount(apiBase) {
    const host = document.createElement(HOST_TAG);
    host.setAttribute("data-testid", "widget-host");
    const shadow = host.attachShadow({ mode: "open" });

    const launcher = el(
      "button",
      {
        type: "button",
        class: "launcher",
        "aria-expanded": "false",
        "aria-controls": "widget-panel",
        "data-testid": "widget-launcher",
      },
      [chatIcon(), el("span", { text: TEXT.launcher })]
    );

    const closeButton = el("button", {
      type: "button",
      class: "close",
      "aria-label": TEXT.close,
      title: TEXT.close,
      "data-testid": "widget-close",
      text: "×",
    });
    const header = el("div", { class: "header" }, [
      el("h2", { class: "title", id: "widget-title", "data-testid": "widget-title", text: TEXT.title }),
      closeButton,
    ]);

    const suggestionList = el(
      "ul",
      { class: "suggestions" },
      SUGGESTIONS.map((question) =>
        el("li", {}, [
          el("button", { type: "button", class: "suggestion", "data-testid": "widget-suggestion", text: question }),
        ])
      )
    );
    const suggestionsBlock = el("div", {}, [el("p", { text: TEXT.suggestionsIntro }), suggestionList]);
    // stays when the suggestions go: the way to the eligibility check
    const checkEntry = el("button", { type: "button", class: "check-entry", "data-testid": "widget-check-open", text: TEXT.checkOpen });
    const intro = el("div", { class: "intro" }, [
      el("p", { "data-testid": "widget-intro", text: TEXT.greeting }),
      suggestionsBlock,
      el("p", { "data-testid": "widget-check-intro", text: TEXT.checkIntro }),
      checkEntry,
    ]);

    const log = el("div", {
      class: "log",
      role: "log",
      "aria-live": "polite",
      "aria-label": "Hội thoại",
      "data-testid": "widget-log",
    });
    const scroller = el("div", { class: "scroller" }, [intro, log]);

    const input = el("textarea", {
      id: "widget-input",
      class: "input",
      rows: "2",
      placeholder: TEXT.placeholder,
      autocomplete: "off",
      "data-testid": "widget-input",
    });
    const sendButton = el("button", { type: "submit", class: "send", "data-testid": "widget-send", text: TEXT.send });
    const form = el("form", { class: "composer", novalidate: "" }, [
      el("label", { for: "widget-input", class: "sr-only", text: TEXT.inputLabel }),
      input,
      sendButton,
    ]);

    const check = createCheck(apiBase, {
      onLeave: () => closeCheck(),
      onResult: (result, asked) => showEligibility(result, asked),
    });

    const panel = el(
      "div",
      {
        id: "widget-panel",
        class: "panel",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "widget-title",
        "data-testid": "widget-panel",
        hidden: "",
      },
      [
        header,
        check.element,
        scroller,
        form,
        el("p", { class: "footnote", "data-testid": "widget-footnote", text: TEXT.footnote }),
        el("span", { id: "widget-new-tab-note", hidden: "", text: TEXT.opensInNewTab }),
      ]
    );

    const root = el("div", { class: "root" }, [launcher, panel]);
    shadow.append(el("style", { text: STYLES }), root);

    const askedQuestions = [];
    let busy = false;

    function isOpen() {
      return !panel.hidden;
    }

    function open() {
      panel.hidden = false;
      root.classList.add("is-open");
      launcher.setAttribute("aria-expanded", "true");
      if (checking()) check.focus();
      else input.focus();
    }

    function checking() {
      return !check.element.hidden;
    }

    /** The check takes the place of the conversation and the composer while it runs. */
    function openCheck() {
      if (!isOpen()) open();
      if (checking()) {
        check.focus();
        return;
      }
      scroller.hidden = true;
      form.hidden = true;
      check.element.hidden = false;
      check.start();
    }

    function closeCheck() {
      check.element.hidden = true;
      scroller.hidden = false;
      form.hidden = false;
      input.focus();
    }

    /** The result joins the conversation: what was checked, then the answer. */
    function showEligibility(result, asked) {
      closeCheck();
      suggestionsBlock.remove();
      const askedNode = el("div", { class: "msg msg-user", "data-testid": "widget-message", "data-role": "user" }, [
        el("span", { class: "sr-only", text: TEXT.you }),
        el("p", { text: asked }),
      ]);
      const { nodes, label } = renderEligibility(result, apiBase);
      const reply = el(
        "div",
        { class: "msg msg-bot", "data-testid": "widget-message", "data-role": "assistant", "data-state": "eligibility", "data-classification": result.classification },
        [el("span", { class: "sr-only", text: TEXT.assistant }), ...nodes]
      );
      log.append(askedNode, reply);
      reveal(askedNode);
      label.focus();
    }

    function close() {
      if (!isOpen()) return;
      panel.hidden = true;
      root.classList.remove("is-open");
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    /** Brings a message to the top of the visible log, so long answers read from their start. */
    function reveal(node) {
      scroller.scrollTop = Math.max(0, node.offsetTop - 8);
    }

    function setBusy(value) {
      busy = value;
      sendButton.setAttribute("aria-disabled", String(value));
    }

    async function ask(rawQuestion) {
      const question = String(rawQuestion || "").trim();
      if (!question || busy) return;
      setBusy(true);
      if (!isOpen()) open();
      suggestionsBlock.remove(); // they are a first-open aid, not part of the conversation

      const history = askedQuestions.slice(-MAX_HISTORY);
      const questionNode = el("div", { class: "msg msg-user", "data-testid": "widget-message", "data-role": "user" }, [
        el("span", { class: "sr-only", text: TEXT.you }),
        el("p", { text: question }),
      ]);
      const reply = createReply(apiBase, openCheck);
      log.append(questionNode, reply.element);
      reveal(questionNode);

      try {
        const answer = await requestAnswer(apiBase, question, history);
        reply.showAnswer(answer);
        // Only questions the server took become history: one it refused (too long…) would
        // be sent again with every later question and get each of them refused too.
        askedQuestions.push(question);
      } catch (error) {
        reply.showError(messageFor(error));
      } finally {
        setBusy(false);
        reveal(questionNode);
      }
    }

    /** Tab and Shift+Tab cycle inside the open panel; Escape is the way out. */
    function keepTabInPanel(event) {
      const focusable = [...panel.querySelectorAll("button, a[href], textarea, input")].filter(
        (node) => node.getClientRects().length > 0
      );
      if (!focusable.length) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && shadow.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && shadow.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }

    launcher.addEventListener("click", () => (isOpen() ? close() : open()));
    closeButton.addEventListener("click", close);
    checkEntry.addEventListener("click", openCheck);
    suggestionList.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      input.focus(); // the suggestions vanish once asked; keep focus somewhere useful
      ask(button.textContent);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (busy || !input.value.trim()) return;
      const question = input.value;
      input.value = "";
      ask(question);
    });
    input.addEventListener("keydown", (event) => {
      // isComposing: Vietnamese IMEs (Telex/VNI) use Enter to commit a syllable.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    shadow.addEventListener("keydown", (event) => {
      if (!isOpen()) return;
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Tab" && panel.contains(shadow.activeElement)) {
        keepTabInPanel(event);
      }
    });

    document.body.append(host);
    return { open, close, ask, openCheck };
  }

  function start() {
    if (document.querySelector(HOST_TAG)) return; // embedded twice: keep the first
    const widget = mount(resolveApiBase(ownScript));
    window.TroLyGiamNgheo = Object.freeze({
      open: () => widget.open(),
      close: () => widget.close(),
      ask: (question) => widget.ask(question),
      check: () => widget.openCheck(),
    });
  }

  // An async script may run before <body> exists.
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
