// The accessible e-box (issue 17): audio mode for headphones and a keypad, large print with high
// contrast, keyboard-only use throughout, and more time on request. Loaded after ebox.html's own
// script, whose globals (contests, codesOf, check) it uses; it adds no way to vote that the screen lacks.
//
// Keys (shown on the toolbar): F2 audio mode, F3 large print. In audio mode, in a contest's field:
// digits type a code; Enter speaks the name behind the last code typed, and Enter on an empty code
// goes to the next contest (after the last one, to the review); * repeats; - or Escape goes back;
// + goes to the review; / deletes the last code. On the review, Enter casts and - corrects.
(() => {
  const params = new URLSearchParams(location.search);
  const IDLE_MS = Number(params.get("idle")) || 120000;  // the inactivity warning; twice as long in audio mode
  const player = new Audio();
  let audio = false, queue = [], last = [], idleTimer = null, warned = false, extensions = 0;

  const bar = document.createElement("section");
  bar.id = "access-bar"; bar.dataset.testid = "access-bar";
  bar.innerHTML = '<button id="audio-mode" class="secondary" aria-pressed="false" data-testid="audio-mode">' +
    'رأی صوتی (F2) · Audio</button><button id="large-mode" class="secondary" aria-pressed="false" ' +
    'data-testid="large-mode">درشت‌نما (F3) · Large print</button>' +
    '<div id="live" class="live" role="status" aria-live="assertive" data-testid="live"></div>';
  document.querySelector("main").prepend(bar);
  const warning = document.createElement("section");
  warning.id = "idle-warning"; warning.className = "hidden"; warning.dataset.testid = "idle-warning";
  warning.setAttribute("role", "alertdialog");
  warning.innerHTML = '<p>آیا هنوز اینجا هستید؟ برای زمان بیشتر هر کلیدی را بزنید.</p>' +
    '<button id="extend" data-testid="extend">زمان بیشتر</button>' +
    '<span id="extensions" data-testid="extensions"></span>';
  document.querySelector("main").prepend(warning);

  function setAudio(on) { audio = on; $("audio-mode").setAttribute("aria-pressed", String(on));
    document.body.classList.toggle("audio", on); if (on) { speak([["start"]]); } else { player.pause(); } }
  function setLarge(on) { document.body.classList.toggle("large", on); $("large-mode").setAttribute("aria-pressed", String(on)); }
  $("audio-mode").onclick = () => setAudio(!audio);
  $("large-mode").onclick = () => setLarge(!document.body.classList.contains("large"));

  // Each step's clips come from the e-box (/api/ebox/audio); their texts also go to the live region,
  // so a screen reader has them even when the speech engine is missing.
  async function speak(steps) {
    const clips = [];
    for (const [step, body] of steps) {
      try { clips.push(...(await api("/api/ebox/audio", {step, ...(body || {})})).clips); }
      catch (e) { clips.push({text: e.message, url: ""}); }
    }
    play(clips);
  }
  function play(clips) {
    last = clips; $("live").textContent = clips.map(c => c.text).join(" · ");
    queue = clips.filter(c => c.url).map(c => c.url); next();
  }
  function next() {
    const url = queue.shift(); if (!url) { return; }
    player.src = url; document.body.dataset.clip = url;
    player.onended = next; player.play().catch(() => {});  // no speaker (a test, a muted desk): the texts remain
  }

  const fields = () => contests.map(c => $("codes-" + c.code));
  const ballot = () => { const b = {}; contests.forEach(c => b[c.code] = codesOf(c.code)); return b; };
  const visible = id => !$(id).classList.contains("hidden");
  function goReview() { $("review").click(); }
  function goBack(field) {
    if (visible("step-review")) { $("back").click(); sayChoices(fields()[0]); return; }
    const i = fields().indexOf(field);
    if (i > 0) { sayChoices(fields()[i - 1]); }
  }
  // Focus a contest's field and say its choices so far.
  function sayChoices(f) { f.focus(); speak([["choices", {contest: f.dataset.contest, codes: codesOf(f.dataset.contest)}]]); }

  document.addEventListener("keydown", e => {
    touched();
    if (warned) { e.preventDefault(); extend(); return; }  // any key gives more time, and does nothing else
    if (e.key === "F2") { e.preventDefault(); setAudio(!audio); return; }
    if (e.key === "F3") { e.preventDefault(); setLarge(!document.body.classList.contains("large")); return; }
    if (!audio) { return; }
    const field = e.target.dataset && e.target.dataset.contest ? e.target : null;
    if (e.key === "*") { e.preventDefault(); play(last); return; }
    if (e.key === "-" || e.key === "Escape") { e.preventDefault(); goBack(field); return; }
    if (e.key === "+" && !visible("step-review") && contests.length) { e.preventDefault(); goReview(); return; }
    if (!field) { return; }
    const contest = field.dataset.contest;
    if (e.key === "/") { e.preventDefault(); field.value = codesOf(contest).slice(0, -1).join(" ") + " "; check(contest);
      sayChoices(field); return; }
    if (e.key === "Enter") {
      e.preventDefault();
      if (field.value.trim() && !/\s$/.test(field.value)) {  // a code was just typed: say its name
        field.value += " "; check(contest); speak([["code", {contest, codes: codesOf(contest)}]]); return;
      }
      const i = fields().indexOf(field);
      if (i + 1 < fields().length) { const f = fields()[i + 1]; f.focus(); speak([["contest", {contest: f.dataset.contest}]]); }
      else { goReview(); }
    }
  }, true);

  // The page's own steps, observed: the contests appear after the card, then the review, then the end.
  new MutationObserver(() => {
    const first = fields()[0];
    if (first) { first.focus(); if (audio) { speak([["start"], ["contest", {contest: first.dataset.contest}]]); } }
  }).observe($("contests"), {childList: true});
  new MutationObserver(() => {
    if (visible("step-review")) { $("confirm").focus(); if (audio) { speak([["review", {ballot: ballot()}]]); } }
  }).observe($("step-review"), {attributes: true, attributeFilter: ["class"]});
  new MutationObserver(() => {
    if (visible("done")) { clearTimeout(idleTimer); if (audio) { speak([["done"]]); } }
  }).observe($("done"), {attributes: true, attributeFilter: ["class"]});

  // More time: a voter idle in the middle of a vote is asked, aloud in audio mode, whether they need
  // more; any key or the button gives it. Nothing is cancelled: the card stays the branch head's call.
  function voting() { return contests.length && !visible("done"); }
  function touched() { clearTimeout(idleTimer); if (!warned) { idleTimer = setTimeout(warn, IDLE_MS * (audio ? 2 : 1)); } }
  function warn() {
    if (!voting()) { touched(); return; }
    warned = true; show("idle-warning", true); $("extend").focus(); if (audio) { speak([["warning"]]); }
  }
  function extend() {
    warned = false; extensions += 1; show("idle-warning", false);
    $("extensions").textContent = fa(extensions); document.body.dataset.extensions = String(extensions);
    if (audio) { speak([["extended"]]); } touched();
    const f = fields().find(x => x === document.activeElement) || (visible("step-review") ? $("confirm") : fields()[0]);
    if (f) { f.focus(); }
  }
  $("extend").onclick = extend;
  ["click", "input"].forEach(kind => document.addEventListener(kind, touched, true));
  touched();
  $("card").focus();  // a wedge scanner types into the focused field
})();
