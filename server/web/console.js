// The agents' console: the queue (polled), one open conversation with its hand-off package and
// live messages, and the actions on it (claim, reply, note, transfer, resolve, knowledge draft).

import {
  ApiProblem,
  claims,
  clock,
  duration,
  el,
  followConversation,
  makeApi,
  makeTranslator,
  takeToken,
} from "./common.js";

const STRINGS = {
  zh: {
    page_title: "安心 · 坐席工作台",
    heading: "安心 · 坐席工作台",
    switch_language: "English",
    sign_out: "退出",
    signin_heading: "坐席登录",
    signin_help: "请粘贴坐席令牌（anxin token --role agent --sub 工号）。令牌只保存在本标签页中。",
    token_label: "坐席令牌",
    token_placeholder: "eyJ…",
    signin_button: "登录",
    signed_in_as: "{role} {sub}",
    wrong_role: "客户令牌不能登录坐席工作台。",
    queue_heading: "排队",
    queue_updated: "更新于 {time}",
    mine_heading: "我的会话",
    waiting_heading: "等待接入",
    queue_empty: "暂无",
    waited: "已等 {time}",
    overdue: "超时",
    conversation_heading: "会话",
    nothing_open: "从左侧选择一个会话。",
    handoff_line: "{status} · {queue}{claimed}{transfers}",
    claimed_by: " · 接入人 {who}",
    transfers: " · 转接 {count} 次",
    no_handoff: "未转人工",
    claim: "接入",
    resolve: "结束人工服务",
    transfer_to: "转给",
    transfer: "转接",
    reply_label: "回复客户",
    reply_placeholder: "写给客户的回复（会经过合规检查）",
    send_reply: "发送给客户",
    add_note: "作为内部备注保存",
    draft_title: "知识草稿标题",
    save_draft: "存为知识草稿",
    package_heading: "交接信息",
    summary: "摘要",
    profile: "客户",
    profile_line: "等级 {tier} · 风险承受 {risk} · 语言 {language} · 原因：{reason}",
    turns: "客户说过的话",
    turn_line: "意图 {intent} · 情绪 {emotion}（{intensity}/3）",
    tried: "智能客服的尝试",
    tried_line: "{status} · {route} · 文章 {articles}",
    failure: " · 失败：{failure}",
    cited: "引用的文章",
    interventions: "合规干预",
    none: "无",
    role_client: "客户",
    role_assistant: "智能客服",
    role_agent: "坐席",
    role_advisor: "投资顾问",
    role_note: "内部备注",
    live_live: "● 实时",
    live_reconnecting: "○ 重新连接中…",
    live_failed: "○ 已断开",
    status_waiting: "等待接入",
    status_claimed: "处理中",
    status_resolved: "已结束",
    queue_service: "人工客服",
    queue_advisor: "投资顾问",
    queue_private: "专属客户经理",
    tier_basic: "普通",
    tier_growth: "成长",
    tier_hnw: "高净值",
    reason_requested: "要求转人工",
    reason_failures: "多次未解决",
    reason_crisis: "危机",
    reason_fraud: "疑似诈骗",
    reason_regulator_threat: "投诉监管",
    reason_strong_emotion: "情绪强烈",
    reason_advisor_topic: "投顾问题",
    emotion_neutral: "平静",
    emotion_satisfied: "满意",
    emotion_confused: "困惑",
    emotion_anxious: "焦虑",
    emotion_frustrated: "沮丧",
    emotion_angry: "愤怒",
    done_claimed: "已接入。",
    done_sent: "已发送。",
    done_masked: "已发送；已遮盖个人信息：{kinds}。",
    done_note: "备注已保存（客户看不到）。",
    done_transferred: "已转接。",
    done_resolved: "人工服务已结束，客户可以评价。",
    done_draft: "知识草稿 #{id} 已保存，等待知识团队审核。",
    error_generic: "操作失败（{code}）：{message}",
    error_network: "网络连接失败，请重试。",
    error_message_blocked: "这条消息违反合规规则（例如承诺收益或推荐具体证券），没有发送。请修改后再发。",
    error_not_claimed: "请先接入这个会话。",
    error_already_claimed: "这个会话已被其他同事接入。",
    error_not_handed_off: "这个会话目前不在人工队列中。",
    error_same_queue: "会话已经在这个队列里了。",
    error_forbidden: "您的角色不能处理这个队列。",
    error_empty_text: "内容不能为空。",
    error_token_expired: "登录已过期，请重新粘贴令牌。",
    error_invalid_token: "令牌无效，请重新粘贴。",
  },
  en: {
    page_title: "Anxin · Agent console",
    heading: "Anxin · Agent console",
    switch_language: "中文",
    sign_out: "Sign out",
    signin_heading: "Agent sign-in",
    signin_help: "Paste an agent token (anxin token --role agent --sub YOUR_ID). It is kept in this tab only.",
    token_label: "Agent token",
    token_placeholder: "eyJ…",
    signin_button: "Sign in",
    signed_in_as: "{role} {sub}",
    wrong_role: "A client token cannot sign in to the agent console.",
    queue_heading: "Queue",
    queue_updated: "updated {time}",
    mine_heading: "Mine",
    waiting_heading: "Waiting",
    queue_empty: "None",
    waited: "waited {time}",
    overdue: "overdue",
    conversation_heading: "Conversation",
    nothing_open: "Choose a conversation on the left.",
    handoff_line: "{status} · {queue}{claimed}{transfers}",
    claimed_by: " · taken by {who}",
    transfers: " · transferred {count}×",
    no_handoff: "not handed off",
    claim: "Claim",
    resolve: "Resolve",
    transfer_to: "Transfer to",
    transfer: "Transfer",
    reply_label: "Reply to the client",
    reply_placeholder: "Your reply to the client (compliance-checked)",
    send_reply: "Send to client",
    add_note: "Save as internal note",
    draft_title: "Knowledge draft title",
    save_draft: "Save as knowledge draft",
    package_heading: "Hand-off package",
    summary: "Summary",
    profile: "Client",
    profile_line: "tier {tier} · risk level {risk} · language {language} · reason: {reason}",
    turns: "What the client said",
    turn_line: "intent {intent} · emotion {emotion} ({intensity}/3)",
    tried: "What the assistant tried",
    tried_line: "{status} · {route} · articles {articles}",
    failure: " · failure: {failure}",
    cited: "Cited articles",
    interventions: "Compliance interventions",
    none: "none",
    role_client: "Client",
    role_assistant: "Assistant",
    role_agent: "Agent",
    role_advisor: "Advisor",
    role_note: "Internal note",
    live_live: "● live",
    live_reconnecting: "○ reconnecting…",
    live_failed: "○ disconnected",
    status_waiting: "waiting",
    status_claimed: "claimed",
    status_resolved: "resolved",
    queue_service: "customer service",
    queue_advisor: "investment advisors",
    queue_private: "relationship managers",
    tier_basic: "basic",
    tier_growth: "growth",
    tier_hnw: "high net worth",
    reason_requested: "asked for a person",
    reason_failures: "repeated failures",
    reason_crisis: "crisis",
    reason_fraud: "possible fraud",
    reason_regulator_threat: "regulator threat",
    reason_strong_emotion: "strong emotion",
    reason_advisor_topic: "advisor topic",
    emotion_neutral: "neutral",
    emotion_satisfied: "satisfied",
    emotion_confused: "confused",
    emotion_anxious: "anxious",
    emotion_frustrated: "frustrated",
    emotion_angry: "angry",
    done_claimed: "Claimed.",
    done_sent: "Sent.",
    done_masked: "Sent; personal data masked: {kinds}.",
    done_note: "Note saved (the client does not see it).",
    done_transferred: "Transferred.",
    done_resolved: "Resolved; the client can now rate the service.",
    done_draft: "Knowledge draft #{id} saved for the knowledge team to review.",
    error_generic: "That failed ({code}): {message}",
    error_network: "The network failed. Try again.",
    error_message_blocked: "This message breaks a compliance rule (such as promising returns or naming a security to buy) and was not sent. Rephrase it.",
    error_not_claimed: "Claim the conversation first.",
    error_already_claimed: "Someone else has taken this conversation.",
    error_not_handed_off: "This conversation is not in a queue for a person.",
    error_same_queue: "The conversation is already in that queue.",
    error_forbidden: "Your role does not take this queue.",
    error_empty_text: "Write something first.",
    error_token_expired: "Your sign-in has expired. Paste a new token.",
    error_invalid_token: "The token is not valid. Paste it again.",
  },
};

