// The client's chat: one conversation with the Assistant, and with a person after a hand-off.
// Messages are keyed by their id, so one arriving both in a reply and on the live stream is
// shown once.

import {
  ApiProblem,
  claims,
  clock,
  el,
  followConversation,
  makeApi,
  makeTranslator,
  readEvents,
  takeToken,
} from "./common.js";

const STRINGS = {
  zh: {
    page_title: "安心客服",
    heading: "安心客服",
    switch_language: "English",
    sign_out: "退出",
    signin_heading: "登录",
    signin_help: "请粘贴 App 为您生成的访问令牌。令牌只保存在本标签页中，关闭即清除。",
    token_label: "访问令牌",
    token_placeholder: "eyJ…",
    signin_button: "登录",
    signed_in_as: "客户 {sub}",
    wrong_role: "这个令牌属于{role}，客户页面需要客户令牌。",
    conversation_label: "会话编号",
    new_conversation: "新对话",
    message_label: "输入消息",
    message_placeholder: "请输入您的问题，例如：科创板开户需要什么条件？",
    send: "发送",
    role_client: "我",
    role_assistant: "安心智能客服",
    role_agent: "人工客服",
    role_advisor: "投资顾问",
    sources: "参考资料",
    helpful: "有帮助",
    not_helpful: "没帮助",
    live_live: "● 实时连接",
    live_reconnecting: "○ 正在重新连接…",
    live_failed: "○ 连接已断开，请刷新页面",
    handoff_waiting: "正在等待{queue}：前面还有{ahead}位，预计约{minutes}分钟",
    handoff_with_person: "{queue}正在为您服务",
    rating_heading: "请为刚才的人工服务评分（1 最低，5 最高）",
    rating_speed: "响应速度",
    rating_resolution: "问题解决",
    rating_attitude: "服务态度",
    rating_choose: "请选择",
    rating_comment: "其他意见（选填）",
    rating_submit: "提交评价",
    rating_thanks: "感谢您的评价！",
    error_generic: "出错了（{code}），请稍后重试。",
    error_network: "网络连接失败，请检查网络后重新发送。",
    error_empty_text: "消息不能为空。",
    error_text_too_long: "消息太长了，请分几次发送。",
    error_storage_unavailable: "服务暂时繁忙，消息未保存，请重新发送。",
    error_token_expired: "登录已过期，请重新粘贴令牌。",
    error_invalid_token: "令牌无效，请重新粘贴。",
    error_missing_token: "请先登录。",
    error_forbidden: "这个令牌不能在客户页面使用。",
    error_already_rated: "这次服务已经评价过了。",
  },
  en: {
    page_title: "Anxin support",
    heading: "Anxin support",
    switch_language: "中文",
    sign_out: "Sign out",
    signin_heading: "Sign in",
    signin_help: "Paste the access token your app gave you. It is kept in this tab only and is gone when the tab closes.",
    token_label: "Access token",
    token_placeholder: "eyJ…",
    signin_button: "Sign in",
    signed_in_as: "Client {sub}",
    wrong_role: "This token belongs to a {role}; the client page needs a client token.",
    conversation_label: "Conversation",
    new_conversation: "New conversation",
    message_label: "Your message",
    message_placeholder: "Ask a question, e.g. What do I need to trade on the STAR market?",
    send: "Send",
    role_client: "You",
    role_assistant: "Anxin assistant",
    role_agent: "Customer service",
    role_advisor: "Investment advisor",
    sources: "Sources",
    helpful: "Helpful",
    not_helpful: "Not helpful",
    live_live: "● Live",
    live_reconnecting: "○ Reconnecting…",
    live_failed: "○ Disconnected: reload the page",
    handoff_waiting: "Waiting for {queue}: {ahead} ahead of you, about {minutes} min",
    handoff_with_person: "{queue} is with you",
    rating_heading: "Please rate the service you just had (1 lowest, 5 highest)",
    rating_speed: "Speed",
    rating_resolution: "Resolution",
    rating_attitude: "Attitude",
    rating_choose: "Choose",
    rating_comment: "Anything else (optional)",
    rating_submit: "Send rating",
    rating_thanks: "Thank you for your rating!",
    error_generic: "Something went wrong ({code}). Please try again.",
    error_network: "The network failed. Check your connection and send again.",
    error_empty_text: "The message is empty.",
    error_text_too_long: "The message is too long; send it in parts.",
    error_storage_unavailable: "The service is busy and the message was not saved. Please send it again.",
    error_token_expired: "Your sign-in has expired. Paste a new token.",
    error_invalid_token: "The token is not valid. Paste it again.",
    error_missing_token: "Please sign in first.",
    error_forbidden: "This token cannot be used on the client page.",
    error_already_rated: "This service has already been rated.",
  },
};

