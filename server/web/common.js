// What the chat page and the console share: the sign-in token, calls to the /v1 API, the
// server-sent event reader, the language switch and a builder that only ever sets text.
//
// Every piece of data reaches the page through textContent (see el()); nothing here writes
// markup, so a message that contains HTML shows as the characters it is.

const LANGUAGE_KEY = "anxin.lang";

export class ApiProblem extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** An element with text and attributes; children may be elements, strings or null. */
export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attrs || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// --- Sign-in ------------------------------------------------------------------------------

/** The tab's token: taken once from a `#token=` fragment (which is then cleared from the address
 * bar and history), else the one pasted earlier in this tab. Never read from the query string,
 * which servers and proxies log. */
export function takeToken(storageKey) {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get("token");
  if (given) {
    sessionStorage.setItem(storageKey, given.trim());
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(storageKey);
}

/** The token's claims, for display only: the server checks the signature. */
export function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

// --- The API ------------------------------------------------------------------------------

export function makeApi(getToken, onUnauthorised) {
  async function call(method, path, body, extraHeaders = {}) {
    const headers = { Authorization: `Bearer ${getToken()}`, ...extraHeaders };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await problem(response, onUnauthorised);
    return response;
  }
  return {
    token: getToken,
    raw: call,
    async json(method, path, body) {
      const response = await call(method, path, body);
      return response.json();
    },
  };
}

async function problem(response, onUnauthorised) {
  let code = "http_" + response.status;
  let message = response.statusText;
  try {
    const body = await response.json();
    code = body.error.code;
    message = body.error.message;
  } catch {
    // Not our JSON error shape (a proxy's page, say): keep the status.
  }
  if (response.status === 401 && onUnauthorised) onUnauthorised(code);
  return new ApiProblem(response.status, code, message);
}

// --- Server-sent events over fetch --------------------------------------------------------

/** Reads a text/event-stream body, calling onEvent(name, data, id) per event. EventSource cannot
 * send the Authorization header, so the stream is read from fetch's body instead. */
export async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      dispatch(block, onEvent);
    }
  }
}

function dispatch(block, onEvent) {
  let name = "message";
  let id = null;
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  if (!data.length) return;
  let parsed;
  try {
    parsed = JSON.parse(data.join("\n"));
  } catch {
    return;
  }
  onEvent(name, parsed, id);
}

/** Follows a conversation's live messages, reconnecting after the id last seen so that nothing
 * is missed or shown twice. Returns a handle whose stop() ends it. */
export function followConversation(api, conversationId, afterId, onMessage, onStatus) {
  const controller = new AbortController();
  let cursor = afterId || 0;
  let delay = 1000;
  let stopped = false;

  async function run() {
    while (!stopped) {
      try {
        const path = `/v1/conversations/${encodeURIComponent(conversationId)}/events?after=${cursor}`;
        const response = await fetch(path, {
          headers: { Authorization: `Bearer ${api.token()}`, Accept: "text/event-stream" },
          signal: controller.signal,
        });
        if (!response.ok) throw new ApiProblem(response.status, "events_" + response.status, "");
        onStatus("live");
        delay = 1000;
        await readEvents(response, (name, data, id) => {
          if (name !== "message") return;
          cursor = Math.max(cursor, Number(id) || data.id || 0);
          onMessage(data);
        });
      } catch (error) {
        if (stopped) return;
        // A 401/404 will not mend by retrying: report it and stop.
        if (error instanceof ApiProblem && [401, 403, 404].includes(error.status)) {
          onStatus("failed");
          return;
        }
      }
      if (stopped) return;
      onStatus("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }
  run();
  return {
    stop() {
      stopped = true;
      controller.abort();
    },
  };
}

// --- Language -----------------------------------------------------------------------------

/** A translator over one page's dictionary ({zh: {...}, en: {...}}). Elements carry
 * data-i18n (text), data-i18n-placeholder and data-i18n-label (aria-label) with a key. */
export function makeTranslator(strings, onChange) {
  let language = localStorage.getItem(LANGUAGE_KEY) === "en" ? "en" : "zh";

  function t(key, values = {}) {
    const template = strings[language][key] ?? strings.zh[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  }

  function apply() {
    document.documentElement.lang = language === "en" ? "en" : "zh-CN";
    document.title = t("page_title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    }
    for (const node of document.querySelectorAll("[data-i18n-label]")) {
      node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    }
  }

  return {
    t,
    apply,
    get language() {
      return language;
    },
    toggle() {
      language = language === "zh" ? "en" : "zh";
      localStorage.setItem(LANGUAGE_KEY, language);
      apply();
      onChange();
    },
  };
}

/** "m:ss" or "h:mm:ss" for a number of seconds. */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n) => String(n).padStart(2, "0");
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return hours ? `${hours}:${pad(minutes)}:${pad(s % 60)}` : `${minutes}:${pad(s % 60)}`;
}

/** A local clock time for an ISO timestamp from the API. */
export function clock(iso, language) {
  if (!iso) return "";
  // Stored times are UTC; SQLite gives them back without an offset.
  const moment = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
  const locale = language === "en" ? "en-GB" : "zh-CN";
  return Number.isNaN(moment.getTime())
    ? ""
    : moment.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}