// The queues of knowledge/escalation.yaml. No API lists them yet, so the console names them here.
const QUEUES = ["service", "advisor", "private"];
const POLL_MS = 3000;
const TOKEN_KEY = "anxin.console.token";
const STAFF = ["agent", "advisor", "admin"];
const $ = (id) => document.getElementById(id);
const i18n = makeTranslator(STRINGS, rerender);
const api = makeApi(
  () => state.token,
  (code) => signOut(code),
);
const state = {
  token: null,
  me: null,
  queue: null, // the last queue answer
  queueTimer: null,
  openId: null,
  view: null, // the open conversation as the API gave it
  follower: null,
  nodes: new Map(), // message id -> element
  suggested: "",
};

// --- Sign-in ------------------------------------------------------------------------------

function start() {
  i18n.apply();
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
  $("claim").addEventListener("click", () => act("claim", "done_claimed"));
  $("resolve").addEventListener("click", () => act("resolve", "done_resolved"));
  $("transfer").addEventListener("click", () =>
    act("transfer", "done_transferred", { queue: $("transfer-queue").value }),
  );
  $("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });
  $("add-note").addEventListener("click", () => addNote());
  $("draft-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveDraft();
  });
  fillQueueChoices();
  const token = takeToken(TOKEN_KEY);
  if (token) enter(token);
  else showSignin();
}

