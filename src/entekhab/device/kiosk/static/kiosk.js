// Shared by the kiosk pages: JSON calls and Persian digits.
const FA = "۰۱۲۳۴۵۶۷۸۹";
function fa(text) { return String(text).replace(/[0-9]/g, d => FA[d]); }
// Everything put into markup goes through esc(): names come from the signed manifest and codes from
// the voter's typing, and neither may become markup.
function esc(text) {
  return String(text).replace(/[&<>"']/g, ch => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[ch]);
}
async function api(path, body) {
  const response = await fetch(path, {method: body === undefined ? "GET" : "POST",
    headers: {"Content-Type": "application/json"}, body: body === undefined ? undefined : JSON.stringify(body)});
  const data = await response.json();
  if (!response.ok) {
    const e = new Error(data.message_fa || data.message); e.code = data.code;
    if (e.code === "login_required" || e.code === "session_expired" || e.code === "wrong_role") loginNeeded(e.message);
    throw e;
  }
  return data;
}
// The operator bar on every page: who is logged in, logout, and the login form (role + PIN).
// The session is an HttpOnly cookie; the page only asks /api/whoami (which does not prolong it).
const ROLE_FA = {branch_head: "رئیس شعبه", operator: "متصدی"};
function operatorBar() {
  const bar = document.createElement("section");
  bar.id = "operator-bar"; bar.dataset.testid = "operator-bar";
  bar.innerHTML = '<div id="op-who" data-testid="operator"></div>' +
    '<button id="op-logout" class="secondary hidden" data-testid="logout">خروج</button>' +
    '<form id="op-login" class="hidden" data-testid="login-form"><label for="op-role">نقش</label>' +
    '<select id="op-role" data-testid="login-role"><option value="operator">متصدی</option>' +
    '<option value="branch_head">رئیس شعبه</option></select>' +
    '<label for="op-pin">رمز</label><input type="password" id="op-pin" inputmode="numeric" autocomplete="off" ' +
    'maxlength="12" data-testid="login-pin"><button type="submit" data-testid="login">ورود</button></form>' +
    '<div id="op-msg" data-testid="login-msg"></div>';
  document.querySelector("main").prepend(bar);
  $("op-login").onsubmit = async (event) => {
    event.preventDefault();
    try { const r = await api("/api/login", {role: $("op-role").value, pin: $("op-pin").value});
      $("op-pin").value = ""; loggedIn(r.operator); }
    catch (e) { say("op-msg", e.message); }
  };
  $("op-logout").onclick = async () => { await api("/api/logout", {}); loggedIn(null); say("op-msg", "خارج شدید", true); };
  whoami(); setInterval(whoami, 30000);
}
function loggedIn(op) {
  $("op-who").textContent = op ? "واردشده: " + op.role_fa + (op.name && op.name !== op.role_fa ? " — " + op.name : "") : "کسی وارد نشده است";
  show("op-logout", !!op); show("op-login", !op);
  if (op) say("op-msg", "", true);
  document.body.dataset.operator = op ? op.role : "";
}
function loginNeeded(message) { loggedIn(null); say("op-msg", message); }
async function whoami() {
  const response = await fetch("/api/whoami"); const r = await response.json();
  if (r.operator) loggedIn(r.operator);
  else if (r.expired) loginNeeded("نشست شما به دلیل عدم استفاده به پایان رسید؛ دوباره وارد شوید");
  else if (document.body.dataset.operator !== "") loggedIn(null);
}
function $(id) { return document.getElementById(id); }
function show(id, on) { $(id).classList.toggle("hidden", !on); }
function say(id, text, good) { $(id).textContent = text; $(id).className = good ? "ok" : "error"; }
operatorBar();