const TOKEN_KEY = "anxin.chat.token";
const $ = (id) => document.getElementById(id);
const i18n = makeTranslator(STRINGS, renderHandoff);
const api = makeApi(
  () => state.token,
  (code) => signOut(code),
);
const state = {
  token: null,
  conversationId: null,
  follower: null,
  nodes: new Map(), // message id -> element
  pendingClient: null,
  pendingReply: null,
  handoff: null,
  retry: null, // {text, key}: a failed send of this text is retried with the same key
};

// --- Sign-in ------------------------------------------------------------------------------

function start() {
  i18n.apply();
  fillRatingChoices();
  $("language").addEventListener("click", () => i18n.toggle());
  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token-input").value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token-input").value = "";
    enter(token);
  });
  $("signout").addEventListener("click", () => signOut());
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  $("message-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  $("new-conversation").addEventListener("click", () => newConversation());
  $("rating-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submitRating();
  });
  const token = takeToken(TOKEN_KEY);
  if (token) enter(token);
  else showSignin();
}

function showSignin(code) {
  state.follower?.stop();
  $("chat").hidden = true;
  $("signout").hidden = true;
  $("who").textContent = "";
  $("signin").hidden = false;
  showError($("signin-error"), code ? { code } : null);
}

function signOut(code) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  showSignin(code);
}

async function enter(token) {
  state.token = token;
  const who = claims(token);
  if (who.role && who.role !== "client") {
    $("signin-error").textContent = i18n.t("wrong_role", { role: who.role });
    sessionStorage.removeItem(TOKEN_KEY);
    return;
  }
  $("signin").hidden = true;
  $("chat").hidden = false;
  $("signout").hidden = false;
  $("who").textContent = i18n.t("signed_in_as", { sub: who.sub || "" });
  const remembered = sessionStorage.getItem(conversationKey());
  try {
    if (remembered) {
      const body = await api.json(
        "GET",
        `/v1/conversations/${encodeURIComponent(remembered)}/messages?limit=200`,
      );
      open(remembered, body.messages);
      return;
    }
  } catch (error) {
    if (!(error instanceof ApiProblem && error.status === 404)) return fail(error);
  }
  await newConversation();
}

function conversationKey() {
  return `anxin.chat.conversation.${claims(state.token).sub || ""}`;
}

// --- The conversation ---------------------------------------------------------------------

async function newConversation() {
  try {
    const created = await api.json("POST", "/v1/conversations");
    sessionStorage.setItem(conversationKey(), created.id);
    open(created.id, []);
  } catch (error) {
    fail(error);
  }
}

function open(conversationId, messages) {
  state.follower?.stop();
  state.conversationId = conversationId;
  state.nodes.clear();
  state.pendingClient = state.pendingReply = null;
  $("transcript").replaceChildren();
  $("conversation-id").textContent = conversationId;
  $("rating").hidden = true;
  $("rating-thanks").hidden = true;
  for (const message of messages) place(message, false);
  const last = messages.length ? messages[messages.length - 1].id : 0;
  state.follower = followConversation(api, conversationId, last, place, setLive);
  refreshHandoff();
}

function setLive(status) {
  const node = $("live-state");
  node.dataset.i18n = `live_${status}`;
  node.dataset.state = status;
  node.textContent = i18n.t(`live_${status}`);
}

/** Shows a message once: updates the element already shown for its id, or takes over the
 * placeholder shown while it was on its way, or adds it at the end. */
