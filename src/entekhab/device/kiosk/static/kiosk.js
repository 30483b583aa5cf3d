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
  if (!response.ok) { const e = new Error(data.message_fa || data.message); e.code = data.code; throw e; }
  return data;
}
function $(id) { return document.getElementById(id); }
function show(id, on) { $(id).classList.toggle("hidden", !on); }
function say(id, text, good) { $(id).textContent = text; $(id).className = good ? "ok" : "error"; }