function showSignin(code) {
  clearTimeout(state.queueTimer);
  state.follower?.stop();
  $("console").hidden = true;
  $("signout").hidden = true;
  $("who").textContent = "";
  $("signin").hidden = false;
  if (code) showProblem($("signin-error"), new ApiProblem(401, code, ""));
}

function signOut(code) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  showSignin(code);
}

function enter(token) {
  const who = claims(token);
  if (who.role && !STAFF.includes(who.role)) {
    $("signin-error").textContent = i18n.t("wrong_role");
    sessionStorage.removeItem(TOKEN_KEY);
    return;
  }
  state.token = token;
  state.me = who.sub || null;
  $("signin").hidden = true;
  $("console").hidden = false;
  $("signout").hidden = false;
  renderWho();
  pollQueue();
}

function renderWho() {
  const who = claims(state.token || "");
  $("who").textContent = state.token ? i18n.t("signed_in_as", { role: who.role, sub: who.sub }) : "";
}

// --- The queue ----------------------------------------------------------------------------

async function pollQueue() {
  clearTimeout(state.queueTimer);
  try {
    state.queue = await api.json("GET", "/v1/agent/queue");
    state.queue.at = new Date();
    renderQueue();
    $("queue-error").textContent = "";
  } catch (error) {
    showProblem($("queue-error"), error);
  }
  if (state.token) state.queueTimer = setTimeout(pollQueue, POLL_MS);
}

function renderQueue() {
  if (!state.queue) return;
  for (const [listId, items] of [
    ["mine", state.queue.mine],
    ["waiting", state.queue.waiting],
  ]) {
    const list = $(listId);
    list.replaceChildren(...items.map(queueItem));
    if (!items.length) list.append(el("li", { class: "muted", text: i18n.t("queue_empty") }));
  }
  $("queue-updated").textContent = i18n.t("queue_updated", {
    time: state.queue.at.toLocaleTimeString(),
  });
}

function queueItem(item) {
  const badges = [
    el("span", { class: "badge", text: label("tier", item.tier) }),
    el("span", {
      class: item.reason === "crisis" ? "badge crisis" : "badge",
      text: label("reason", item.reason),
    }),
    el("span", { text: label("queue", item.queue) }),
    el("span", { text: i18n.t("waited", { time: duration(item.waited_seconds) }) }),
  ];
  if (item.overdue) badges.push(el("span", { class: "badge overdue", text: i18n.t("overdue") }));
  if (item.emotion?.label && item.emotion.label !== "neutral") {
    badges.push(el("span", { text: `${label("emotion", item.emotion.label)} ${item.emotion.intensity}/3` }));
  }
  const button = el(
    "button",
    {
      attrs: {
        type: "button",
        "data-conversation-id": item.conversation_id,
        "data-overdue": String(item.overdue),
        "aria-current": String(item.conversation_id === state.openId),
      },
    },
    [el("span", { class: "line" }, badges), el("span", { class: "preview", text: item.preview })],
  );
  button.addEventListener("click", () => openConversation(item.conversation_id));
  return el("li", {}, [button]);
}