function place(message, live = true) {
  let node = state.nodes.get(message.id);
  if (!node && message.role === "client" && state.pendingClient) {
    node = state.pendingClient;
    state.pendingClient = null;
  } else if (!node && message.role === "assistant" && state.pendingReply) {
    node = state.pendingReply;
    state.pendingReply = null;
  }
  const fresh = messageNode(message);
  if (node) {
    keepRating(node, fresh);
    node.replaceWith(fresh);
  } else {
    $("transcript").append(fresh);
  }
  state.nodes.set(message.id, fresh);
  scrollToEnd();
  if (message.role === "system" && live) refreshHandoff();
}

function messageNode(message) {
  const role = message.role;
  const node = el("div", {
    class: `msg ${role}`,
    attrs: { "data-id": message.id, "data-role": role, "data-notice": message.notice },
  });
  if (role !== "system") {
    const who = el("span", { attrs: { "data-i18n": `role_${role}` }, text: i18n.t(`role_${role}`) });
    node.append(el("div", { class: "who" }, [who, " ", clock(message.created_at, i18n.language)]));
  }
  node.append(el("div", { class: "text", text: message.text }));
  if (message.citations?.length) node.append(citationList(message.citations));
  // A hand-off line is not an answer to judge; every other reply can be rated.
  if (role === "assistant" && message.id && message.status !== "handed_off") {
    node.append(thumbs(message));
  }
  return node;
}

/** A redrawn reply keeps the thumb the client already pressed. */
function keepRating(from, to) {
  for (const button of from.querySelectorAll(".thumbs button")) {
    const twin = to.querySelector(`.thumbs button[data-helpful="${button.dataset.helpful}"]`);
    twin?.setAttribute("aria-pressed", button.getAttribute("aria-pressed"));
  }
}

function citationList(citations) {
  const heading = el("span", { attrs: { "data-i18n": "sources" }, text: i18n.t("sources") });
  const list = el("ul", { class: "citations", attrs: { "aria-label": i18n.t("sources") } });
  for (const citation of citations) {
    const marker = citation.ref ? `[${citation.ref}] ` : "";
    list.append(
      el("li", { attrs: { "data-article": citation.article_id } }, [marker + citation.title]),
    );
  }
  return el("div", { class: "muted" }, [heading, list]);
}

function thumbs(message) {
  const box = el("div", { class: "thumbs" });
  for (const [helpful, key] of [
    [true, "helpful"],
    [false, "not_helpful"],
  ]) {
    const button = el("button", {
      text: i18n.t(key),
      attrs: {
        type: "button",
        "data-helpful": String(helpful),
        "data-i18n": key,
        "aria-pressed": "false",
      },
    });
    button.addEventListener("click", () => rate(message.id, helpful));
    box.append(button);
  }
  return box;
}

async function rate(messageId, helpful) {
  try {
    const path = `/v1/conversations/${encodeURIComponent(state.conversationId)}/messages/${messageId}/rating`;
    const body = await api.json("POST", path, { helpful });
    const shown = state.nodes.get(messageId); // the element may have been redrawn meanwhile
    for (const button of shown?.querySelectorAll(".thumbs button") || []) {
      button.setAttribute("aria-pressed", String(button.dataset.helpful === String(helpful)));
    }
    if (body.handoff) showHandoff(body.handoff);
  } catch (error) {
    fail(error);
  }
}

// --- Sending ------------------------------------------------------------------------------

async function send() {
  const input = $("message-input");
  const text = input.value.trim();
  if (!text || $("send").disabled) return;
  const key = state.retry?.text === text ? state.retry.key : randomKey();
  state.retry = { text, key };
  $("send").disabled = true;
  showError($("chat-error"), null);
  state.pendingClient = pendingNode("client", text);
  state.pendingReply = pendingNode("assistant", "…");
  $("transcript").append(state.pendingClient, state.pendingReply);
  scrollToEnd();
  try {
    const path = `/v1/conversations/${encodeURIComponent(state.conversationId)}/messages`;
    const response = await api.raw(
      "POST",
      path,
      { text },
      { Accept: "text/event-stream", "Idempotency-Key": key },
    );
    input.value = "";
    await readEvents(response, onTurnEvent);
    state.retry = null;
  } catch (error) {
    dropPending();
    input.value = text;
    fail(error);
  } finally {
    $("send").disabled = false;
    input.focus();
  }
}

function scrollToEnd() {
  const transcript = $("transcript");
  transcript.scrollTop = transcript.scrollHeight;
}

function pendingNode(role, text) {
  return el("div", { class: `msg ${role} pending` }, [el("div", { class: "text", text })]);
}

function dropPending() {
  state.pendingClient?.remove();
  state.pendingReply?.remove();
  state.pendingClient = state.pendingReply = null;
}

function onTurnEvent(name, data) {
  const reply = state.pendingReply?.querySelector(".text");
  if (name === "delta" && reply) {
    reply.textContent = (reply.textContent === "…" ? "" : reply.textContent) + data.text;
    scrollToEnd();
  } else if (name === "reset" && reply) {
    reply.textContent = "…";
  } else if (name === "reply") {
    finishTurn(data);
  } else if (name === "error") {
    throw new ApiProblem(503, data.code, data.message);
  }
}

function finishTurn(outcome) {
  if (state.pendingClient && !state.nodes.has(outcome.message_id)) {
    state.pendingClient.dataset.id = outcome.message_id;
    state.nodes.set(outcome.message_id, state.pendingClient);
    state.pendingClient.classList.remove("pending");
  }
  state.pendingClient = null;
  if (outcome.reply) place({ ...outcome.reply, role: "assistant", created_at: null });
  state.pendingReply?.remove();
  state.pendingReply = null;
  if (outcome.notice) place(outcome.notice);
  if (outcome.handoff) showHandoff(outcome.handoff);
}

function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- Hand-off and rating ------------------------------------------------------------------

async function refreshHandoff() {
  if (!state.conversationId) return;
  try {
    const path = `/v1/conversations/${encodeURIComponent(state.conversationId)}/handoff`;
    const body = await api.json("GET", path);
    showHandoff(body.handoff);
    $("rating").hidden = !body.can_rate;
    scrollToEnd();
  } catch (error) {
    fail(error);
  }
}

function showHandoff(handoff) {
  state.handoff = handoff;
  renderHandoff();
}

function renderHandoff() {
  const handoff = state.handoff;
  let text = "";
  if (handoff?.state === "waiting") {
    text = i18n.t("handoff_waiting", {
      queue: handoff.queue_name,
      ahead: handoff.ahead,
      minutes: handoff.estimated_wait_minutes,
    });
  } else if (handoff?.state === "with_person") {
    text = i18n.t("handoff_with_person", { queue: handoff.queue_name });
  }
  $("handoff-state").textContent = text;
  $("handoff-state").dataset.state = handoff?.state || "";
  const live = $("live-state");
  if (live.dataset.state) live.textContent = i18n.t(`live_${live.dataset.state}`);
  if (state.token) $("who").textContent = i18n.t("signed_in_as", { sub: claims(state.token).sub });
  fillRatingChoices();
}

function fillRatingChoices() {
  for (const select of document.querySelectorAll("#rating-form select")) {
    const chosen = select.value;
    select.replaceChildren(el("option", { text: i18n.t("rating_choose"), attrs: { value: "" } }));
    for (let score = 1; score <= 5; score++) {
      select.append(el("option", { text: score, attrs: { value: score } }));
    }
    select.value = chosen;
  }
}

async function submitRating() {
  const form = $("rating-form");
  const score = (name) => Number(form.elements[name].value);
  const comment = form.elements.comment.value.trim();
  try {
    const path = `/v1/conversations/${encodeURIComponent(state.conversationId)}/feedback`;
    await api.json("POST", path, {
      speed: score("speed"),
      resolution: score("resolution"),
      attitude: score("attitude"),
      comment: comment || null,
    });
  } catch (error) {
    if (!(error instanceof ApiProblem && error.code === "already_rated")) return fail(error);
  }
  form.reset();
  $("rating").hidden = true;
  $("rating-thanks").hidden = false;
}

// --- Errors -------------------------------------------------------------------------------

function fail(error) {
  showError($("chat-error"), error instanceof ApiProblem ? error : { code: "network" });
}

function showError(node, problem) {
  if (!problem) {
    node.textContent = "";
    return;
  }
  const key = `error_${problem.code}`;
  const known = STRINGS.zh[key] !== undefined;
  node.textContent = known ? i18n.t(key) : i18n.t("error_generic", { code: problem.code });
  node.dataset.code = problem.code;
}

start();