/** A translated label for an API value, or the value itself when the dictionary lacks it. */
function label(kind, value) {
  const key = `${kind}_${value}`;
  return STRINGS.zh[key] === undefined ? String(value ?? "") : i18n.t(key);
}

// --- The open conversation ----------------------------------------------------------------

async function openConversation(conversationId) {
  state.follower?.stop();
  state.openId = conversationId;
  state.nodes.clear();
  $("transcript").replaceChildren();
  $("reply-input").value = "";
  state.suggested = "";
  clearNotices();
  renderQueue();
  const view = await loadView();
  if (!view) return;
  for (const message of view.messages) place(message);
  const last = view.messages.length ? view.messages[view.messages.length - 1].id : 0;
  state.follower = followConversation(api, conversationId, last, onLive, setLive);
}

async function loadView() {
  const id = state.openId;
  try {
    const view = await api.json("GET", `/v1/agent/conversations/${encodeURIComponent(id)}`);
    if (id !== state.openId) return null; // another conversation was opened meanwhile
    state.view = view;
    renderView();
    return view;
  } catch (error) {
    showProblem($("action-error"), error);
    return null;
  }
}

function onLive(message) {
  place(message);
  // A notice means the hand-off changed (claimed, transferred, resolved): fetch its state.
  if (message.role === "system") {
    loadView();
    pollQueue();
  }
}

function setLive(status) {
  const node = $("live-state");
  node.dataset.state = status;
  node.textContent = i18n.t(`live_${status}`);
}

function renderView() {
  const view = state.view;
  $("nothing-open").hidden = true;
  $("actions").hidden = false;
  $("conversation-id").textContent = view.conversation_id;
  renderHandoffLine();
  renderPackage(view.package);
  const suggestion = view.package?.suggested_reply || "";
  const input = $("reply-input");
  if (!input.value || input.value === state.suggested) input.value = suggestion;
  state.suggested = suggestion;
  updateButtons();
}

function renderHandoffLine() {
  const handoff = state.view?.handoff;
  $("handoff-line").textContent = handoff
    ? i18n.t("handoff_line", {
        status: label("status", handoff.status),
        queue: label("queue", handoff.queue),
        claimed: handoff.claimed_by ? i18n.t("claimed_by", { who: handoff.claimed_by }) : "",
        transfers: handoff.transfers ? i18n.t("transfers", { count: handoff.transfers }) : "",
      })
    : i18n.t("no_handoff");
  $("handoff-line").dataset.status = handoff?.status || "";
}

function updateButtons() {
  const handoff = state.view?.handoff;
  const status = handoff?.status;
  const mine = status === "claimed" && handoff.claimed_by === state.me;
  $("claim").disabled = status !== "waiting";
  $("send-reply").disabled = !mine;
  $("resolve").disabled = !mine;
  $("transfer").disabled = !(status === "waiting" || mine);
}

function renderPackage(pack) {
  $("package").hidden = !pack;
  if (!pack) return;
  $("package-summary").textContent = pack.summary || "";
  $("package-profile").textContent = i18n.t("profile_line", {
    tier: label("tier", pack.profile?.tier),
    risk: pack.profile?.risk_level || "—",
    language: pack.language,
    reason: label("reason", pack.reason),
  });
  fillList("package-turns", pack.turns, (turn) => [
    el("div", { text: turn.text }),
    el("div", {
      class: "muted",
      text: i18n.t("turn_line", {
        intent: turn.intent || "—",
        emotion: label("emotion", turn.emotion || "—"),
        intensity: turn.intensity ?? 0,
      }),
    }),
  ]);
  fillList("package-tried", pack.tried, (attempt) => [
    i18n.t("tried_line", {
      status: attempt.status,
      route: attempt.route || "—",
      articles: attempt.articles.join(", ") || "—",
    }) + (attempt.failure ? i18n.t("failure", { failure: attempt.failure }) : ""),
  ]);
  fillList("package-cited", pack.cited_articles, (article) => [
    `${article.title} (${article.article_id})`,
  ]);
  fillList("package-interventions", pack.interventions, (item) => [
    `${item.rule_id} · ${item.action} · ${item.where}`,
  ]);
}

function fillList(id, items, render) {
  const list = $(id);
  list.replaceChildren(...(items || []).map((item) => el("li", {}, render(item))));
  if (!items?.length) list.append(el("li", { class: "muted", text: i18n.t("none") }));
}

/** Shows a message once, updating the element already shown for its id. */
function place(message) {
  const fresh = el(
    "div",
    {
      class: `msg ${message.role}`,
      attrs: { "data-id": message.id, "data-role": message.role, "data-notice": message.notice },
    },
    [
      message.role === "system"
        ? null
        : el("div", { class: "who" }, [
            el("span", { class: "role-label", text: label("role", message.role) }),
            ` ${clock(message.created_at, i18n.language)}`,
          ]),
      el("div", { class: "text", text: message.text }),
    ],
  );
  const shown = state.nodes.get(message.id);
  if (shown) shown.replaceWith(fresh);
  else $("transcript").append(fresh);
  state.nodes.set(message.id, fresh);
  $("transcript").scrollTop = $("transcript").scrollHeight;
}

// --- Actions ------------------------------------------------------------------------------

function path(action) {
  return `/v1/agent/conversations/${encodeURIComponent(state.openId)}/${action}`;
}

async function act(action, doneKey, body) {
  clearNotices();
  try {
    await api.json("POST", path(action), body);
    done(doneKey);
    await loadView();
    pollQueue();
  } catch (error) {
    showProblem($("action-error"), error);
  }
}

async function sendReply() {
  const text = $("reply-input").value.trim();
  if (!text) return;
  clearNotices();
  try {
    const sent = await api.json("POST", path("messages"), { text });
    place(sent.message);
    $("reply-input").value = "";
    if (sent.masked.length) done("done_masked", { kinds: sent.masked.join(", ") });
    else done("done_sent");
  } catch (error) {
    showProblem($("action-error"), error);
  }
}

async function addNote() {
  const text = $("reply-input").value.trim();
  if (!text) return;
  clearNotices();
  try {
    place(await api.json("POST", path("notes"), { text }));
    $("reply-input").value = "";
    done("done_note");
  } catch (error) {
    showProblem($("action-error"), error);
  }
}

async function saveDraft() {
  const title = $("draft-title").value.trim();
  if (!title) return;
  clearNotices();
  try {
    const draft = await api.json("POST", path("knowledge-draft"), { title });
    $("draft-title").value = "";
    done("done_draft", { id: draft.id });
  } catch (error) {
    showProblem($("action-error"), error);
  }
}

function fillQueueChoices() {
  const select = $("transfer-queue");
  const chosen = select.value;
  select.replaceChildren(
    ...QUEUES.map((name) => el("option", { text: label("queue", name), attrs: { value: name } })),
  );
  if (chosen) select.value = chosen;
}

// --- Messages to the agent ----------------------------------------------------------------

function done(key, values) {
  $("action-done").textContent = i18n.t(key, values);
  $("action-done").dataset.key = key;
}

function clearNotices() {
  $("action-error").textContent = "";
  delete $("action-error").dataset.code;
  $("action-done").textContent = "";
  delete $("action-done").dataset.key;
}

function showProblem(node, error) {
  const problem = error instanceof ApiProblem ? error : new ApiProblem(0, "network", "");
  const key = `error_${problem.code}`;
  node.textContent =
    STRINGS.zh[key] === undefined
      ? i18n.t("error_generic", { code: problem.code, message: problem.message })
      : i18n.t(key);
  node.dataset.code = problem.code;
}

/** After a language switch: everything drawn from data is drawn again. */
function rerender() {
  renderWho();
  renderQueue();
  fillQueueChoices();
  if (state.view) {
    renderHandoffLine();
    renderPackage(state.view.package);
  }
  for (const node of state.nodes.values()) {
    const who = node.querySelector(".role-label");
    if (who) who.textContent = label("role", node.dataset.role);
  }
  const live = $("live-state");
  if (live.dataset.state) live.textContent = i18n.t(`live_${live.dataset.state}`);
}

start();
